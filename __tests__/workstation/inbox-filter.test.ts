/** The inbox's filters (category, branch, status, date range, unread) as a table of cases. */
import type { CaseRow } from '../../bureau/workstation/shared/types'
import { filterRows, newestFirst, NO_FILTER, UNREADABLE, type InboxFilter } from '../../bureau/workstation/web/src/inbox-filter'

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
