/**
 * The campaign configuration (campaign/campaign.json): its period and state, and the validator
 * that both the client (for a config refreshed from the server) and the server (at boot) run.
 *
 * Campaign dates are calendar days in China Standard Time (UTC+8, no daylight saving), whatever
 * the time zone of the device or server that evaluates them.
 */
import dayjs from 'dayjs'
import rawConfig from '../../campaign/campaign.json'
import { CAMPAIGN_ID_PATTERN } from './campaign-id'
import { isCategoryCode } from './categories'
import type { BranchOffice, BureauKey, CampaignConfig, CampaignInfo } from './types'

/** The configuration shipped in the bundle. Checked by the tests, not at import time. */
export const bundledConfig: CampaignConfig = rawConfig as CampaignConfig

const CST_OFFSET_MS = 8 * 60 * 60 * 1000
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** True for a real calendar date written as YYYY-MM-DD (rejects 2023-02-30). */
export function isIsoDate(s: unknown): s is string {
  if (typeof s !== 'string' || !ISO_DATE.test(s)) return false
  const d = dayjs(s)
  return d.isValid() && d.format('YYYY-MM-DD') === s
}

/** "2023-03-09" → "2023年3月9日". */
export function formatChineseDate(iso: string): string {
  return dayjs(iso).format('YYYY年M月D日')
}

/** "2023年3月9日 至 2023年12月31日". */
export function campaignPeriod(campaign: CampaignInfo): string {
  return `${formatChineseDate(campaign.issuedOn)} 至 ${formatChineseDate(campaign.endsOn)}`
}

/** The calendar day of `now` in China Standard Time, as YYYY-MM-DD. */
export function chinaDate(now: Date): string {
  const d = new Date(now.getTime() + CST_OFFSET_MS)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

export type CampaignPhase = 'before' | 'running' | 'ended'

export interface CampaignState {
  phase: CampaignPhase
  /** While running: days left including today (1 on the last day). */
  daysLeft?: number
  /** Before: days until the first day. */
  daysUntilStart?: number
  /** Not before the campaign starts; during it; after it only if `acceptAfterEnd`. */
  acceptingReports: boolean
}

export function campaignState(campaign: CampaignInfo, now: Date): CampaignState {
  const today = dayjs(chinaDate(now))
  const start = dayjs(campaign.issuedOn)
  const end = dayjs(campaign.endsOn)
  if (today.isBefore(start, 'day')) {
    return { phase: 'before', daysUntilStart: start.diff(today, 'day'), acceptingReports: false }
  }
  if (today.isAfter(end, 'day')) {
    return { phase: 'ended', acceptingReports: campaign.acceptAfterEnd }
  }
  return { phase: 'running', daysLeft: end.diff(today, 'day') + 1, acceptingReports: true }
}

// ---------------------------------------------------------------------------------------------
// Validation

/** Thrown by `validateCampaignConfig`; `problems` lists every issue found, one per entry. */
export class CampaignConfigError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`Invalid campaign config (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n- ${problems.join('\n- ')}`)
    this.name = 'CampaignConfigError'
    this.problems = problems
  }
}

/** Branch codes: lowercase letters and digits, ≤ 12 chars, so that a scene "b=…&c=collect" stays ≤ 32 even URL-encoded. */
export const BRANCH_CODE = /^[a-z0-9]{1,12}$/
/** Key ids: 16 lowercase hex digits. */
export const KID = /^[0-9a-f]{16}$/
/** Canonical base64 of exactly 32 bytes: 43 chars (the last carrying 2 zero bits) and one "=". */
export const PUBLIC_KEY_B64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/
const POSTCODE = /^\d{6}$/
const PHONE_TEXT = /^[0-9+][0-9-]{2,19}$/

type Json = Record<string, unknown>

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function nonEmptyString(x: unknown): x is string {
  return typeof x === 'string' && x.trim().length > 0
}

function checkCampaign(c: unknown, problems: string[]): void {
  if (!isObject(c)) {
    problems.push('campaign: must be an object')
    return
  }
  if (c.id !== undefined && (typeof c.id !== 'string' || !CAMPAIGN_ID_PATTERN.test(c.id))) {
    problems.push(`campaign.id: must be 1-40 lowercase letters, digits or "-" (starting with a letter or digit), got ${JSON.stringify(c.id)}`)
  }
  for (const k of ['issuer', 'title', 'source'] as const) {
    if (!nonEmptyString(c[k])) problems.push(`campaign.${k}: must be a non-empty string`)
  }
  const datesOk = (['issuedOn', 'endsOn'] as const).map((k) => {
    if (isIsoDate(c[k])) return true
    problems.push(`campaign.${k}: must be a real date written YYYY-MM-DD, got ${JSON.stringify(c[k])}`)
    return false
  })
  if (datesOk[0] && datesOk[1] && (c.endsOn as string) < (c.issuedOn as string)) {
    problems.push(`campaign.endsOn (${String(c.endsOn)}) is before campaign.issuedOn (${String(c.issuedOn)})`)
  }
  if (typeof c.acceptAfterEnd !== 'boolean') problems.push('campaign.acceptAfterEnd: must be true or false')
}

function checkCategories(cats: unknown, problems: string[]): void {
  if (!Array.isArray(cats) || cats.length === 0) {
    problems.push('categories: must be a non-empty array of category codes')
    return
  }
  const seen = new Set<unknown>()
  cats.forEach((code, i) => {
    if (!isCategoryCode(code)) problems.push(`categories[${i}]: unknown category code ${JSON.stringify(code)}`)
    else if (seen.has(code)) problems.push(`categories[${i}]: duplicate category code "${code}"`)
    seen.add(code)
  })
}

function checkBranches(branches: unknown, problems: string[]): void {
  if (!Array.isArray(branches) || branches.length === 0) {
    problems.push('branches: must be a non-empty array')
    return
  }
  const seen = new Set<string>()
  branches.forEach((b: unknown, i) => {
    const at = `branches[${i}]`
    if (!isObject(b)) {
      problems.push(`${at}: must be an object`)
      return
    }
    if (typeof b.code !== 'string' || !BRANCH_CODE.test(b.code)) {
      problems.push(`${at}.code: must be 1-12 lowercase letters or digits, got ${JSON.stringify(b.code)}`)
    } else if (seen.has(b.code)) {
      problems.push(`${at}.code: duplicate branch code "${b.code}"`)
    } else {
      seen.add(b.code)
    }
    if (!nonEmptyString(b.name)) problems.push(`${at}.name: must be a non-empty string`)
    const optional: (keyof BranchOffice)[] = ['listNumber', 'address', 'postcode', 'phone']
    for (const k of optional) {
      if (b[k] !== undefined && !nonEmptyString(b[k])) problems.push(`${at}.${k}: must be a non-empty string when present`)
    }
    if (typeof b.postcode === 'string' && !POSTCODE.test(b.postcode)) problems.push(`${at}.postcode: must be 6 digits`)
    if (typeof b.phone === 'string' && !PHONE_TEXT.test(b.phone)) {
      problems.push(`${at}.phone: must be digits with optional "-" (e.g. 0352-7788110)`)
    }
  })
}

function checkKeys(keys: unknown, problems: string[]): void {
  if (!Array.isArray(keys)) {
    problems.push('keys: must be an array')
    return
  }
  const kids = new Set<string>()
  let current = 0
  keys.forEach((k: unknown, i) => {
    const at = `keys[${i}]`
    if (!isObject(k)) {
      problems.push(`${at}: must be an object`)
      return
    }
    if (typeof k.kid !== 'string' || !KID.test(k.kid)) {
      problems.push(`${at}.kid: must be 16 lowercase hex digits, got ${JSON.stringify(k.kid)}`)
    } else if (kids.has(k.kid)) {
      problems.push(`${at}.kid: duplicate kid "${k.kid}"`)
    } else {
      kids.add(k.kid)
    }
    if (typeof k.publicKey !== 'string' || !PUBLIC_KEY_B64.test(k.publicKey)) {
      problems.push(`${at}.publicKey: must be the base64 of exactly 32 bytes (44 chars ending in "=")`)
    }
    if (typeof k.current !== 'boolean') problems.push(`${at}.current: must be true or false`)
    else if (k.current) current += 1
    if (k.development !== undefined && typeof k.development !== 'boolean') {
      problems.push(`${at}.development: must be true or false when present`)
    }
  })
  if (current === 0) problems.push('keys: no key is marked current (exactly one must be)')
  if (current > 1) problems.push(`keys: ${current} keys are marked current (exactly one must be)`)
}

function checkSigningKey(k: unknown, problems: string[]): void {
  if (k === undefined) return
  if (!isObject(k)) {
    problems.push('signingKey: must be an object when present')
    return
  }
  if (typeof k.kid !== 'string' || !KID.test(k.kid)) problems.push(`signingKey.kid: must be 16 lowercase hex digits, got ${JSON.stringify(k.kid)}`)
  if (typeof k.publicKey !== 'string' || !PUBLIC_KEY_B64.test(k.publicKey)) {
    problems.push('signingKey.publicKey: must be the base64 of exactly 32 bytes (44 chars ending in "=")')
  }
  if (k.development !== undefined && typeof k.development !== 'boolean') problems.push('signingKey.development: must be true or false when present')
}

/**
 * Checks an untrusted campaign config and returns it typed, or throws a `CampaignConfigError`
 * listing every problem. Fields the model does not know are left as they are.
 */
export function validateCampaignConfig(json: unknown): CampaignConfig {
  const problems: string[] = []
  if (!isObject(json)) throw new CampaignConfigError(['config: must be a JSON object'])
  if (typeof json.version !== 'number' || !Number.isInteger(json.version) || json.version < 1) {
    problems.push('version: must be a positive integer')
  }
  checkCampaign(json.campaign, problems)
  checkCategories(json.categories, problems)
  checkBranches(json.branches, problems)
  checkSigningKey(json.signingKey, problems)
  checkKeys(json.keys, problems)
  if (problems.length > 0) throw new CampaignConfigError(problems)
  return json as unknown as CampaignConfig
}

/** The current key of a validated config. */
export function currentKey(config: CampaignConfig): BureauKey | undefined {
  return config.keys.find((k) => k.current)
}
