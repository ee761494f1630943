/** report.md rendering (bureau/report-md.ts): complete, Chinese, exact, and inert for hostile input. */
import { mdBlock, mdCode, renderReportMarkdown, type ReportContext } from '../../bureau/report-md'
import { bundledConfig } from '@/domain/campaign'
import { detectFileType } from '@/domain/file-type'
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

const PNG = detectFileType(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
const PDF = detectFileType(Uint8Array.from(Buffer.from('%PDF-1.7')))
const EXE = detectFileType(Uint8Array.from(Buffer.from('MZ\x90\x00', 'latin1')))

/** The texts of every fenced block, in order (what a Markdown viewer shows literally). */
function blocks(md: string): string[] {
  const out: string[] = []
  const re = /^(`{3,})text\n([\s\S]*?)\n\1$/gm
  for (let m = re.exec(md); m; m = re.exec(md)) out.push(m[2])
  return out
}

/** report.md with its fenced blocks removed: what a viewer would interpret as Markdown. */
function outsideBlocks(md: string): string {
  return md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '')
}

describe('renderReportMarkdown', () => {
  const report = buildReport({
    category: 'collect',
    branch: 'zs',
    description: '从4月起每天几十个电话。\n\n还骚扰我的同事。',
    links: ['https://a.invalid/x'],
    party: { accounts: 'cuishou_01\nwxid_walk123', phones: '13800000000', websites: '某某贷App' },
    extra: { phones: '13800000000, 13900000000', messages: '第一行\n第二行', frequency: '每天几十个', mystery: '不在表单里的字段' },
    files: [
      { name: 'call-log.png', bytes: Buffer.from('x'), label: '截图' },
      { name: 'bank.pdf', bytes: Buffer.from('y'), label: '交易记录', mime: 'application/pdf' },
    ],
  })
  const md = renderReportMarkdown(report, context({
    attachments: [
      { n: 0, fileName: 'call-log.png', size: 1, sha256: 'a'.repeat(64), integrity: 'ok', detected: PNG },
      { n: 1, fileName: 'bank.pdf', size: 1, sha256: 'b'.repeat(64), integrity: 'mismatch', detected: PDF },
    ],
  }))

  test('has every part of the report in Chinese', () => {
    expect(md).toContain('**举报类别：** (六)网络“软暴力”催收犯罪')
    expect(md).toContain('**受理单位：** (十六)大同市公安局直属分局扫黑办（代码 zs）')
    expect(md).toContain('**发生时间：** 2024年4月30日 21:15')
    expect(md).toContain('**收到时间：** 2024年5月2日 11:11（北京时间）')
    expect(md).toContain('**举报方式：** 匿名举报')
    expect(md).toContain('## 事情经过\n\n```text\n从4月起每天几十个电话。\n\n还骚扰我的同事。\n```')
    expect(md).toContain('链接 1：\n\n```text\nhttps://a.invalid/x\n```')
    expect(md).toContain('**账号（微信号、QQ号、平台账号等）：**\n\n```text\ncuishou_01\nwxid_walk123\n```')
    expect(md).toContain('**电话号码：**\n\n```text\n13800000000\n```')
    expect(md).toContain('**网站、App 名称：**\n\n```text\n某某贷App\n```')
    expect(md).toContain('## 网络“软暴力”催收犯罪：补充信息')
    expect(md).toContain('**骚扰电话或短信号码：**\n\n```text\n13800000000, 13900000000\n```')
    expect(md).toContain('**短信或消息内容：**\n\n```text\n第一行\n第二行\n```')
    expect(md).toContain('**是否骚扰了您的亲友、同事：** （未填写）')
    expect(md).toContain('**表单中没有的项目 `mystery`：**\n\n```text\n不在表单里的字段\n```')
    expect(md).toContain('匿名举报：举报人没有留下身份信息。')
    expect(md).toContain('**声明时间：** 2024年5月2日 11:10（北京时间）')
    expect(md).toContain('### 附件 1\n\n- **类型（举报人选择）：** 截图\n- **导出的文件名：** `call-log.png`　**检测到的文件类型：** PNG 图片')
    expect(md).toContain('- **完整性校验：** ✅ 一致')
    expect(md).toContain('**举报人手机上的文件名：**\n\n```text\ncall-log.png\n```')
    expect(md).toContain('**检测到的文件类型：** PDF 文档')
    expect(md).toContain('- **完整性校验：** ❌ 不一致，见 INTEGRITY-WARNING.txt')
    expect(md).toContain('附件校验有问题')
    expect(md).toContain('`0123456789abcdef0123456789abcdef`')
  })

  test('reproduces the resident\'s text exactly: ZWJ emoji, underscores, dots, line breaks — no escapes', () => {
    const family = '👨\u200d👩\u200d👧'
    const exact = buildReport({
      category: 'other',
      branch: 'sj',
      description: `全家 ${family} 都被威胁。\n转账 5000.50 元给 wxid_walk123。\n*不是强调* [不是链接] # 不是标题`,
      party: { accounts: 'wxid_walk123\nqq_888_999\r\nline3', phones: '', websites: '' },
      extra: { freeText: '1. 不是列表\n- 也不是\n> 不是引用' },
    })
    const out = renderReportMarkdown(exact, context())
    const texts = blocks(out)
    expect(texts).toContain(exact.description)
    expect(texts).toContain('wxid_walk123\nqq_888_999\nline3')
    expect(texts).toContain('1. 不是列表\n- 也不是\n> 不是引用')
    expect(out).toContain(family)
    expect(out).not.toContain('\\_')
    expect(out).not.toContain('\\.')
    expect(out).not.toContain('\\*')
    expect(out).not.toContain('\\[')
  })

  test('a date given without a time stays a date', () => {
    const dateOnly = buildReport({ category: 'other', branch: 'sj', description: 'x', tamper: (r) => void (r.happenedAt = '2026-12-02') })
    expect(renderReportMarkdown(dateOnly, context())).toContain('**发生时间：** 2026年12月2日（举报人未填具体时间）')
    expect(renderReportMarkdown(dateOnly, context())).not.toContain('00:00')
  })

  test('a named reporter is shown with the confidentiality reminder', () => {
    const named = buildReport({ category: 'other', branch: 'sj', description: 'x', reporter: { anonymous: false, name: '李四', mobile: '13912345678', idNumber: '11010519491231002X' } })
    const out = renderReportMarkdown(named, context())
    expect(out).toContain('**举报方式：** 实名举报')
    expect(out).toContain('**姓名：**\n\n```text\n李四\n```')
    expect(out).toContain('**身份证号码：**\n\n```text\n11010519491231002X\n```')
    expect(out).toContain('举报人身份信息须严格保密')
    expect(out).toContain('无附件。')
    expect(out).toContain('**受理单位：** 大同市公安局扫黑办（代码 sj）')
  })

  test('shows the detected type beside the name and warns when the content is not what the name says', () => {
    const renamed = buildReport({ category: 'other', branch: 'sj', description: 'x', files: [{ name: 'setup.jpg', bytes: Buffer.from('MZ'), mime: 'image/jpeg' }] })
    const out = renderReportMarkdown(renamed, context({ attachments: [{ n: 0, fileName: 'setup.jpg', size: 2, sha256: 'c'.repeat(64), integrity: 'ok', detected: EXE }] }))
    expect(out).toContain('- **导出的文件名：** `setup.jpg`　**检测到的文件类型：** ⚠️ Windows 程序（与文件名不符，请谨慎打开，可能是程序或无法识别的文件）')
    expect(out).toContain('> ⚠️ **附件 1 的实际内容与文件名不符')
    // The SHA-256 check alone ("一致") no longer stands for "the file is fine".
    expect(out).toContain('✅ 一致')
  })

  test('missing, unlisted and unknown things are said plainly, never thrown on', () => {
    const broken = { schema: 'x', category: 'drugs', branch: 'zz', description: 42, links: 'nope', party: null, extra: [], reporter: 'anon', declaration: {}, attachments: 'x' } as unknown as ReportPlaintext
    const out = renderReportMarkdown(broken, context({ receivedAt: null, attachments: [{ n: 0, integrity: 'unlisted', fileName: 'attachment-1.bin', size: 5 }, { n: 3, integrity: 'missing' }] }))
    expect(out).toContain('未知类别（代码 `drugs`）')
    expect(out).toContain('未知单位（代码 `zz`）')
    expect(out).toContain('## 事情经过\n\n（未填写）')
    expect(out).toContain('没有完整的真实性声明')
    expect(out).toContain('⚠️ 举报中未列出此文件')
    expect(out).toContain('❌ 服务器上没有此文件')
    expect(() => renderReportMarkdown({} as ReportPlaintext, context())).not.toThrow()
  })

  test('hostile text cannot become HTML, an image, a link, a heading, a list or close its block', () => {
    const hostile = buildReport({
      category: 'other',
      branch: 'sj',
      description: '# 大标题\n<script>alert(1)</script>\n![x](http://tracker.invalid/p.png)\n| a | b |\n```\n# 逃出来了？\n````',
      links: ['javascript:alert(1)', '<http://evil.invalid>', 'a`b``c'],
      party: { accounts: '[x](http://evil.invalid)', phones: '&#x3C;img&#x3E;', websites: '' },
      files: [{ name: 'a|b<img src=x>.png', bytes: Buffer.from('z') }],
    })
    const out = renderReportMarkdown(hostile, context({ attachments: [{ n: 0, fileName: 'a_b_img src=x_.png', size: 1, sha256: 'c'.repeat(64), integrity: 'ok', detected: PNG }] }))
    const outside = outsideBlocks(out)
    // Everything the resident wrote is inside a block, exactly; outside there is none of it.
    expect(blocks(out)).toEqual(expect.arrayContaining([hostile.description, 'javascript:alert(1)', '<http://evil.invalid>', 'a`b``c', '[x](http://evil.invalid)', '&#x3C;img&#x3E;', 'a|b<img src=x>.png']))
    expect(outside.replace(/(`+)[^`\n]*?\1/g, '')).not.toMatch(/<|!\[|\]\(|^# 大标题|^# 逃出来了/m)
    // The description's own ``` and ```` lines do not close its block: its fence is longer.
    expect(out).toContain('`````text\n# 大标题')
  })

  test('control characters are shown as code points and bidi overrides are warned about, with a note', () => {
    const out = mdBlock('a\u001b[2Jb\u0000c\u202egpj.exe')
    expect(out).toContain('a⟨U+001B⟩[2Jb⟨U+0000⟩c\u202egpj.exe')
    expect(out).toContain('此段有 2 个控制字符')
    expect(out).toContain('改变文字显示方向的不可见字符（U+202E）')
    expect(out).not.toMatch(/[\u0000\u001b]/)
  })
})

describe('helpers', () => {
  test('mdBlock keeps line breaks, ZWJ and tabs; CRLF becomes LF', () => {
    expect(mdBlock('a\r\nb\rc\n\td\u200d')).toBe('```text\na\nb\nc\n\td\u200d\n```')
  })

  test('mdCode picks a fence longer than any backtick run', () => {
    expect(mdCode('plain')).toBe('`plain`')
    expect(mdCode('`x`')).toBe('`` `x` ``')
    expect(mdCode('')).toBe('（未填写）')
  })
})
