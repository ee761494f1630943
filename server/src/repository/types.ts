/**
 * The submission repository: everything the server and the bureau CLI keep about submissions,
 * apart from attachment bytes (see ../blobstore). All of it is ciphertext or metadata without any
 * client fingerprint. Asynchronous throughout so that a PostgreSQL implementation can replace
 * the SQLite one without touching the routes.
 */

import type { ReceiptDigests, ReceiptScheme } from '../receipts'
import type { CaseKind, CaseRepository } from './case-types'

export type SubmissionState = 'open' | 'accepted'
export type PublicStatus = 'received' | 'reviewing' | 'closed'
export const PUBLIC_STATUSES: readonly PublicStatus[] = ['received', 'reviewing', 'closed']

export interface EnvelopeHeader {
  /** 2 for everything phones make now; 1 for reports made before envelope v2. */
  v: 1 | 2
  suite: string
  kid: string
  /** base64 of the ephemeral X25519 public key. */
  epk: string
}

export interface AttachmentDeclaration {
  /** 0-based index; the crypto label is `attachment/${n}`. */
  n: number
  /** Ciphertext size in bytes. */
  size: number
  /** v2: CRC-32 of the ciphertext, 8 lowercase hex digits (the upload checksum, docs/protocol.md §5.4). */
  crc32?: string
  /** v1: lowercase hex SHA-256 of the ciphertext. Exactly one of crc32 and sha256 is set. */
  sha256?: string
}

export interface NewSubmission {
  id: string
  /** SHA-256 (hex) of the client's idempotency key. */
  idempotencyKeyHash: string
  /** SHA-256 (hex) over the request, to tell a replay from a different request with the same key. */
  requestHash: string
  header: EnvelopeHeader
  /** The encrypted report object (iv ‖ ct ‖ tag). */
  report: Buffer
  attachments: AttachmentDeclaration[]
  /**
   * Code of the branch office the resident chose, as the phone declared it beside the ciphertext
   * (docs/protocol.md §18), so that a branch-limited bureau token sees only its office's reports;
   * null (or absent) when the phone sent none (older apps) or one the campaign does not list.
   */
  branch?: string | null
  /** Epoch ms. */
  createdAt: number
  expiresAt: number
}

export interface Submission {
  id: string
  state: SubmissionState
  header: EnvelopeHeader
  attachments: AttachmentDeclaration[]
  reportSize: number
  /** See NewSubmission.branch. */
  branch: string | null
  createdAt: number
  /** Set while open: when it and its blobs are deleted. */
  expiresAt: number | null
  acceptedAt: number | null
  /** Set once accepted. */
  status: PublicStatus | null
  statusChangedAt: number | null
  publicNote: string | null
  /** Hash of the receipt, once accepted (server/src/receipts.ts), and the scheme that made it. */
  receiptHash: string | null
  receiptScheme: ReceiptScheme | null
  requestHash: string
}

export type CreateResult =
  | { outcome: 'created'; submission: Submission }
  | { outcome: 'existing'; submission: Submission }
  | { outcome: 'conflict' }

export type AcceptResult =
  | { outcome: 'accepted'; submission: Submission }
  /** Already accepted with this same receipt hash. */
  | { outcome: 'already'; submission: Submission }
  /** Already accepted with another receipt. */
  | { outcome: 'receipt-mismatch' }
  /** Another submission already uses this receipt hash (draw a new receipt). */
  | { outcome: 'receipt-in-use' }
  | { outcome: 'not-found' }

export interface StatusView {
  status: PublicStatus
  changedAt: number
  publicNote: string | null
}

export interface ListQuery {
  state?: SubmissionState
  status?: PublicStatus
  /** Only submissions created at or after this epoch ms. */
  since?: number
  /** Only submissions created before this epoch ms. */
  until?: number
  /**
   * Only submissions declared for one of these branch codes (a branch-limited bureau token);
   * undefined = every submission. An empty list matches nothing.
   */
  branches?: readonly string[]
  /** Page size (default 100, at most 1000). */
  limit?: number
  /** Continue after this id (ordering is by createdAt, then id). */
  after?: string
}

export interface SubmissionRepository {
  /** The case channel (case-types.ts), on the same storage. */
  readonly cases: CaseRepository
  /**
   * Creates the submission unless one with the same idempotency key hash exists (and is not
   * expired at `now`): then the existing one is returned if the request hash matches, else conflict.
   */
  createSubmission(input: NewSubmission, now: number): Promise<CreateResult>
  /** An open submission past its expiry counts as absent when `now` is given. */
  getSubmission(id: string, now?: number): Promise<Submission | undefined>
  /** The encrypted report object. */
  getReport(id: string): Promise<Buffer | undefined>
  /**
   * Accepts an open, unexpired submission under the receipt (stored with the current scheme);
   * idempotent for the same receipt. Times are kept to the minute. `kind`: 'case' when the hash is
   * the verifier of the phone's authenticator (HMAC(pepper, A)), 'legacy' when made from the receipt.
   */
  acceptSubmission(id: string, receipt: ReceiptDigests, now: number, kind?: CaseKind): Promise<AcceptResult>
  /** The public status for a receipt, if an accepted submission has it (under the scheme its row records). */
  findStatusByReceipt(receipt: ReceiptDigests): Promise<StatusView | undefined>

  // Bureau operations (also used by the bureau CLI).
  listSubmissions(query?: ListQuery): Promise<Submission[]>
  /** Sets the public status of an accepted submission; `note` undefined keeps the current note, null clears it. */
  setStatus(id: string, status: PublicStatus, note: string | null | undefined, now: number): Promise<Submission | undefined>
  /** Deletes the submission's rows (the caller deletes its blobs). True if it existed. */
  deleteSubmission(id: string): Promise<boolean>
  /** The sweep's delete: only while the submission is still open and expired at `now`, atomically. True if it deleted. */
  deleteIfExpired(id: string, now: number): Promise<boolean>
  /** Ids of open submissions whose expiry is at or before `now`. */
  listExpired(now: number, limit?: number): Promise<string[]>
  /** Whether a row exists for the id (any state, expired or not). */
  exists(id: string): Promise<boolean>
  /** Every unfinished submission with its declared bytes (report + attachments), for the caps at boot. */
  listOpenSizes(): Promise<{ id: string; bytes: number }[]>
  close(): Promise<void>
}

/** A bureau workstation's API token (the secret itself is never stored: only its SHA-256). */
export interface BureauToken {
  /** 16 hex digits, shown in lists and the audit log. */
  id: string
  name: string
  /** Branch codes this token is limited to; [] = every branch. */
  branches: string[]
  createdAt: number
  revokedAt: number | null
  lastUsedAt: number | null
}

export interface NewBureauToken {
  id: string
  name: string
  /** SHA-256 (hex) of the token secret. */
  secretHash: string
  branches: string[]
  createdAt: number
}

/** Actions recorded in the audit log (docs/bureau-api.md). */
export const AUDIT_ACTIONS = [
  'token.create', 'token.revoke', 'cases.list', 'case.view', 'case.report', 'case.attachment', 'case.status',
  'case.read', 'case.note', 'case.notes', 'case.reply', 'case.messages', 'audit.read', 'campaign.read',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

export interface AuditEntry {
  /** Increasing, gap-free within one database. */
  seq: number
  at: number
  /** The token's id; "cli" for commands run on the server host. */
  tokenId: string
  /** The token's name when the entry was written. */
  tokenName: string
  action: AuditAction
  caseId: string | null
  /** Short machine-made detail (a status code, an attachment number): never plaintext. */
  detail: string | null
}

export type NewAuditEntry = Omit<AuditEntry, 'seq'>

export interface AuditQuery {
  caseId?: string
  tokenId?: string
  /** Entries after this seq (paging forward). */
  after?: number
  /** Page size (default 200, at most 1000). */
  limit?: number
  /** Newest first when true (default), oldest first when false. */
  newestFirst?: boolean
}

/** An internal note: ciphertext only the bureau's private key opens (docs/protocol.md §19). */
export interface BureauNote {
  id: string
  caseId: string
  tokenId: string
  createdAt: number
  /** The note's header, as JSON the server does not interpret beyond its size. */
  header: string
  object: Buffer
}

/** Per-case bureau bookkeeping for lists: first opening and note count. */
export interface CaseBureauState {
  /** When a workstation first marked the case read (epoch ms), or null. */
  readAt: number | null
  notes: number
}

/**
 * What the bureau API needs beyond the submissions: tokens, the append-only audit log, internal
 * notes and read marks. Implemented by the same storage as SubmissionRepository (issue 16 brings a
 * PostgreSQL implementation of both).
 */
export interface BureauRepository {
  createToken(token: NewBureauToken): Promise<BureauToken>
  /** The live (not revoked) token with this secret hash, or its revoked record, or undefined. */
  findToken(secretHash: string): Promise<BureauToken | undefined>
  listTokens(): Promise<BureauToken[]>
  /** Revokes by id; false when there is no such token (revoking twice keeps the first time). */
  revokeToken(id: string, now: number): Promise<boolean>
  /** Records the use of a token (kept to the minute). */
  touchToken(id: string, now: number): Promise<void>

  /** Appends to the audit log; there is no way to change or remove an entry. */
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>
  /** Appends several entries at once (all or none). */
  appendAuditMany(entries: NewAuditEntry[]): Promise<void>
  listAudit(query?: AuditQuery): Promise<AuditEntry[]>

  addNote(note: BureauNote): Promise<BureauNote>
  listNotes(caseId: string): Promise<BureauNote[]>
  /** Sets the read mark once (the first time); returns the mark. */
  markRead(caseId: string, now: number): Promise<number | undefined>
  /** Read marks and note counts for these cases. */
  caseBureauStates(caseIds: readonly string[]): Promise<Map<string, CaseBureauState>>
}

/** Everything the server keeps, behind one storage implementation. */
export type Repository = SubmissionRepository & BureauRepository
