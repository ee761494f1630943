import {
  CONFIDENTIALITY_PROMISE,
  DESCRIPTION_HINT,
  EVIDENCE_HINT,
  LINKS_HINT,
  NOTICE_SECTIONS,
  REPORT_CONTENT_REQUIREMENT,
  REWARD_RULES,
  SURRENDER_NOTICE,
  TRUTH_DECLARATION,
} from '@/domain/requirements'
import { noticeLines, readNotice } from './seed'

const notice = readNotice()

describe('verbatim texts', () => {
  it.each([
    ['REPORT_CONTENT_REQUIREMENT', REPORT_CONTENT_REQUIREMENT, '(一)'],
    ['TRUTH_DECLARATION', TRUTH_DECLARATION, '(二)'],
    ['CONFIDENTIALITY_PROMISE', CONFIDENTIALITY_PROMISE, '(三)'],
  ])('%s is the whole of 二%s', (_name, text, ordinal) => {
    const lines = notice.split('\n')
    const section = lines.slice(lines.indexOf('二、举报要求'), lines.indexOf('三、举报方式'))
    expect(section).toContain(ordinal + text)
  })

  it.each([
    ['REWARD_RULES', REWARD_RULES],
    ['SURRENDER_NOTICE', SURRENDER_NOTICE],
  ])('%s is found verbatim in the notice', (_name, text) => {
    expect(notice).toContain(text)
  })

  it('the reward sentence names the city reward rules', () => {
    expect(REWARD_RULES).toContain('《大同市公安机关涉黑涉恶违法犯罪线索举报奖励办法》')
  })

  it('the paragraph after (八) is exactly the reward and surrender sentences', () => {
    const lines = notice.split('\n')
    expect(lines[lines.indexOf('(八)利用信息网络实施的其他涉黑涉恶违法犯罪') + 1]).toBe(REWARD_RULES + SURRENDER_NOTICE)
  })

  it('the surrender notice covers surrender and harbouring', () => {
    expect(SURRENDER_NOTICE).toMatch(/投案自首/)
    expect(SURRENDER_NOTICE).toMatch(/包庇窝藏/)
  })
})

describe('hints quote the requirement they stand for', () => {
  it.each([
    ['LINKS_HINT', LINKS_HINT, '明确有效的网址、链接'],
    ['DESCRIPTION_HINT', DESCRIPTION_HINT, '详细描述受害经过'],
    ['EVIDENCE_HINT', EVIDENCE_HINT, '网页截图、网上交易记录'],
  ])('%s contains "%s"', (_name, hint, phrase) => {
    expect(REPORT_CONTENT_REQUIREMENT).toContain(phrase)
    expect(hint).toContain(phrase)
  })
})

describe('NOTICE_SECTIONS', () => {
  it('reproduces the capture line by line, less the headline suffix and the image caption', () => {
    const n = NOTICE_SECTIONS
    const rebuilt = [
      n.title,
      n.preamble,
      ...n.sections.flatMap((s) => [s.heading, ...s.paragraphs.map((p) => p.text)]),
      n.issuer,
      n.date,
      `来源:${n.source}`,
    ]
    const expected = noticeLines()
      .filter((l) => l !== '(资料图)')
      .map((l) => l.replace('!举报方式见内-头条', ''))
    expect(rebuilt).toEqual(expected)
  })

  it.each([['(资料图)'], ['举报方式见内'], ['头条']])('drops %s', (junk) => {
    expect(JSON.stringify(NOTICE_SECTIONS)).not.toContain(junk)
  })

  it('has the three sections and marks the eight category headings as subheadings', () => {
    expect(NOTICE_SECTIONS.sections.map((s) => s.heading)).toEqual(['一、举报重点', '二、举报要求', '三、举报方式'])
    const subs = NOTICE_SECTIONS.sections[0].paragraphs.filter((p) => p.kind === 'subheading')
    expect(subs.map((p) => p.text.slice(0, 3))).toEqual(['(一)', '(二)', '(三)', '(四)', '(五)', '(六)', '(七)', '(八)'])
  })

  it.each([
    ['issuer', NOTICE_SECTIONS.issuer, '大同市公安局扫黑办'],
    ['date', NOTICE_SECTIONS.date, '2023年3月9日'],
    ['isoDate', NOTICE_SECTIONS.isoDate, '2023-03-09'],
    ['source', NOTICE_SECTIONS.source, '大同公安'],
  ])('%s is %s', (_k, actual, expected) => {
    expect(actual).toBe(expected)
  })
})
