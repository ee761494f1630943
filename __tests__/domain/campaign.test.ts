import {
  bundledConfig,
  CampaignConfigError,
  campaignPeriod,
  campaignState,
  chinaDate,
  currentKey,
  formatChineseDate,
  isIsoDate,
  validateCampaignConfig,
} from '@/domain/campaign'
import type { BureauKey, CampaignConfig, CampaignInfo } from '@/domain/types'

const CAMPAIGN: CampaignInfo = {
  issuer: '大同市公安局扫黑办',
  title: '关于公开征集涉互联网黑恶犯罪线索的通告',
  issuedOn: '2023-03-09',
  endsOn: '2023-12-31',
  acceptAfterEnd: true,
  source: '大同公安',
}

/** A well-formed key for tests: 32 bytes of 7, base64. */
const FIXTURE_KEY: BureauKey = {
  kid: '0123456789abcdef',
  publicKey: Buffer.alloc(32, 7).toString('base64'),
  current: true,
  development: true,
}

/** The bundled config; until the development key is committed to it, with the fixture key. */
function bundledWithKey(): CampaignConfig {
  const c = JSON.parse(JSON.stringify(bundledConfig)) as CampaignConfig
  return c.keys.length > 0 ? c : { ...c, keys: [{ ...FIXTURE_KEY }] }
}

describe('campaignPeriod / formatChineseDate', () => {
  it('formats the notice period', () => {
    expect(campaignPeriod(CAMPAIGN)).toBe('2023年3月9日 至 2023年12月31日')
    expect(campaignPeriod(bundledConfig.campaign)).toBe('2023年3月9日 至 2023年12月31日')
  })

  it.each([
    ['2023-03-09', '2023年3月9日'],
    ['2023-12-31', '2023年12月31日'],
    ['2024-01-01', '2024年1月1日'],
  ])('%s → %s', (iso, text) => {
    expect(formatChineseDate(iso)).toBe(text)
  })
})

describe('chinaDate', () => {
  it.each([
    ['2023-12-31T15:59:59Z', '2023-12-31'],
    ['2023-12-31T16:00:00Z', '2024-01-01'],
    ['2023-03-08T16:00:00Z', '2023-03-09'],
    ['2023-03-09T00:00:00+08:00', '2023-03-09'],
  ])('%s is %s in China', (iso, day) => {
    expect(chinaDate(new Date(iso))).toBe(day)
  })
})

describe('campaignState (dates in China Standard Time)', () => {
  const ended = (acceptAfterEnd: boolean) => ({ ...CAMPAIGN, acceptAfterEnd })

  it.each<[string, string, boolean, ReturnType<typeof campaignState>]>([
    ['the day before', '2023-03-08T23:59:00+08:00', true, { phase: 'before', daysUntilStart: 1, acceptingReports: false }],
    ['a week before', '2023-03-02T10:00:00+08:00', true, { phase: 'before', daysUntilStart: 7, acceptingReports: false }],
    ['the first day', '2023-03-09T00:00:00+08:00', true, { phase: 'running', daysLeft: 298, acceptingReports: true }],
    ['during', '2023-06-01T12:00:00+08:00', true, { phase: 'running', daysLeft: 214, acceptingReports: true }],
    ['the day before the last', '2023-12-30T08:00:00+08:00', true, { phase: 'running', daysLeft: 2, acceptingReports: true }],
    ['the last day, morning', '2023-12-31T00:00:00+08:00', true, { phase: 'running', daysLeft: 1, acceptingReports: true }],
    ['the last day, last minute', '2023-12-31T23:59:59+08:00', false, { phase: 'running', daysLeft: 1, acceptingReports: true }],
    ['the day after, flag on', '2024-01-01T00:00:00+08:00', true, { phase: 'ended', acceptingReports: true }],
    ['the day after, flag off', '2024-01-01T00:00:00+08:00', false, { phase: 'ended', acceptingReports: false }],
    ['years after, flag on', '2026-05-01T12:00:00+08:00', true, { phase: 'ended', acceptingReports: true }],
    ['years after, flag off', '2026-05-01T12:00:00+08:00', false, { phase: 'ended', acceptingReports: false }],
  ])('%s (%s, acceptAfterEnd=%s)', (_label, now, flag, expected) => {
    expect(campaignState(ended(flag), new Date(now))).toEqual(expected)
  })
})

describe('isIsoDate', () => {
  it.each<[unknown, boolean]>([
    ['2023-03-09', true],
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2023-02-30', false],
    ['2023-13-01', false],
    ['2023-3-9', false],
    ['2023/03/09', false],
    ['2023-03-09T00:00', false],
    ['', false],
    [20230309, false],
    [null, false],
  ])('%j → %s', (x, ok) => {
    expect(isIsoDate(x)).toBe(ok)
  })
})

describe('validateCampaignConfig', () => {
  it('accepts the bundled config (with the fixture key until the development key lands)', () => {
    const config = bundledWithKey()
    expect(validateCampaignConfig(config)).toEqual(config)
  })

  it('the bundled config lists all eight categories and the three offices', () => {
    expect(bundledConfig.categories).toEqual(['nude', 'loan', 'claim', 'smear', 'troll', 'collect', 'mlm', 'other'])
    expect(bundledConfig.branches.map((b) => b.code)).toEqual(['yd', 'zs', 'sj'])
  })

  it('the bundled keys, once present, are well-formed with exactly one current', () => {
    if (bundledConfig.keys.length === 0) return
    expect(() => validateCampaignConfig(bundledConfig)).not.toThrow()
    expect(currentKey(bundledConfig)).toBeDefined()
  })

  type Mutate = (c: any) => void // eslint-disable-line @typescript-eslint/no-explicit-any
  const cases: [string, Mutate, RegExp][] = [
    ['unknown category code', (c) => c.categories.push('fraud'), /categories\[8\]: unknown category code "fraud"/],
    ['duplicate category', (c) => c.categories.push('loan'), /duplicate category code "loan"/],
    ['empty categories', (c) => (c.categories = []), /categories: must be a non-empty array/],
    ['duplicate branch code', (c) => (c.branches[1].code = 'yd'), /branches\[1\]\.code: duplicate branch code "yd"/],
    ['bad branch code', (c) => (c.branches[0].code = 'Yu Dong'), /branches\[0\]\.code: must be 1-12 lowercase/],
    ['over-long branch code', (c) => (c.branches[0].code = 'abcdefghijklm'), /branches\[0\]\.code/],
    ['branch without name', (c) => delete c.branches[0].name, /branches\[0\]\.name/],
    ['bad postcode', (c) => (c.branches[0].postcode = '03700'), /branches\[0\]\.postcode: must be 6 digits/],
    ['bad phone', (c) => (c.branches[0].phone = '电话待定'), /branches\[0\]\.phone/],
    ['empty phone string', (c) => (c.branches[2].phone = ''), /branches\[2\]\.phone: must be a non-empty string/],
    ['no branches', (c) => (c.branches = []), /branches: must be a non-empty array/],
    ['impossible date', (c) => (c.campaign.endsOn = '2023-02-30'), /campaign\.endsOn: must be a real date/],
    ['badly written date', (c) => (c.campaign.issuedOn = '2023/3/9'), /campaign\.issuedOn: must be a real date/],
    ['end before start', (c) => (c.campaign.endsOn = '2023-01-01'), /campaign\.endsOn \(2023-01-01\) is before campaign\.issuedOn/],
    ['flag not boolean', (c) => (c.campaign.acceptAfterEnd = 'yes'), /campaign\.acceptAfterEnd/],
    ['no issuer', (c) => (c.campaign.issuer = ' '), /campaign\.issuer/],
    ['no campaign', (c) => delete c.campaign, /campaign: must be an object/],
    ['bad version', (c) => (c.version = '1'), /version: must be a positive integer/],
    ['no current key', (c) => (c.keys[0].current = false), /keys: no key is marked current/],
    ['no keys at all', (c) => (c.keys = []), /keys: no key is marked current/],
    ['two current keys', (c) => c.keys.push({ ...FIXTURE_KEY, kid: 'fedcba9876543210' }), /keys: 2 keys are marked current/],
    ['uppercase kid', (c) => (c.keys[0].kid = '0123456789ABCDEF'), /keys\[0\]\.kid: must be 16 lowercase hex/],
    ['short kid', (c) => (c.keys[0].kid = '0123456789abcde'), /keys\[0\]\.kid/],
    ['long kid', (c) => (c.keys[0].kid = '0123456789abcdef0'), /keys\[0\]\.kid/],
    ['duplicate kid', (c) => c.keys.push({ ...FIXTURE_KEY, current: false }), /keys\[1\]\.kid: duplicate kid/],
    ['31-byte key', (c) => (c.keys[0].publicKey = Buffer.alloc(31, 1).toString('base64')), /keys\[0\]\.publicKey: must be the base64 of exactly 32 bytes/],
    ['33-byte key', (c) => (c.keys[0].publicKey = Buffer.alloc(33, 1).toString('base64')), /keys\[0\]\.publicKey/],
    ['hex key', (c) => (c.keys[0].publicKey = 'ab'.repeat(32)), /keys\[0\]\.publicKey/],
    ['unpadded key', (c) => (c.keys[0].publicKey = Buffer.alloc(32, 7).toString('base64').replace('=', '')), /keys\[0\]\.publicKey/],
    ['non-canonical key', (c) => (c.keys[0].publicKey = Buffer.alloc(32, 7).toString('base64').replace(/.=$/, 'd=')), /keys\[0\]\.publicKey/],
    ['url-safe key', (c) => (c.keys[0].publicKey = Buffer.alloc(32, 0xfb).toString('base64url') + '='), /keys\[0\]\.publicKey/],
    ['current not boolean', (c) => (c.keys[0].current = 1), /keys\[0\]\.current/],
    ['development not boolean', (c) => (c.keys[0].development = 'no'), /keys\[0\]\.development/],
  ]

  it.each(cases)('rejects %s', (_label, mutate, message) => {
    const config = bundledWithKey()
    config.keys = [{ ...FIXTURE_KEY }]
    mutate(config)
    let error: unknown
    try {
      validateCampaignConfig(config)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(CampaignConfigError)
    expect((error as CampaignConfigError).message).toMatch(message)
  })

  it.each([null, undefined, 42, 'config', [], [bundledConfig]])('rejects a non-object (%j)', (x) => {
    expect(() => validateCampaignConfig(x)).toThrow(/config: must be a JSON object/)
  })

  it('lists every problem at once', () => {
    const config = bundledWithKey() as any // eslint-disable-line @typescript-eslint/no-explicit-any
    config.categories.push('fraud')
    config.branches[1].code = 'yd'
    config.keys[0].kid = 'XYZ'
    config.campaign.endsOn = 'soon'
    try {
      validateCampaignConfig(config)
      throw new Error('expected a CampaignConfigError')
    } catch (e) {
      expect(e).toBeInstanceOf(CampaignConfigError)
      expect((e as CampaignConfigError).problems).toHaveLength(4)
      expect((e as Error).message).toMatch(/^Invalid campaign config \(4 problems\):\n- /)
    }
  })

  it('accepts a config with an old key next to the current one, and extra fields', () => {
    const config = {
      ...bundledWithKey(),
      keys: [{ ...FIXTURE_KEY, current: false }, { kid: 'fedcba9876543210', publicKey: Buffer.alloc(32, 0xfb).toString('base64'), current: true }],
      note: 'extra fields are kept',
    }
    expect(validateCampaignConfig(config)).toBe(config)
    expect(currentKey(config)?.kid).toBe('fedcba9876543210')
  })
})
