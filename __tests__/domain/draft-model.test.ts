import { bundledConfig } from '@/domain/campaign'
import {
  draftCompleteness,
  emptyDraft,
  isStale,
  LIMITS,
  STALE_AFTER_DAYS,
  STEP_TITLES,
  STEPS,
  validateCategoryField,
  validateStep,
  type StepId,
} from '@/domain/draft-model'
import type { CampaignConfig, CategoryField, DraftAttachment, DraftReport } from '@/domain/types'

const config: CampaignConfig = bundledConfig
const NOW = new Date(2024, 5, 1, 12, 0) // 2024-06-01 12:00 local
const MB = 1024 * 1024
const DESCRIPTION = '对方通过某借款App放款,合同写一万元实际到账六千元,逾期后每天打几十个电话骚扰我和家人。'

function draft(patch: Partial<DraftReport> = {}): DraftReport {
  return { ...emptyDraft('d1', NOW), ...patch }
}

function file(i: number, size: number): DraftAttachment {
  return { id: `a${i}`, label: '截图', name: `截图${i}.jpg`, mime: 'image/jpeg', size, ref: `ref${i}` }
}

/** A draft that passes every step. */
function complete(): DraftReport {
  return draft({
    category: 'loan',
    branch: 'yd',
    happenedAt: '2024-05-20T14:30',
    description: DESCRIPTION,
    links: ['https://loan.example.cn/app'],
    extra: { app: '某某贷', contractAmount: '10000', receivedAmount: '6000', repaidAmount: '不清楚', collectorPhones: '13800138000, 0352-7788110' },
    attachments: [file(1, 2 * MB)],
    declaration: { truthful: true, liability: true },
  })
}

describe('emptyDraft', () => {
  it('starts empty, anonymous and undeclared, stamped with now', () => {
    expect(emptyDraft('abc', NOW)).toEqual({
      id: 'abc',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      happenedAt: '',
      description: '',
      links: [],
      party: { accounts: '', phones: '', websites: '' },
      extra: {},
      attachments: [],
      reporter: { anonymous: true, name: '', mobile: '', idNumber: '' },
      declaration: { truthful: false, liability: false },
    })
  })

  it('each call returns fresh objects', () => {
    const a = emptyDraft('a', NOW)
    const b = emptyDraft('b', NOW)
    a.links.push('x')
    a.extra.k = 'v'
    expect(b.links).toEqual([])
    expect(b.extra).toEqual({})
  })
})

describe('STEPS', () => {
  it('are the six steps in order, each with a Chinese title', () => {
    expect(STEPS).toEqual(['category', 'details', 'evidence', 'branch', 'reporter', 'declaration'])
    for (const s of STEPS) expect(STEP_TITLES[s]).toMatch(/[\u4e00-\u9fff]/)
  })
})

describe('draftCompleteness', () => {
  it.each<[string, DraftReport, number, StepId[]]>([
    ['a new draft', draft(), 2, ['category', 'details', 'branch', 'declaration']],
    ['a complete draft', complete(), 6, []],
    ['complete but not declared', { ...complete(), declaration: { truthful: true, liability: false } }, 5, ['declaration']],
    ['complete but no branch', { ...complete(), branch: undefined }, 5, ['branch']],
    ['complete but a bad link', { ...complete(), links: ['javascript:alert(1)'] }, 5, ['details']],
    ['complete but too many files', { ...complete(), attachments: Array.from({ length: 21 }, (_, i) => file(i, 1)) }, 5, ['evidence']],
    ['complete, real name without mobile', { ...complete(), reporter: { anonymous: false, name: '张三', mobile: '', idNumber: '' } }, 5, ['reporter']],
  ])('%s', (_label, d, done, missing) => {
    expect(draftCompleteness(d, config, NOW)).toEqual({ done, total: 6, missing })
  })
})

describe('validateStep: category', () => {
  it.each<[string, DraftReport, CampaignConfig, Record<string, string>]>([
    ['none', draft(), config, { category: '请选择举报类别' }],
    ['known', draft({ category: 'nude' }), config, {}],
    ['unknown code', draft({ category: 'fraud' as never }), config, { category: '请选择举报类别' }],
    ['not offered by the config', draft({ category: 'nude' }), { ...config, categories: ['loan'] }, { category: '请选择举报类别' }],
  ])('%s', (_label, d, cfg, errors) => {
    expect(validateStep('category', d, cfg, NOW)).toEqual(errors)
  })
})

describe('validateStep: details', () => {
  const base = () => draft({ category: 'other', happenedAt: '2024-05-20T14:30', description: DESCRIPTION })

  it('accepts a minimal valid draft (no links, blank optional fields)', () => {
    expect(validateStep('details', base(), config, NOW)).toEqual({})
  })

  it.each<[string, Partial<DraftReport>, Record<string, RegExp>]>([
    ['no time', { happenedAt: '' }, { happenedAt: /请选择事情发生的时间/ }],
    ['future time', { happenedAt: '2024-06-02T08:00' }, { happenedAt: /不能晚于现在/ }],
    ['before 2000', { happenedAt: '1999-05-01' }, { happenedAt: /不能早于2000年/ }],
    ['short description', { description: '被骗了' }, { description: /至少20个字/ }],
    ['bad links, blank rows ignored', { links: ['https://ok.cn', '', 'abc', '  ', 'ftp://x'] }, { 'links.2': /完整的网址/, 'links.4': /只支持/ }],
    ['too many links', { links: Array.from({ length: 21 }, (_, i) => `https://a${i}.cn`) }, { links: /最多填写20条/ }],
    ['bad party phone', { party: { accounts: '', phones: '123', websites: '' } }, { 'party.phones': /“123”/ }],
    ['bad party website link', { party: { accounts: '', phones: '', websites: 'https://ok.cn\n甜心交友 https://bad_host.cn' } }, { 'party.websites': /bad_host/ }],
    ['App names where the label asks for them', { party: { accounts: '', phones: '', websites: '甜心交友\n“甜心”交友App' } }, {}],
    ['a phone with +86 and spaces', { party: { accounts: '', phones: '+86 138 0013 8000', websites: '' } }, {}],
    ['party 不清楚 is fine', { party: { accounts: '不清楚', phones: '不清楚', websites: '不清楚' } }, {}],
  ])('%s', (_label, patch, expected) => {
    const errors = validateStep('details', { ...base(), ...patch }, config, NOW)
    expect(Object.keys(errors).sort()).toEqual(Object.keys(expected).sort())
    for (const [k, re] of Object.entries(expected)) expect(errors[k]).toMatch(re)
  })

  it.each<[string, DraftReport['category'], Record<string, string>, Record<string, RegExp>]>([
    ['loan: required app missing', 'loan', {}, { 'extra.app': /请填写借款App或平台名称，不清楚请填写“不清楚”/ }],
    ['loan: 不清楚 answers a required field', 'loan', { app: '不清楚' }, {}],
    ['loan: bad amounts and phones', 'loan', { app: 'X贷', contractAmount: '一万', receivedAmount: '-1', collectorPhones: '110 abc' }, {
      'extra.contractAmount': /请填写数字金额/,
      'extra.receivedAmount': /负数/,
      'extra.collectorPhones': /“110”/,
    }],
    ['loan: good answers', 'loan', { app: 'X贷', contractAmount: '10,000', receivedAmount: '6000.00', repaidAmount: '不清楚', collectorPhones: '13800138000' }, {}],
    ['smear: bad post link', 'smear', { account: '某号', postLinks: 'https://a.cn/1\nhttp://' }, { 'extra.postLinks': /缺少域名/ }],
    ['troll: required links', 'troll', {}, { 'extra.siteLinks': /请填写网站或账号链接/ }],
    ['collect: required phones', 'collect', { phones: '' }, { 'extra.phones': /请填写骚扰电话或短信号码/ }],
    ['mlm: required place', 'mlm', { place: '  ' }, { 'extra.place': /请填写传销窝点地点/ }],
    ['other: free text too long', 'other', { freeText: 'a'.repeat(5001) }, { 'extra.freeText': /不能超过5000个字/ }],
    ['no category: no category fields checked', undefined, { app: '' }, {}],
  ])('%s', (_label, category, extra, expected) => {
    const errors = validateStep('details', { ...base(), category, extra }, config, NOW)
    expect(Object.keys(errors).sort()).toEqual(Object.keys(expected).sort())
    for (const [k, re] of Object.entries(expected)) expect(errors[k]).toMatch(re)
  })
})

describe('validateCategoryField', () => {
  const f = (kind: CategoryField['kind'], required = false): CategoryField => ({ key: 'k', label: '字段', kind, required })
  it.each<[CategoryField, string | undefined, string | null | RegExp]>([
    [f('text'), undefined, null],
    [f('text'), '', null],
    [f('text', true), '', /请填写字段/],
    [f('text', true), '不清楚', null],
    [f('text'), 'a'.repeat(501), /不能超过500个字/],
    [f('multiline'), 'a'.repeat(5000), null],
    [f('amount'), '12.345', /两位小数/],
    [f('amount'), '不清楚', null],
    [f('phones'), '0352-7788110', null],
    [f('links'), 'www.abc.cn\n\nhttps://例子.中国', null],
    [f('links'), Array.from({ length: 21 }, (_, i) => `a${i}.cn`).join('\n'), /最多填写20条/],
    [f('links'), 'abc', /“abc”：请填写完整的网址/],
  ])('%j = %j', (field, value, expected) => {
    const result = validateCategoryField(field, value)
    if (expected === null) expect(result).toBeNull()
    else expect(result).toMatch(expected)
  })
})

describe('validateStep: evidence', () => {
  it('exports the limits', () => {
    expect(LIMITS).toMatchObject({ maxFiles: 20, maxFileBytes: 20 * MB, maxTotalBytes: 100 * MB })
  })

  it.each<[string, DraftAttachment[], Record<string, RegExp>]>([
    ['none (evidence is optional)', [], {}],
    ['20 files of 5 MB (exactly 100 MB)', Array.from({ length: 20 }, (_, i) => file(i, 5 * MB)), {}],
    ['one file of exactly 20 MB', [file(0, 20 * MB)], {}],
    ['21 files', Array.from({ length: 21 }, (_, i) => file(i, 1000)), { attachments: /最多上传20个文件，现在有21个，请删除1个/ }],
    ['a file over 20 MB', [file(0, 1000), file(1, 20 * MB + 1)], { 'attachments.1': /“截图1.jpg”有20MB，单个文件不能超过20MB/ }],
    ['a 25 MB file', [file(0, 25 * MB)], { 'attachments.0': /有25MB/ }],
    ['an empty file', [file(0, 0)], { 'attachments.0': /空文件/ }],
    ['over 100 MB in total', Array.from({ length: 6 }, (_, i) => file(i, 18 * MB)), { attachments: /文件合计108MB，总大小不能超过100MB/ }],
  ])('%s', (_label, attachments, expected) => {
    const errors = validateStep('evidence', draft({ attachments }), config, NOW)
    expect(Object.keys(errors).sort()).toEqual(Object.keys(expected).sort())
    for (const [k, re] of Object.entries(expected)) expect(errors[k]).toMatch(re)
  })
})

describe('validateStep: branch', () => {
  it.each<[string | undefined, Record<string, string>]>([
    ['yd', {}],
    ['zs', {}],
    ['sj', {}],
    [undefined, { branch: '请选择受理单位' }],
    ['', { branch: '请选择受理单位' }],
    ['xx', { branch: '请选择受理单位' }],
  ])('%j', (branch, errors) => {
    expect(validateStep('branch', draft({ branch }), config, NOW)).toEqual(errors)
  })
})

describe('validateStep: reporter', () => {
  const r = (p: Partial<DraftReport['reporter']>): DraftReport => draft({ reporter: { anonymous: false, name: '', mobile: '', idNumber: '', ...p } })

  it.each<[string, DraftReport, Record<string, RegExp>]>([
    ['anonymous', draft(), {}],
    ['anonymous ignores leftover input', draft({ reporter: { anonymous: true, name: '', mobile: '123', idNumber: 'x' } }), {}],
    ['real name, complete', r({ name: '张三', mobile: '13800138000' }), {}],
    ['real name with a valid ID', r({ name: '阿依古丽·买买提', mobile: '+86 138 0013 8000', idNumber: '650102197001017770' }), {}],
    ['real name, nothing filled', r({}), { 'reporter.name': /请填写姓名/, 'reporter.mobile': /请填写手机号码/ }],
    ['real name, blank name', r({ name: '   ', mobile: '13800138000' }), { 'reporter.name': /请填写姓名/ }],
    ['real name, name too long', r({ name: '张'.repeat(31), mobile: '13800138000' }), { 'reporter.name': /不能超过30个字/ }],
    ['real name, bad mobile', r({ name: '张三', mobile: '0352-7788110' }), { 'reporter.mobile': /11位/ }],
    ['real name, bad ID check digit', r({ name: '张三', mobile: '13800138000', idNumber: '140202198506123019' }), { 'reporter.idNumber': /校验位/ }],
    ['real name, ID born after now', r({ name: '张三', mobile: '13800138000', idNumber: '140202202406021232' }), { 'reporter.idNumber': /出生日期/ }],
  ])('%s', (_label, d, expected) => {
    const errors = validateStep('reporter', d, config, NOW)
    expect(Object.keys(errors).sort()).toEqual(Object.keys(expected).sort())
    for (const [k, re] of Object.entries(expected)) expect(errors[k]).toMatch(re)
  })
})

describe('validateStep: declaration', () => {
  it.each<[boolean, boolean, string[]]>([
    [true, true, []],
    [true, false, ['declaration.liability']],
    [false, true, ['declaration.truthful']],
    [false, false, ['declaration.liability', 'declaration.truthful']],
  ])('truthful=%s liability=%s', (truthful, liability, keys) => {
    expect(Object.keys(validateStep('declaration', draft({ declaration: { truthful, liability } }), config, NOW)).sort()).toEqual(keys)
  })
})

describe('isStale', () => {
  const at = (iso: string) => draft({ updatedAt: iso })
  const day = 24 * 60 * 60 * 1000

  it('STALE_AFTER_DAYS is 30', () => expect(STALE_AFTER_DAYS).toBe(30))

  it.each<[string, DraftReport, boolean]>([
    ['just touched', at(NOW.toISOString()), false],
    ['29 days ago', at(new Date(NOW.getTime() - 29 * day).toISOString()), false],
    ['a minute short of 30 days', at(new Date(NOW.getTime() - 30 * day + 60_000).toISOString()), false],
    ['exactly 30 days ago', at(new Date(NOW.getTime() - 30 * day).toISOString()), true],
    ['a year ago', at(new Date(NOW.getTime() - 365 * day).toISOString()), true],
    ['created long ago but touched today', draft({ createdAt: '2020-01-01T00:00:00.000Z', updatedAt: NOW.toISOString() }), false],
    ['no updatedAt, old createdAt', draft({ createdAt: '2020-01-01T00:00:00.000Z', updatedAt: '' }), true],
    ['unreadable dates', draft({ createdAt: 'garbage', updatedAt: 'garbage' }), true],
    ['missing dates', draft({ createdAt: '', updatedAt: '' }), true],
  ])('%s → %s', (_label, d, stale) => {
    expect(isStale(d, NOW)).toBe(stale)
  })
})
