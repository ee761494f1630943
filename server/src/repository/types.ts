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
  /** Ids of open submissions whose expiry is at or before `now`. */
  listExpired(now: number, limit?: number): Promise<string[]>
  /** Whether a row exists for the id (any state, expired or not). */
  exists(id: string): Promise<boolean>
  /** Every unfinished submission with its declared bytes (report + attachments), for the caps at boot. */
  listOpenSizes(): Promise<{ id: string; bytes: number }[]>
  close(): Promise<void>
}
