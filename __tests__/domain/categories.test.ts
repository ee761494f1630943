import { CATEGORIES, findCategory, isCategoryCode } from '@/domain/categories'
import type { CategoryCode } from '@/domain/types'
import { readNotice } from './seed'

const notice = readNotice()

const EXPECTED: [CategoryCode, string, string][] = [
  ['nude', '(一)', '网络“裸聊”敲诈犯罪'],
  ['loan', '(二)', '网络“套路贷”犯罪'],
  ['claim', '(三)', '恶意索赔犯罪'],
  ['smear', '(四)', '负面舆情敲诈犯罪'],
  ['troll', '(五)', '网络“水军”滋事犯罪'],
  ['collect', '(六)', '网络“软暴力”催收犯罪'],
  ['mlm', '(七)', '暴力传销犯罪'],
  ['other', '(八)', '利用信息网络实施的其他涉黑涉恶违法犯罪'],
]

describe('CATEGORIES', () => {
  it('lists the eight categories of the notice, in order', () => {
    expect(CATEGORIES.map((c) => [c.code, c.ordinal, c.name])).toEqual(EXPECTED)
  })

  it.each(EXPECTED)('%s: ordinal and name form a heading line of the notice', (code, ordinal, name) => {
    expect(notice.split('\n')).toContain(`${ordinal}${name}`)
    expect(findCategory(code)?.name).toBe(name)
  })

  it.each(CATEGORIES.map((c) => [c.code, c] as const))('%s has description, guidance and fields', (_code, c) => {
    expect(c.description.trim().length).toBeGreaterThan(10)
    expect(c.evidenceGuidance.trim().length).toBeGreaterThan(30)
    expect(c.fields.length).toBeGreaterThan(0)
    const keys = c.fields.map((f) => f.key)
    expect(new Set(keys).size).toBe(keys.length)
    for (const f of c.fields) {
      expect(f.key).toMatch(/^[a-z][A-Za-z]*$/)
      expect(f.label.trim()).not.toBe('')
      expect(['text', 'multiline', 'amount', 'phones', 'links', 'namesOrLinks']).toContain(f.kind)
    }
  })

  it.each(CATEGORIES.filter((c) => c.code !== 'other').map((c) => [c.code, c] as const))(
    '%s: description is the notice paragraph right after its heading, verbatim',
    (_code, c) => {
      expect(c.descriptionQuoted).toBe(true)
      const lines = notice.split('\n')
      const at = lines.indexOf(`${c.ordinal}${c.name}`)
      expect(lines[at + 1]).toBe(c.description)
    },
  )

  it('(八) has our own description, marked as not quoted, and not the reward paragraph', () => {
    const other = findCategory('other')!
    expect(other.descriptionQuoted).toBe(false)
    expect(notice).not.toContain(other.description)
    expect(other.description).not.toMatch(/奖励|自首/)
  })

  it.each<[CategoryCode, string[]]>([
    ['nude', ['platform', 'accounts', 'amountDemanded', 'amountPaid', 'payees']],
    ['loan', ['app', 'contractAmount', 'receivedAmount', 'repaidAmount', 'collectorPhones']],
    ['claim', ['shop', 'platform', 'claimantAccounts', 'amountClaimed']],
    ['smear', ['account', 'platform', 'postLinks', 'demand']],
    ['troll', ['siteLinks']],
    ['collect', ['phones', 'messages', 'frequency']],
    ['mlm', ['place', 'recruitLinks']],
    ['other', ['freeText']],
  ])('%s asks for %j', (code, keys) => {
    expect(findCategory(code)!.fields.map((f) => f.key)).toEqual(expect.arrayContaining(keys))
  })

  it.each<[CategoryCode, string, string]>([
    ['loan', 'contractAmount', 'amount'],
    ['loan', 'collectorPhones', 'phones'],
    ['collect', 'phones', 'phones'],
    ['smear', 'postLinks', 'links'],
    ['troll', 'siteLinks', 'links'],
    ['nude', 'amountDemanded', 'amount'],
    // The label asks for "the App or link" they were told to download: an App name is an answer.
    ['nude', 'appLinks', 'namesOrLinks'],
    ['other', 'freeText', 'multiline'],
  ])('%s.%s is of kind %s', (code, key, kind) => {
    expect(findCategory(code)!.fields.find((f) => f.key === key)?.kind).toBe(kind)
  })
})

describe('isCategoryCode / findCategory', () => {
  it.each<[unknown, boolean]>([
    ['nude', true],
    ['loan', true],
    ['other', true],
    ['Loan', false],
    ['', false],
    ['review', false],
    [undefined, false],
    [null, false],
    [3, false],
    [['loan'], false],
  ])('isCategoryCode(%j) = %s', (x, ok) => {
    expect(isCategoryCode(x)).toBe(ok)
  })

  it.each([undefined, null, '', 'x', 'constructor', '__proto__'])('findCategory(%j) is undefined', (code) => {
    expect(findCategory(code)).toBeUndefined()
  })
})
