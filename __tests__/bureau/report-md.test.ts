/** report.md rendering (bureau/report-md.ts): complete, Chinese, and inert for hostile input. */
import { mdCode, mdEscapeLine, mdQuote, renderReportMarkdown, type ReportContext } from '../../bureau/report-md'
import { bundledConfig } from '@/domain/campaign'
import type { ReportPlaintext } from '@/domain/report-plaintext'
import { buildReport } from './fixture'

const context = (over: Partial<ReportContext> = {}): ReportContext => ({
  submissionId: '0123456789abcdef0123456789abcdef',
  receivedAt: Date.parse('2024-05-02T03:11:00.000Z'),
  kid: '1a25be3e6b4b9a7b',
  branches: bundledConfig.branches,
  attachments: [],
  ...over,
})

describe('renderReportMarkdown', () => {
  const report = buildReport({
    category: 'collect',
    branch: 'zs',
    description: '从4月起每天几十个电话。\n\n还骚扰我的同事。',
    links: ['https://a.invalid/x'],
    party: { accounts: 'cuishou_01', phones: '13800000000', websites: '某某贷App' },
    extra: { phones: '13800000000, 13900000000', messages: '第一行\n第二行', frequency: '每天几十个', mystery: '不在表单里的字段' },
    files: [
      { name: 'call-log.png', bytes: Buffer.from('x'), label: '截图' },
      { name: 'bank.pdf', bytes: Buffer.from('y'), label: '交易记录', mime: 'application/pdf' },
    ],
  })
  const md = renderReportMarkdown(report, context({
    attachments: [
      { n: 0, fileName: 'call-log.png', size: 1, sha256: 'a'.repeat(64), integrity: 'ok' },
      { n: 1, fileName: 'bank.pdf', size: 1, sha256: 'b'.repeat(64), integrity: 'mismatch' },
    ],
  }))

  test('has every part of the report in Chinese', () => {
    expect(md).toContain('**举报类别：** (六)网络“软暴力”催收犯罪')
    expect(md).toContain('**受理单位：** (十六)大同市公安局直属分局扫黑办（代码 zs）')
    expect(md).toContain('**发生时间：** 2024年4月30日 21:15')
    expect(md).toContain('**收到时间：** 2024年5月2日 11:11（北京时间）')
    expect(md).toContain('**举报方式：** 匿名举报')
    expect(md).toContain('## 事情经过\n\n> 从4月起每天几十个电话。  \n>\n> 还骚扰我的同事。  ')
    expect(md).toContain('1. `https://a.invalid/x`')
    expect(md).toContain('**账号（微信号、QQ号、平台账号等）：** cuishou\\_01')
    expect(md).toContain('**电话号码：** 13800000000')
    expect(md).toContain('**网站、App 名称：** 某某贷App')
    expect(md).toContain('## 网络“软暴力”催收犯罪：补充信息')
    expect(md).toContain('**骚扰电话或短信号码：** 13800000000, 13900000000')
    expect(md).toContain('**短信或消息内容：**\n\n> 第一行  \n> 第二行  ')
    expect(md).toContain('**是否骚扰了您的亲友、同事：** （未填写）')
    expect(md).toContain('**mystery：** 不在表单里的字段')
    expect(md).toContain('匿名举报：举报人没有留下身份信息。')
    expect(md).toContain('**声明时间：** 2024年5月2日 11:10（北京时间）')
    expect(md).toContain('| 1 | 截图 | call-log.png | call-log.png | 1 B | ✅ 一致 |')
    expect(md).toContain('| 2 | 交易记录 | bank.pdf | bank.pdf | 1 B | ❌ 不一致，见 INTEGRITY-WARNING.txt |')
    expect(md).toContain('附件校验有问题')
    expect(md).toContain('`0123456789abcdef0123456789abcdef`')
  })

  test('a named reporter is shown with the confidentiality reminder', () => {
    const named = buildReport({ category: 'other', branch: 'sj', description: 'x', reporter: { anonymous: false, name: '李四', mobile: '13912345678', idNumber: '11010519491231002X' } })
    const out = renderReportMarkdown(named, context())
    expect(out).toContain('**举报方式：** 实名举报')
    expect(out).toContain('**姓名：** 李四')
    expect(out).toContain('**身份证号码：** 11010519491231002X')
    expect(out).toContain('举报人身份信息须严格保密')
    expect(out).toContain('无附件。')
    expect(out).toContain('**受理单位：** 大同市公安局扫黑办（代码 sj）')
  })

  test('missing, unlisted and unknown things are said plainly, never thrown on', () => {
    const broken = { schema: 'x', category: 'drugs', branch: 'zz', description: 42, links: 'nope', party: null, extra: [], reporter: 'anon', declaration: {}, attachments: 'x' } as unknown as ReportPlaintext
    const out = renderReportMarkdown(broken, context({ receivedAt: null, attachments: [{ n: 0, integrity: 'unlisted', fileName: 'attachment-1.bin', size: 5 }, { n: 3, integrity: 'missing' }] }))
    expect(out).toContain('未知类别（代码 drugs）')
    expect(out).toContain('未知单位（代码 zz）')
    expect(out).toContain('## 事情经过\n\n（未填写）')
    expect(out).toContain('没有完整的真实性声明')
    expect(out).toContain('⚠️ 举报中未列出此文件')
    expect(out).toContain('❌ 服务器上没有此文件')
    expect(() => renderReportMarkdown({} as ReportPlaintext, context())).not.toThrow()
  })

  test('hostile text cannot become HTML, an image, a link, a heading or table cells', () => {
    const hostile = buildReport({
      category: 'other',
      branch: 'sj',
      description: '# 大标题\n<script>alert(1)</script>\n![x](http://tracker.invalid/p.png)\n| a | b |\n1. item\n---',
      links: ['javascript:alert(1)', '<http://evil.invalid>', 'a`b``c'],
      party: { accounts: '[x](http://evil.invalid)', phones: '&#x3C;img&#x3E;', websites: '' },
      files: [{ name: 'a|b<img src=x>.png', bytes: Buffer.from('z') }],
    })
    const out = renderReportMarkdown(hostile, context({ attachments: [{ n: 0, fileName: 'a_b_img src=x_.png', size: 1, sha256: 'c'.repeat(64), integrity: 'ok' }] }))
    // Outside code spans (shown literally) there is no raw "<" at all.
    expect(out.replace(/(`+) .*? \1|(`+)[^`].*?\2/g, '')).not.toContain('<')
    expect(out).toContain('`<http://evil.invalid>`')
    expect(out).not.toMatch(/(^|[^\\])!\[/m)
    expect(out).not.toMatch(/(^|[^\\])\[x\]\(/m)
    expect(out).toContain('> \\# 大标题')
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(out).toContain('> \\| a \\| b \\|')
    expect(out).toContain('> 1\\. item')
    expect(out).toContain('> \\---')
    expect(out).toContain('&amp;#x3C;img&amp;#x3E;')
    expect(out).toContain('`javascript:alert(1)`')
    expect(out).toContain('```a`b``c```')
    // The attachment row keeps exactly six cells.
    const row = out.split('\n').find((l) => l.startsWith('| 1 |'))!
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(6)
  })
})

describe('escaping helpers', () => {
  test('mdEscapeLine leaves ordinary Chinese text readable', () => {
    expect(mdEscapeLine('我在某某贷借了5000元（实际到账3500元）。')).toBe('我在某某贷借了5000元（实际到账3500元）。')
    expect(mdEscapeLine('a\u202eb\u0000c')).toBe('abc')
  })

  test('mdCode picks a fence longer than any backtick run', () => {
    expect(mdCode('plain')).toBe('`plain`')
    expect(mdCode('`x`')).toBe('`` `x` ``')
    expect(mdCode('')).toBe('（未填写）')
  })

  test('mdQuote quotes every line', () => {
    expect(mdQuote('a\r\nb\n')).toBe('> a  \n> b  ')
  })
})
