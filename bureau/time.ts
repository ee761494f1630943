/**
 * Dates and times for bureau staff: always China Standard Time (UTC+8, no daylight saving),
 * whatever the time zone of the computer the tools run on. Pure.
 */

const CST_OFFSET_MS = 8 * 60 * 60 * 1000
const pad = (n: number, width = 2) => String(n).padStart(width, '0')

function cstParts(ms: number) {
  const d = new Date(ms + CST_OFFSET_MS)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  }
}

/** "2024-05-01" (the calendar day in China Standard Time). */
export function cstDate(ms: number): string {
  const p = cstParts(ms)
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`
}

/** "2024-05-01 14:30:05" in China Standard Time. */
export function cstDateTime(ms: number): string {
  const p = cstParts(ms)
  return `${cstDate(ms)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`
}

/** "2024年5月1日 14:30" in China Standard Time. */
export function cstChinese(ms: number): string {
  const p = cstParts(ms)
  return `${p.year}年${p.month}月${p.day}日 ${pad(p.hour)}:${pad(p.minute)}`
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

/**
 * A day written YYYY-MM-DD → epoch ms of its first instant in China Standard Time; undefined when
 * it is not a real calendar date.
 */
export function parseCstDate(s: string): number | undefined {
  const m = DATE.exec(s)
  if (!m) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const utc = Date.UTC(y, mo - 1, d)
  const check = new Date(utc)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined
  return utc - CST_OFFSET_MS
}

/**
 * A time from the report (written by the resident's phone) in Chinese: an instant with a zone
 * ("2024-05-01T06:30:00.000Z") is shown in China Standard Time; a local date-time without a zone
 * ("2024-05-01T14:30", as the phone records when something happened) is shown as written; a date
 * alone ("2024-05-01": the resident gave no time, report schema @2) is shown without a time.
 * Anything else is returned unchanged for the caller to escape.
 */
export function reportTimeChinese(value: string): string {
  if (parseCstDate(value) !== undefined) {
    const [y, mo, d] = value.split('-').map(Number)
    return `${y}年${mo}月${d}日（举报人未填具体时间）`
  }
  if (ZONED.test(value)) {
    const ms = Date.parse(value)
    if (Number.isFinite(ms)) return `${cstChinese(ms)}（北京时间）`
  }
  const m = LOCAL_DATE_TIME.exec(value)
  if (m) return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日 ${m[4]}:${m[5]}`
  return value
}
