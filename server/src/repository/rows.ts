/**
 * What the SQLite and PostgreSQL repositories share: the row shape both schemas have, its mapping
 * to a Submission, the liveness rule and the minute rounding. Keep the column names the same in
 * both schemas so that new tables map the same way too.
 */
import type { ReceiptScheme } from '../receipts'
import type { AttachmentDeclaration, PublicStatus, Submission } from './types'

export { toMinute } from './time'

export interface SubmissionRow {
  id: string
  request_hash: string
  envelope_version: number
  suite: string
  kid: string
  epk: string
  report_size: number
  state: 'open' | 'accepted'
  created_at: number
  expires_at: number | null
  accepted_at: number | null
  receipt_hash: string | null
  receipt_scheme: ReceiptScheme | null
  status: PublicStatus | null
  status_changed_at: number | null
  public_note: string | null
  branch: string | null
}

export interface AttachmentRow {
  n: number
  size: number
  sha256: string
}

/** The columns of a SubmissionRow, for `SELECT ${SUBMISSION_COLUMNS} FROM submissions`. */
export const submissionColumns = (lengthFn: 'length' | 'octet_length') =>
  `id, request_hash, envelope_version, suite, kid, epk, ${lengthFn}(report) AS report_size, state, created_at,
  expires_at, accepted_at, receipt_hash, receipt_scheme, status, status_changed_at, public_note, branch`

/**
 * The attachments table's `sha256` column holds the declared upload checksum of either version,
 * told apart by length: 64 hex digits are a v1 SHA-256, 8 are a v2 CRC-32 (no migration needed).
 */
export function declarationOf(row: AttachmentRow): AttachmentDeclaration {
  return row.sha256.length === 8 ? { n: row.n, size: row.size, crc32: row.sha256 } : { n: row.n, size: row.size, sha256: row.sha256 }
}

export function toSubmission(row: SubmissionRow, attachments: AttachmentRow[]): Submission {
  return {
    id: row.id,
    state: row.state,
    header: { v: row.envelope_version as 1 | 2, suite: row.suite, kid: row.kid, epk: row.epk },
    attachments: attachments.map(declarationOf),
    reportSize: row.report_size,
    branch: row.branch,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    status: row.status,
    statusChangedAt: row.status_changed_at,
    publicNote: row.public_note,
    receiptHash: row.receipt_hash,
    receiptScheme: row.receipt_scheme,
    requestHash: row.request_hash,
  }
}

/** Present, and not an open submission past its expiry (when `now` is given). */
export function isLive(row: SubmissionRow | undefined, now: number | undefined): boolean {
  if (!row) return false
  return now === undefined || row.state !== 'open' || (row.expires_at ?? Infinity) > now
}

/** Page size of a listing: default 100, 1 to 1000. */
export function pageSize(limit: number | undefined): number {
  return Math.min(Math.max(1, Math.floor(limit ?? 100)), 1000)
}

export function checkNote(note: string | null | undefined): void {
  if (note !== undefined && note !== null && note.length > 500) throw new RangeError('The public note is limited to 500 characters')
}
