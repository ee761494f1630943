/** The inbox's filters (category, branch, status, date range, unread), sort, paging and query string, as tables of cases. */
import type { CaseRow } from '../../bureau/workstation/shared/types'
import { filterRows, inboxParams, newestFirst, NO_FILTER, parseInboxQuery, queryRows, UNREADABLE, type InboxFilter, type InboxQuery } from '../../bureau/workstation/shared/inbox-query'

const day = (d: string) => Date.parse(`${d}T00:00:00+08:00`)
const row = (id: string, over: Partial<CaseRow>): CaseRow => ({
  id: id.padEnd(32, '0'),
  receivedAt: day('2024-05-01'),
  branch: 'yd',
  serverBranch: null,
  category: 'loan',
  status: 'received',
  statusChangedAt: day('2024-05-01'),
  publicNote: null,
  attachments: 0,
  notes: 0,
  readAt: day('2024-05-02'),
  unreadMessages: 0,
  newMaterial: 0,
  firstReplyAt: null,
  kid: '0123456789abcdef',
  envelope: 2,
  summary: '',
  ...over,
})

const rows = [
  row('a', {}),
  row('b', { branch: 'zs', receivedAt: day('2024-05-03') + 3600_000 }),
  row('c', { category: 'nude', status: 'closed', receivedAt: day('2024-04-30') + 23 * 3600_000 }),
  row('d', { category: null, problem: { kind: 'wrong-key', kid: 'ffffffffffffffff', message: 'x' }, readAt: null }),
  row('e', { unreadMessages: 2, branch: 'sj' }),
]

test.each<[string, Partial<InboxFilter>, string[]]>([
  ['nothing', {}, ['a', 'b', 'c', 'd', 'e']],
  ['one category', { categories: ['loan'] }, ['a', 'b', 'e']],
  ['two categories', { categories: ['loan', 'nude'] }, ['a', 'b', 'c', 'e']],
  ['unreadable cases', { categories: [UNREADABLE] }, ['d']],
  ['category and branch', { categories: ['loan'], branches: ['yd'] }, ['a']],
  ['status', { statuses: ['closed'] }, ['c']],
  ['from a day (Beijing midnight)', { from: day('2024-05-01') }, ['a', 'b', 'd', 'e']],
  ['up to a day, exclusive', { to: day('2024-05-01') }, ['c']],
  ['a range', { from: day('2024-05-03'), to: day('2024-05-04') }, ['b']],
  ['unread or new messages', { unreadOnly: true }, ['d', 'e']],
])('filter: %s', (_name, f, expected) => {
  expect(filterRows(rows, { ...NO_FILTER, ...f }).map((r) => r.id[0])).toEqual(expected)
})

test('newest first, ties by id', () => {
  expect(newestFirst(rows).map((r) => r.id[0])).toEqual(['b', 'a', 'd', 'e', 'c'])
})

test.each<[string, Omit<InboxQuery, 'q' | 'filter'>, string[], number, number]>([
  ['first page, newest first', { page: 1, pageSize: 2 }, ['b', 'a'], 5, 1],
  ['second page', { page: 2, pageSize: 2 }, ['d', 'e'], 5, 2],
  ['a page past the end gives the last one', { page: 9, pageSize: 2 }, ['c'], 5, 3],
  ['sorted by unread messages, descending (ties newest first)', { page: 1, pageSize: 2, sort: { key: 'unreadMessages', order: 'desc' } }, ['e', 'b'], 5, 1],
  ['sorted by received, ascending', { page: 1, pageSize: 5, sort: { key: 'receivedAt', order: 'asc' } }, ['c', 'a', 'd', 'e', 'b'], 5, 1],
])('query: %s', (_name, q, expected, matched, page) => {
  const got = queryRows(rows, { filter: NO_FILTER, ...q })
  expect([got.rows.map((r) => r.id[0]), got.matched, got.page]).toEqual([expected, matched, page])
})

test('the query string round-trips, and anything malformed falls back to the default', () => {
  const q: InboxQuery = { q: '139 1234', filter: { categories: ['loan', UNREADABLE], branches: ['yd'], statuses: ['closed'], from: 5, to: 6, unreadOnly: true }, sort: { key: 'branch', order: 'desc' }, page: 3, pageSize: 100 }
  expect(parseInboxQuery(Object.fromEntries(new URLSearchParams(inboxParams(q))))).toEqual(q)
  expect(parseInboxQuery({ sort: 'toString.asc', page: '-1', size: '7', from: '1e3', unread: 'yes', q: ['a'] })).toEqual({ q: '', filter: { ...NO_FILTER, from: undefined, to: undefined }, page: 1, pageSize: 50 })
})
