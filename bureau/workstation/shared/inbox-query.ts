/**
 * The inbox's filters, sort and paging, pure. The workstation process applies them to the
 * decrypted cases it holds (GET /api/cases), so the page receives one page of rows, never the
 * whole inbox; the page sends its choices as query parameters (inboxParams / parseInboxQuery).
 */
import type { CaseRow, PublicStatus } from './types'

export interface InboxFilter {
  categories: string[]
  branches: string[]
  statuses: PublicStatus[]
  /** Received on or after (ms), and before (ms, exclusive). */
  from?: number
  to?: number
  unreadOnly: boolean
}

export const NO_FILTER: InboxFilter = { categories: [], branches: [], statuses: [], unreadOnly: false }

/** Cases that cannot be opened have no category: they are listed under this code. */
export const UNREADABLE = '__unreadable__'

export function filterRows(rows: readonly CaseRow[], f: InboxFilter): CaseRow[] {
  return rows.filter(
    (r) =>
      (f.categories.length === 0 || f.categories.includes(r.category ?? UNREADABLE)) &&
      (f.branches.length === 0 || f.branches.includes(r.branch ?? '')) &&
      (f.statuses.length === 0 || f.statuses.includes(r.status)) &&
      (f.from === undefined || r.receivedAt >= f.from) &&
      (f.to === undefined || r.receivedAt < f.to) &&
      (!f.unreadOnly || r.readAt === null || r.unreadMessages > 0 || r.newMaterial > 0),
  )
}

/** Newest first, ties by id: the order before any column sort, and every sort's tie-break. */
const newest = (a: CaseRow, b: CaseRow) => b.receivedAt - a.receivedAt || (a.id < b.id ? -1 : 1)

export function newestFirst(rows: readonly CaseRow[]): CaseRow[] {
  return [...rows].sort(newest)
}

const text = (v: string | null) => v ?? ''
/** The sortable columns, each an ascending comparison. */
export const SORTERS = {
  receivedAt: (a: CaseRow, b: CaseRow) => a.receivedAt - b.receivedAt,
  category: (a: CaseRow, b: CaseRow) => text(a.category).localeCompare(text(b.category)),
  branch: (a: CaseRow, b: CaseRow) => text(a.branch).localeCompare(text(b.branch)),
  status: (a: CaseRow, b: CaseRow) => a.status.localeCompare(b.status),
  attachments: (a: CaseRow, b: CaseRow) => a.attachments - b.attachments,
  unreadMessages: (a: CaseRow, b: CaseRow) => a.unreadMessages - b.unreadMessages,
  newMaterial: (a: CaseRow, b: CaseRow) => a.newMaterial - b.newMaterial,
} as const
export type SortKey = keyof typeof SORTERS

export interface InboxQuery {
  q: string
  filter: InboxFilter
  sort?: { key: SortKey; order: 'asc' | 'desc' }
  /** 1-based. */
  page: number
  pageSize: number
}

export const PAGE_SIZES = [20, 50, 100, 200] as const
export const DEFAULT_PAGE_SIZE = 50

/** Filters, sorts (a stable sort over newest-first) and cuts out one page; a page past the end gives the last one. */
export function queryRows(rows: readonly CaseRow[], query: Omit<InboxQuery, 'q'>): { rows: CaseRow[]; matched: number; page: number } {
  const filtered = filterRows(rows, query.filter).sort(newest)
  const s = query.sort
  if (s) {
    const cmp = SORTERS[s.key]
    filtered.sort(s.order === 'asc' ? cmp : (a, b) => cmp(b, a))
  }
  const pages = Math.max(1, Math.ceil(filtered.length / query.pageSize))
  const page = Math.min(Math.max(1, query.page), pages)
  return { rows: filtered.slice((page - 1) * query.pageSize, page * query.pageSize), matched: filtered.length, page }
}

const LIST_SEP = ','

/** The page's query as URL parameters for GET /api/cases. */
export function inboxParams(query: InboxQuery): string {
  const p = new URLSearchParams()
  if (query.q) p.set('q', query.q)
  const f = query.filter
  if (f.categories.length) p.set('category', f.categories.join(LIST_SEP))
  if (f.branches.length) p.set('branch', f.branches.join(LIST_SEP))
  if (f.statuses.length) p.set('status', f.statuses.join(LIST_SEP))
  if (f.from !== undefined) p.set('from', String(f.from))
  if (f.to !== undefined) p.set('to', String(f.to))
  if (f.unreadOnly) p.set('unread', '1')
  if (query.sort) p.set('sort', `${query.sort.key}.${query.sort.order}`)
  p.set('page', String(query.page))
  p.set('size', String(query.pageSize))
  return p.toString()
}

const list = (v: unknown): string[] => (typeof v === 'string' && v ? v.split(LIST_SEP).slice(0, 50).map((s) => s.slice(0, 40)) : [])
const time = (v: unknown): number | undefined => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : undefined)

/** GET /api/cases's query string, checked: anything malformed falls back to the default. */
export function parseInboxQuery(raw: Record<string, unknown>): InboxQuery {
  const [key, order] = typeof raw.sort === 'string' ? raw.sort.split('.') : []
  const size = Number(raw.size)
  const page = Number(raw.page)
  return {
    q: typeof raw.q === 'string' ? raw.q.slice(0, 200) : '',
    filter: {
      categories: list(raw.category),
      branches: list(raw.branch),
      statuses: list(raw.status) as PublicStatus[],
      from: time(raw.from),
      to: time(raw.to),
      unreadOnly: raw.unread === '1',
    },
    ...(key && Object.prototype.hasOwnProperty.call(SORTERS, key) && (order === 'asc' || order === 'desc') ? { sort: { key: key as SortKey, order } } : {}),
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
  }
}
