/** The report plaintext: every field the bureau needs, nothing that stays on the phone. */
import { READABLE_REPORT_SCHEMAS, REPORT_SCHEMA, encodeReportPlaintext, toReportPlaintext, type ReportAttachmentEntry } from '@/domain/report-plaintext'
import type { DraftReport } from '@/domain/types'


function draft(overrides: Partial<DraftReport> = {}): DraftReport {
  return {
    id: 'draft-1',
    createdAt: '2023-06-01T08:00:00+08:00',
    updatedAt: '2023-06-01T08:30:00+08:00',
    category: 'loan',
    branch: 'yd',
    happenedAt: '2023-05-30T22:15',
    description: '“快贷”平台暴力催收',
    links: ['https://example.invalid/a'],
    party: { accounts: '6222…', phones: '13800000000', websites: '不清楚' },
    extra: { amount: '3000' },
    attachments: [
      { id: 'f0', label: '截图', name: '截图1.png', mime: 'image/png', size: 1234, ref: 'wxfile://usr/f0' },
      { id: 'f1', label: '交易记录', name: '流水.pdf', mime: 'application/pdf', size: 99, ref: 'wxfile://usr/f1' },
    ],
    reporter: { anonymous: false, name: '王某', mobile: '13900000000', idNumber: '140200199001010000' },
    declaration: { truthful: true, liability: true },
    ...overrides,
  }
}

const entries = (d: DraftReport): ReportAttachmentEntry[] => d.attachments.map((a, n) => ({ n, label: a.label, name: a.name, mime: a.mime, size: a.size }))

test('carries every report field, codes, reporter, declaration time and attachment list', () => {
  const d = draft()
  const plain = toReportPlaintext(d, entries(d), '2023-06-01T08:31:00+08:00')
  expect(plain).toEqual({
    schema: REPORT_SCHEMA,
    id: 'draft-1',
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    category: 'loan',
    branch: 'yd',
    happenedAt: d.happenedAt,
    description: d.description,
    links: d.links,
    party: d.party,
    extra: d.extra,
    reporter: d.reporter,
    declaration: { truthful: true, liability: true, declaredAt: '2023-06-01T08:31:00+08:00' },
    attachments: [
      { n: 0, label: '截图', name: '截图1.png', mime: 'image/png', size: 1234 },
      { n: 1, label: '交易记录', name: '流水.pdf', mime: 'application/pdf', size: 99 },
    ],
  })
  expect(REPORT_SCHEMA).toBe('clue-report/report@3')
  // report@3 (envelope v2): the objects' AEAD tags prove the files; no plaintext hash is listed.
  for (const a of plain.attachments) expect(a).not.toHaveProperty('sha256')
})

test('a date without a time travels as the date alone (since schema @2), a date and time as both', () => {
  expect(toReportPlaintext(draft({ happenedAt: '2023-05-30' }), entries(draft()), 'now').happenedAt).toBe('2023-05-30')
  expect(toReportPlaintext(draft({ happenedAt: '2023-05-30T22:15' }), entries(draft()), 'now').happenedAt).toBe('2023-05-30T22:15')
  expect(READABLE_REPORT_SCHEMAS).toEqual(['clue-report/report@1', 'clue-report/report@2', 'clue-report/report@3'])
})

test('leaves storage references on the phone and shares no objects with the draft', () => {
  const d = draft()
  const plain = toReportPlaintext(d, entries(d).map((e) => ({ ...e, ref: 'x', id: 'y' }) as ReportAttachmentEntry), 'now')
  const text = JSON.stringify(plain)
  expect(text).not.toContain('wxfile://')
  expect(plain.attachments[0]).not.toHaveProperty('ref')
  expect(plain.attachments[0]).not.toHaveProperty('id')
  expect(plain.links).not.toBe(d.links)
  expect(plain.extra).not.toBe(d.extra)
  expect(plain.party).not.toBe(d.party)
})

test('an anonymous report carries no identity, even if some was typed before', () => {
  const d = draft({ reporter: { anonymous: true, name: '王某', mobile: '13900000000', idNumber: '1402' } })
  expect(toReportPlaintext(d, entries(d), 'now').reporter).toEqual({ anonymous: true, name: '', mobile: '', idNumber: '' })
})

test.each([
  ['no category', { category: undefined }, /category/],
  ['no branch', { branch: undefined }, /branch/],
  ['an unconfirmed declaration', { declaration: { truthful: true, liability: false } }, /declaration/],
])('refuses a draft with %s', (_why, overrides, message) => {
  const d = draft(overrides as Partial<DraftReport>)
  expect(() => toReportPlaintext(d, entries(d), 'now')).toThrow(message)
})

test('refuses inconsistent attachment lists', () => {
  const d = draft()
  const good = entries(d)
  expect(() => toReportPlaintext(d, good.slice(1), 'now')).toThrow(/lists 1 attachments/)
  expect(() => toReportPlaintext(d, [good[1], good[0]], 'now')).toThrow(/in order/)
  expect(() => toReportPlaintext(d, [good[0], { ...good[1], size: -1 }], 'now')).toThrow(/size/)
  expect(() => toReportPlaintext(d, [good[0], { ...good[1], label: '视频' as never }], 'now')).toThrow(/label/)
  expect(() => toReportPlaintext(d, good, '')).toThrow(/declaration time/)
})

test('encodes as UTF-8 JSON', () => {
  const d = draft()
  const plain = toReportPlaintext(d, entries(d), 'now')
  const bytes = encodeReportPlaintext(plain)
  expect(Buffer.from(bytes).toString('utf8')).toBe(JSON.stringify(plain))
  expect(JSON.parse(Buffer.from(bytes).toString('utf8'))).toEqual(plain)
})
