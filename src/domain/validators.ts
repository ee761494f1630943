/**
 * Pure input validators. Each returns `null` when the input is acceptable, or a Chinese message
 * for the reporter. Inputs are trimmed; full-width digits and ASCII punctuation typed with a
 * Chinese IME (e.g. "138", ",") are treated as their half-width forms where numbers are expected.
 */

/** The answer for "I don't know"; every optional category field accepts it. */
export const UNKNOWN = '不清楚'

export function isUnknown(value: string | undefined | null): boolean {
  return typeof value === 'string' && value.trim() === UNKNOWN
}

/** Full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space to their half-width forms. */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ')
}

/** Length in Unicode code points (an emoji or a rare CJK ideograph counts once). */
export function countChars(s: string): number {
  return Array.from(s).length
}

// ---------------------------------------------------------------------------------------------
// Links

export const LINK_MAX_LENGTH = 2048

// Letters allowed in an internationalized domain label besides a-z, 0-9 and "-":
// Latin-1/Latin Extended, Cyrillic, kana, CJK ideographs and Hangul.
const IDN_LETTERS = '\\u00c0-\\u024f\\u0400-\\u04ff\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af'
const LABEL = new RegExp(`^[a-z0-9${IDN_LETTERS}](?:[a-z0-9${IDN_LETTERS}-]{0,61}[a-z0-9${IDN_LETTERS}])?$`, 'i')
const TLD = new RegExp(`^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59}|[${IDN_LETTERS}]{1,63})$`, 'i')
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/** Null when the (trimmed, space-free) link is acceptable, else the reason. */
function linkProblem(s: string): string | null {
  let rest = s
  const m = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(s)
  // "example.com:8080/x" is a host and port, not a scheme.
  if (m && !/^\d/.test(m[2])) {
    const name = m[1].toLowerCase()
    if (name !== 'http' && name !== 'https') return '只支持以 http:// 或 https:// 开头的网址'
    if (!m[2].startsWith('//')) return '网址格式不正确，应以 http:// 或 https:// 开头'
    rest = m[2].slice(2)
  }
  const authority = rest.split(/[/?#]/, 1)[0]
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1)
  if (!hostPort) return '网址缺少域名'
  const hp = /^(.*?)(?::(\d{0,5}))?$/.exec(hostPort)
  const host = hp?.[1] ?? ''
  const port = hp?.[2]
  if (port !== undefined && (port === '' || Number(port) < 1 || Number(port) > 65535)) return '网址中的端口号不正确'
  if (/[\u3002\uff0e]/.test(host)) return '域名中请使用英文句点“.”'
  const ip = IPV4.exec(host)
  if (ip) {
    return ip.slice(1).every((n) => Number(n) <= 255) ? null : '网址中的IP地址不正确'
  }
  const labels = host.split('.')
  if (labels.length < 2) return '请填写完整的网址，例如 https://www.example.com 或 www.example.cn'
  if (host.length > 253 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1])) {
    return '网址中的域名不正确，请核对'
  }
  return null
}

/** Accepts http(s) URLs and bare domains ("example.com/path", "www.abc.cn", "例子.中国"). */
export function validateLink(input: string): string | null {
  const s = (input ?? '').trim()
  if (!s) return '请填写网址或链接'
  if (s.length > LINK_MAX_LENGTH) return `链接过长（最多${LINK_MAX_LENGTH}个字符）`
  if (/\s/.test(s)) return '链接中不能有空格或换行，每个输入框只填一条链接'
  if (/[\u0000-\u001f\u007f]/.test(s)) return '链接中含有无效字符'
  return linkProblem(s)
}

export interface NormalizedLink {
  /** What the reporter typed, trimmed. */
  original: string
  /** Openable form: bare domains get "https://", the scheme is lower-cased. */
  href: string
}

/** Null when `validateLink` rejects the input. */
export function normalizeLink(input: string): NormalizedLink | null {
  if (validateLink(input) !== null) return null
  const original = input.trim()
  const m = /^(https?):\/\//i.exec(original)
  const href = m ? m[1].toLowerCase() + original.slice(m[1].length) : `https://${original}`
  return { original, href }
}

// ---------------------------------------------------------------------------------------------
// Phones

/** The 11-digit mainland mobile number, without +86/86/0086 prefix, spaces or dashes; or null. */
export function normalizeMobile(input: string): string | null {
  let s = toHalfWidth(input ?? '').replace(/[\s-]/g, '')
  if (s.startsWith('+86')) s = s.slice(3)
  else if (s.startsWith('0086')) s = s.slice(4)
  else if (s.length === 13 && s.startsWith('86')) s = s.slice(2)
  return /^1[3-9]\d{9}$/.test(s) ? s : null
}

export function validateMobile(input: string): string | null {
  const s = toHalfWidth(input ?? '').trim()
  if (!s) return '请填写手机号码'
  if (!/^[+\d\s-]+$/.test(s)) return '手机号码只能包含数字'
  return normalizeMobile(s) ? null : '请填写正确的11位手机号码'
}

const PHONE_PATTERNS: readonly RegExp[] = [
  /^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$/, // landline with area code: 0352-7788110, 010-12345678
  /^\(0\d{2,3}\)\d{7,8}$/, // (0352)7788110
  /^9[56]\d{3,6}$/, // 95xxx / 96xxx service numbers
  /^1[0-2]\d{3}$/, // 10086, 12345, 12315 …
  /^106\d{5,18}$/, // SMS gateway numbers 106…
  /^[48]00-?\d{3}-?\d{4}$/, // 400 / 800 numbers
]

/** Mainland mobile, landline, service or SMS number, or an international number (+country…). */
export function isPhoneNumber(token: string): boolean {
  const t = toHalfWidth(token).trim()
  if (normalizeMobile(t)) return true
  if (PHONE_PATTERNS.some((p) => p.test(t))) return true
  const intl = t.replace(/-/g, '')
  return /^(?:\+|00)[1-9]\d{6,14}$/.test(intl) && !/^(?:\+|00)86/.test(intl)
}

export const PHONE_LIST_MAX = 50

/** Split a phone list on commas, semicolons, "、", spaces and newlines. */
export function splitPhoneList(input: string): string[] {
  return toHalfWidth(input ?? '')
    .split(/[\s,;、]+/)
    .filter((t) => t.length > 0)
}

export function validatePhoneList(input: string): string | null {
  const s = (input ?? '').trim()
  if (!s) return '请填写电话号码，不清楚请填写“不清楚”'
  if (isUnknown(s)) return null
  const tokens = splitPhoneList(s)
  if (tokens.length > PHONE_LIST_MAX) return `号码过多，最多填写${PHONE_LIST_MAX}个`
  const bad = tokens.find((t) => !isPhoneNumber(t))
  return bad === undefined ? null : `“${bad}”不是有效的电话号码，多个号码请用逗号或换行分隔`
}

// ---------------------------------------------------------------------------------------------
// Resident identity card (GB 11643-1999)

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const
const ID_CHECK = '10X98765432'
const PROVINCE_CODES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
])

/** The check character for the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]
  return ID_CHECK[sum % 11]
}

function localDateKey(d: Date): number {
  return d.getFullYear() * 10000 + (d.getMonth() + 1) * 100 + d.getDate()
}

function isRealDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d))
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d
}

export function validateResidentId(input: string, now: Date = new Date()): string | null {
  const s = toHalfWidth(input ?? '').replace(/\s/g, '').toUpperCase()
  if (!s) return '请填写身份证号码'
  if (s.length !== 18) return '身份证号码应为18位'
  if (!/^\d{17}[\dX]$/.test(s)) return '身份证号码前17位应为数字，最后一位为数字或X'
  if (!PROVINCE_CODES.has(s.slice(0, 2))) return '身份证号码的地区码不正确'
  const y = Number(s.slice(6, 10))
  const m = Number(s.slice(10, 12))
  const d = Number(s.slice(12, 14))
  if (y < 1900 || !isRealDate(y, m, d) || y * 10000 + m * 100 + d > localDateKey(now)) {
    return '身份证号码中的出生日期不正确'
  }
  if (residentIdCheckChar(s) !== s[17]) return '身份证号码校验位不正确，请核对'
  return null
}

// ---------------------------------------------------------------------------------------------
// Text and numbers

export const DESCRIPTION_MIN = 20
export const DESCRIPTION_MAX = 5000

export function validateDescription(input: string): string | null {
  const n = countChars((input ?? '').trim())
  if (n < DESCRIPTION_MIN) return `请详细描述受害经过，至少${DESCRIPTION_MIN}个字（现在${n}个字）`
  if (n > DESCRIPTION_MAX) return `描述不能超过${DESCRIPTION_MAX}个字（现在${n}个字）`
  return null
}

/** Blank or "不清楚" is fine; otherwise at most `maxLength` characters. */
export function validateOptionalField(input: string | undefined, maxLength = 500): string | null {
  const s = (input ?? '').trim()
  if (!s || isUnknown(s)) return null
  const n = countChars(s)
  return n > maxLength ? `不能超过${maxLength}个字（现在${n}个字）` : null
}

export const AMOUNT_MAX = 1e12

function amountText(input: string): string {
  return toHalfWidth(input ?? '')
    .trim()
    .replace(/\s*元$/, '')
}

/** The amount in yuan, or undefined for blank, "不清楚" or invalid input. */
export function parseAmount(input: string): number | undefined {
  const s = amountText(input)
  if (!/^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d{1,2})?$/.test(s)) return undefined
  const n = Number(s.replace(/,/g, ''))
  return Number.isFinite(n) && n <= AMOUNT_MAX ? n : undefined
}

/** A non-negative amount in yuan with at most 2 decimals ("5000", "1,200.50", "300元"), or "不清楚". */
export function validateAmount(input: string): string | null {
  const s = amountText(input)
  if (!s) return '请填写金额，不清楚请填写“不清楚”'
  if (isUnknown(s)) return null
  if (parseAmount(s) !== undefined) return null
  if (/^-\s*\d/.test(s)) return '金额不能为负数'
  const m = /^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d+))?$/.exec(s)
  if (m?.[1] !== undefined && m[1].length > 2) return '金额最多保留两位小数'
  if (m) return '金额过大，请核对'
  return '请填写数字金额，如 5000 或 5000.50'
}

// ---------------------------------------------------------------------------------------------
// Dates

const HAPPENED_AT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/
export const HAPPENED_AT_MIN_YEAR = 2000

/** "YYYY-MM-DD" or "YYYY-MM-DDTHH:mm[:ss]" in local time; not before 2000, not after `now`. */
export function validateHappenedAt(iso: string, now: Date): string | null {
  const s = (iso ?? '').trim()
  if (!s) return '请选择事情发生的时间'
  const m = HAPPENED_AT.exec(s)
  if (!m) return '时间格式不正确'
  const [y, mo, d, h, mi, sec] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)))
  if (!isRealDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return '时间格式不正确'
  if (y < HAPPENED_AT_MIN_YEAR) return `发生时间不能早于${HAPPENED_AT_MIN_YEAR}年`
  const at = new Date(y, mo - 1, d, h, mi, sec)
  if (at.getTime() > now.getTime()) return '发生时间不能晚于现在'
  return null
}
