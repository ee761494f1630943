/**
 * Statistics over the decrypted inbox (pure): reports per week by category, by branch and by
 * status, and the time from receipt to the first reply as a median and a distribution. Weeks
 * start on Monday, Beijing time (UTC+8, no daylight saving).
 */
import { CATEGORIES, findCategory } from '../../../src/domain/categories'
import { STATUS_LABELS, type PublicStatus } from '../../../src/domain/status'
import type { CaseRow, StatsView } from '../shared/types'

const CST = 8 * 3600_000
const DAY = 86400_000

/** Monday of the (Beijing) week of `ms`, as YYYY-MM-DD. */
export function weekOf(ms: number): string {
  const local = ms + CST
  const day = Math.floor(local / DAY)
  // 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays.
  const monday = day - ((day + 3) % 7)
  return new Date(monday * DAY).toISOString().slice(0, 10)
}

export const REPLY_BUCKETS: { label: string; maxHours: number }[] = [
  { label: '1 天内', maxHours: 24 },
  { label: '1–3 天', maxHours: 72 },
  { label: '3–7 天', maxHours: 168 },
  { label: '7–14 天', maxHours: 336 },
  { label: '14 天以上', maxHours: Infinity },
]

export function median(values: number[]): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

export function computeStats(rows: readonly CaseRow[], branches: readonly { code: string; name: string }[]): StatsView {
  const weeks = [...new Set(rows.map((r) => weekOf(r.receivedAt)))].sort()
  const codes = [...CATEGORIES.map((c) => c.code as string), ...new Set(rows.map((r) => r.category ?? '').filter((c) => !findCategory(c)))]
  const categories = codes.map((code) => ({ code, name: code === '' ? '无法解密' : findCategory(code) ? `${findCategory(code)!.ordinal}${findCategory(code)!.name}` : `未知类别 ${code}` }))
  const perWeek = codes.map(() => weeks.map(() => 0))
  for (const r of rows) perWeek[codes.indexOf(r.category ?? '')][weeks.indexOf(weekOf(r.receivedAt))] += 1
  const branchCodes = [...branches.map((b) => b.code), ...new Set(rows.map((r) => r.branch ?? '').filter((b) => !branches.some((x) => x.code === b)))]
  const byBranch = branchCodes.map((code) => ({
    code,
    name: branches.find((b) => b.code === code)?.name ?? (code === '' ? '未注明' : `未知单位 ${code}`),
    count: rows.filter((r) => (r.branch ?? '') === code).length,
  }))
  const byStatus = (Object.keys(STATUS_LABELS) as PublicStatus[]).map((status) => ({ status, name: STATUS_LABELS[status], count: rows.filter((r) => r.status === status).length }))
  const hours = rows.filter((r) => r.firstReplyAt !== null).map((r) => Math.max(0, (r.firstReplyAt! - r.receivedAt) / 3600_000))
  const buckets = REPLY_BUCKETS.map((b) => ({ label: b.label, count: 0 }))
  for (const h of hours) buckets[REPLY_BUCKETS.findIndex((b) => h < b.maxHours)].count += 1
  const m = median(hours)
  return {
    weeks,
    categories,
    perWeek,
    byBranch,
    byStatus,
    firstReply: { replied: hours.length, unanswered: rows.length - hours.length, medianHours: m === null ? null : Math.round(m * 10) / 10, buckets },
    total: rows.length,
  }
}

const csvCell = (v: string | number) => {
  const s = String(v)
  // A leading =, +, - or @ would be a formula in a spreadsheet: prefixed with an apostrophe.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** The statistics as CSV (UTF-8 with BOM, so that Excel shows the Chinese). */
export function statsCsv(s: StatsView): string {
  const lines: (string | number)[][] = []
  lines.push(['每周举报数（按类别）', ...s.weeks.map((w) => `${w} 起`)])
  s.categories.forEach((c, i) => lines.push([c.name, ...s.perWeek[i]]))
  lines.push([])
  lines.push(['受理单位', '举报数'])
  for (const b of s.byBranch) lines.push([b.name, b.count])
  lines.push([])
  lines.push(['状态', '举报数'])
  for (const b of s.byStatus) lines.push([b.name, b.count])
  lines.push([])
  lines.push(['从收到到首次回复', '举报数'])
  for (const b of s.firstReply.buckets) lines.push([b.label, b.count])
  lines.push(['尚未回复', s.firstReply.unanswered])
  lines.push(['中位数（小时）', s.firstReply.medianHours ?? '—'])
  return `\ufeff${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`
}
