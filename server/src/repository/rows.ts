/**
 * What the SQLite and PostgreSQL repositories share: the row shapes both schemas have (submissions,
 * the case channel's messages, the bureau's tokens, audit log and notes), their mapping to the
 * repository's records, the liveness rules and the minute rounding. Keep the column names the same
 * in both schemas so that new tables map the same way too.
 */
import type { ReceiptScheme } from '../receipts'
import type { CaseAttachment, CaseKind, CaseMessage, CaseRecord, CaseSender, MessageState, StoredCaseHeader } from './case-types'
import type { AttachmentDeclaration, AuditAction, AuditEntry, BureauNote, BureauToken, PublicStatus, Submission } from './types'

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

/** SQL for the byte length of a blob column: `length` in SQLite, `octet_length` in PostgreSQL. */
export type LengthFn = 'length' | 'octet_length'

// The case channel (case-sqlite.ts, case-postgres.ts): a case is an accepted submission row.

export interface CaseRow {
  id: string
  case_kind: CaseKind | null
  status: PublicStatus
  status_changed_at: number
  public_note: string | null
  closed_at: number | null
  reply_key: Buffer | null
  accepted_at: number
}

export interface MessageRow {
  msg_id: string
  case_id: string
  sender: CaseSender
  header: string
  state: MessageState
  seq: number | null
  message_size: number
  copy_size: number
  created_at: number
  expires_at: number | null
  accepted_at: number | null
  read_at: number | null
  request_hash: string
}

export const CASE_COLUMNS = 'id, case_kind, status, status_changed_at, public_note, closed_at, reply_key, accepted_at'
export const messageColumns = (lengthFn: LengthFn) => `msg_id, case_id, sender, header, state, seq, ${lengthFn}(message) AS message_size,
  ${lengthFn}(copy) AS copy_size, created_at, expires_at, accepted_at, read_at, request_hash`

export function toCase(row: CaseRow): CaseRecord {
  return {
    caseId: row.id,
    kind: row.case_kind ?? 'legacy',
    status: row.status,
    changedAt: row.status_changed_at,
    publicNote: row.public_note,
    closedAt: row.closed_at,
    replyKey: row.reply_key,
    acceptedAt: row.accepted_at,
  }
}

export function toMessage(row: MessageRow, attachments: CaseAttachment[]): CaseMessage {
  return {
    msgId: row.msg_id,
    caseId: row.case_id,
    from: row.sender,
    header: JSON.parse(row.header) as StoredCaseHeader,
    state: row.state,
    seq: row.seq,
    messageSize: row.message_size,
    copySize: row.copy_size,
    attachments,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    readAt: row.read_at,
    requestHash: row.request_hash,
  }
}

/** Accepted, or open and not past its expiry. */
export const isLiveMessage = (row: MessageRow, now: number): boolean => row.state === 'accepted' || (row.expires_at ?? Infinity) > now

// The bureau API's tables (sqlite-bureau.ts, bureau-postgres.ts).

export interface TokenRow {
  id: string
  name: string
  branches: string
  created_at: number
  revoked_at: number | null
  last_used_at: number | null
}

export interface AuditRow {
  seq: number
  at: number
  token_id: string
  token_name: string
  action: string
  case_id: string | null
  detail: string | null
}

export interface NoteRow {
  id: string
  submission_id: string
  token_id: string
  created_at: number
  header: string
  object: Buffer
}

export const TOKEN_COLUMNS = 'id, name, branches, created_at, revoked_at, last_used_at'
export const AUDIT_COLUMNS = 'seq, at, token_id, token_name, action, case_id, detail'
export const NOTE_COLUMNS = 'id, submission_id, token_id, created_at, header, object'

export function toToken(row: TokenRow): BureauToken {
  const branches = JSON.parse(row.branches) as unknown
  return {
    id: row.id,
    name: row.name,
    branches: Array.isArray(branches) ? branches.filter((b): b is string => typeof b === 'string') : [],
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  }
}

export function toAudit(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    tokenId: row.token_id,
    tokenName: row.token_name,
    action: row.action as AuditAction,
    caseId: row.case_id,
    detail: row.detail,
  }
}

export function toNote(row: NoteRow): BureauNote {
  return { id: row.id, caseId: row.submission_id, tokenId: row.token_id, createdAt: row.created_at, header: row.header, object: row.object }
}
