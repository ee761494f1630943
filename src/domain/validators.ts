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

/**
 * Longest link accepted, in characters. RFC 9110 §4.1 asks every sender and recipient to support
 * URIs of at least 8000 octets; longer links are refused with this number in the message, never
 * cut (the input boxes have no length cap of their own).
 */
export const LINK_MAX_LENGTH = 8000

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
  if (s.length > LINK_MAX_LENGTH) return `链接过长：现在有${s.length}个字符，最多可以填${LINK_MAX_LENGTH}个字符`
  if (/\s/.test(s)) return '链接中不能有空格或换行，每个输入框只填一条链接'
  if (/[\u0000-\u001f\u007f]/.test(s)) return '链接中含有无效字符'
  return linkProblem(s)
}

/** A word that is meant as a link: it has a scheme ("https://", "weixin://") or starts with "www.". */
export function looksLikeLink(word: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(word) || /^www\./i.test(word)
}

/**
 * Free text that names websites or Apps, one or more per line ("甜心交友", "“甜心”交友App
 * https://tianxin.example.com"). A name is free text; a word written as a link is checked as a link.
 */
export function validateNamesOrLinks(input: string, maxLength: number): string | null {
  const s = (input ?? '').trim()
  if (!s || isUnknown(s)) return null
  const n = countChars(s)
  if (n > maxLength) return `不能超过${maxLength}个字（现在${n}个字）`
  for (const word of s.split(/\s+/)) {
    if (!looksLikeLink(word)) continue
    const err = validateLink(word)
    if (err) return `“${word.length > 40 ? word.slice(0, 40) + '…' : word}”：${err}。App 名称可以直接写名字`
  }
  return null
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

/**
 * What a mobile number box should hold after the resident leaves it: the 11 digits when the input
 * is a valid number written differently (full-width digits, +86, spaces, dashes); otherwise the
 * input unchanged. The page tells the resident when it differs.
 */
export function tidyMobile(input: string): string {
  return normalizeMobile(input) ?? input
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
  const t = toHalfWidth(token).trim().replace(/\s+/g, '')
  if (normalizeMobile(t)) return true
  if (PHONE_PATTERNS.some((p) => p.test(t))) return true
  const intl = t.replace(/-/g, '')
  return /^(?:\+|00)[1-9]\d{6,14}$/.test(intl) && !/^(?:\+|00)86/.test(intl)
}

export const PHONE_LIST_MAX = 50

/**
 * Split a phone list into numbers: on commas, semicolons, "、" and newlines; a piece that is not
 * one number as a whole ("+86 138 0013 8000" is) is split on spaces too ("13800138000 13900139000").
 */
export function splitPhoneList(input: string): string[] {
  return toHalfWidth(input ?? '')
    .split(/[\n\r,;、]+/)
    .map((piece) => piece.trim())
    .filter((piece) => piece.length > 0)
    .flatMap((piece) => (isPhoneNumber(piece.replace(/\s+/g, '')) ? [piece] : piece.split(/\s+/)))
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

/** The 18 characters without spaces, "x" as "X", when that is a valid number; otherwise the input unchanged. */
export function tidyResidentId(input: string, now: Date = new Date()): string {
  const s = toHalfWidth(input ?? '').replace(/\s/g, '').toUpperCase()
  return s !== input && validateResidentId(s, now) === null ? s : input
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

/** Half-width, trimmed, without the unit "元" and without spaces between digits ("20 000"). */
function amountText(input: string): string {
  return toHalfWidth(input ?? '')
    .trim()
    .replace(/\s*元$/, '')
    .replace(/(\d)\s+(?=\d)/g, '$1')
}

const AMOUNT = /^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d{1,2})?(万)?$/

/** The amount in yuan, or undefined for blank, "不清楚" or invalid input. "2万" and "1.5万" count in 万 (10,000). */
export function parseAmount(input: string): number | undefined {
  const s = amountText(input)
  const m = AMOUNT.exec(s)
  if (!m) return undefined
  const n = Number(s.replace(/[,万]/g, '')) * (m[1] ? 10000 : 1)
  return Number.isFinite(n) && n <= AMOUNT_MAX ? Math.round(n * 100) / 100 : undefined
}

/**
 * What an amount box should hold after the resident leaves it: full-width digits and separators
 * made half-width and spaces between digits removed, when that makes a valid amount; otherwise
 * the input unchanged. The unit "元" is kept as typed. The page tells the resident when it differs.
 */
export function tidyAmount(input: string): string {
  const s = toHalfWidth(input ?? '').trim().replace(/(\d)\s+(?=\d)/g, '$1')
  return s !== input && parseAmount(s) !== undefined ? s : input
}

/** A non-negative amount in yuan with at most 2 decimals ("5000", "1,200.50", "300元", "2万"), or "不清楚". */
export function validateAmount(input: string): string | null {
  const s = amountText(input)
  if (!s) return '请填写金额，不清楚请填写“不清楚”'
  if (isUnknown(s)) return null
  if (parseAmount(s) !== undefined) return null
  if (/^-\s*\d/.test(s)) return '金额不能为负数'
  const m = /^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d+))?万?$/.exec(s)
  if (m?.[1] !== undefined && m[1].length > 2) return '金额最多保留两位小数'
  if (m) return '金额过大，请核对'
  return '请填写数字金额，如 5000、5000.50 或 2万'
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

/**
 * The parts of a `happenedAt` value: "2024-05-01" is a date the resident gave without a time (its
 * own value, never midnight); "2024-05-01T14:30" is a date and a time.
 */
export function splitHappenedAt(value: string): { date: string; time: string } {
  const m = HAPPENED_AT.exec((value ?? '').trim())
  if (!m) return { date: '', time: '' }
  return { date: `${m[1]}-${m[2]}-${m[3]}`, time: m[4] === undefined ? '' : `${m[4]}:${m[5]}` }
}

/** The `happenedAt` value for a date and an optional time ('' = no time given). */
export function joinHappenedAt(date: string, time: string): string {
  if (!date) return ''
  return time ? `${date}T${time}` : date
}

/** "2024-05-01" → "2024年5月1日"; '' when unreadable. */
export function chineseDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : ''
}

/** "2024年5月1日 14:30", or "2024年5月1日（未填具体时间）" for a date alone; '' when unreadable. */
export function formatHappenedAt(value: string): string {
  const { date, time } = splitHappenedAt(value)
  if (!date) return ''
  return `${chineseDate(date)}${time ? ` ${time}` : '（未填具体时间）'}`
}
