/** The inbox's filters and sort, pure (the table only renders what this returns). */
import type { CaseRow, PublicStatus } from '../../shared/types'

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

/** Newest first; the table's column sorters reorder from here. */
export function newestFirst(rows: readonly CaseRow[]): CaseRow[] {
  return [...rows].sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? -1 : 1))
}
