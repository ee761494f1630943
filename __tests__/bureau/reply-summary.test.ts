/** reply's summary of the decrypted report, shown before an unverified (legacy) reply key is accepted: hostile text stays inert. */
import { reportSummary } from '../../bureau/commands/reply'
import { findCategory } from '../../src/domain/categories'
import type { Submission } from '../../server/src/repository'

const at = Date.UTC(2023, 2, 9, 2, 5) // 2023-03-09 10:05 Beijing time
const submission = { acceptedAt: at, createdAt: at - 60_000 } as Submission

test.each([
  ['a report as the app writes it', { category: 'loan', description: '套路贷，  每周\n还 9000 元' }, [`类别 category: ${findCategory('loan')!.name}`, '“套路贷， 每周 还 9000 元”', '2023-03-09 10:05']],
  ['terminal escapes and bidi controls are escaped', { category: 'nude', description: '\u001b[2J\u202eabc' }, ['\\u{1b}[2J\\u{202e}abc']],
  ['a long description is cut', { category: 'loan', description: '长'.repeat(200) }, ['长'.repeat(40) + '…(200 chars)']],
  ['an unknown category code is shown escaped', { category: '\u0007x', description: 'd' }, ['未知 unknown（\\u{7}x）']],
  ['no description, no category', {}, ['未填写 none', '（空 empty）']],
  ['not an object at all', 'just a string', ['未填写 none', '（空 empty）']],
])('%s', (_name, report, expected) => {
  const out = reportSummary({ submission, report })
  for (const text of expected) expect(out).toContain(text)
  expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202a-\u202e]/)
})
