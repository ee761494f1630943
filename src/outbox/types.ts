/**
 * The outbox: one persistent job per report being sent. The job is the single source of truth for
 * everything that must survive a crash or a killed app: the receipt, the idempotency key, the
 * envelope header and where the encrypted copies are, their sizes and SHA-256s.
 *
 * Phases, in order (a failure never moves a job backwards past `created` on its own):
 *   encrypting  the draft is being encrypted into enc/<id>/… (after a crash: discard and redo)
 *   encrypted   every object is on the phone; nothing has been sent
 *   uploading   the server has the submission (submissionId); attachments are being uploaded
 *   finalizing  every attachment is uploaded; the receipt is being registered
 *   done        accepted: the receipt must be shown until the resident confirms saving it
 * A job that cannot go on waits (`retryAt`, `lastError`), or is `blocked` until the resident acts.
 */
import type { AnyEnvelopeHeader } from '@/crypto'
import type { ApiErrorKind } from '@/services/request'
import type { AttachmentLabel, CategoryCode } from '@/domain/types'

export type JobPhase = 'encrypting' | 'encrypted' | 'uploading' | 'finalizing' | 'done'

/**
 * An encrypted object kept on the phone until the server has accepted it, with the checksum the
 * server verifies the upload against: CRC-32 for envelope v2, SHA-256 for a report queued as v1
 * before the phone was updated (docs/protocol.md §5.4, §14).
 */
export interface StoredObject {
  /** FileStore key, e.g. enc/<draftId>/report or enc/<draftId>/0. */
  key: string
  /** Ciphertext size in bytes. */
  size: number
  /** v2: CRC-32 of the object, 8 lowercase hex digits. */
  crc32?: string
  /** v1 only: lowercase hex SHA-256 of the object. */
  sha256?: string
}

/** What the outbox shows of an attachment, without reading the draft. */
export interface JobFileSummary {
  name: string
  label: AttachmentLabel
  /** Plaintext size in bytes. */
  size: number
}

export interface JobError {
  kind: ApiErrorKind | 'local'
  code?: string
  /** Resident-facing Chinese text. */
  message: string
  at: string
}

export interface OutboxJob {
  version: 1
  /** The draft id: one job per draft. */
  id: string
  createdAt: string
  /** When the resident made the truthfulness declaration (goes into the report). */
  declaredAt: string
  category?: CategoryCode
  branch?: string
  files: JobFileSummary[]
  /** base64url, drawn before the first request; the server never creates a second submission for it. */
  idempotencyKey: string
  /** 16 digits, drawn before the first request. Replaced only when the server says RECEIPT_IN_USE. */
  receipt: string
  phase: JobPhase
  /** v2 for everything encrypted now; v1 for reports encrypted before the update and still queued. */
  header?: AnyEnvelopeHeader
  report?: StoredObject
  attachments?: StoredObject[]
  submissionId?: string
  /** Set once a finalize request has been sent: from then on the job can no longer be cancelled. */
  finalizeSent?: boolean
  acceptedAt?: string
  /** Consecutive failed attempts (for the backoff). */
  attempt: number
  /** When the next automatic attempt is due (ISO), while waiting. */
  retryAt?: string
  lastError?: JobError
  /** Automatic retries stopped: the resident must retry or cancel. */
  blocked?: boolean
  /** Times the server found an uploaded attachment damaged (ATTACHMENT_HASH_MISMATCH). */
  hashMismatches?: number
}

export interface OutboxIndexEntry {
  id: string
  createdAt: string
}

/** What a page shows about a job right now (derived from the job and the runner's state). */
export type JobStatus = 'encrypting' | 'sending' | 'waiting' | 'blocked' | 'done'

export interface FileProgress {
  name: string
  /** Ciphertext bytes the server holds (or encrypted so far, while encrypting). */
  done: number
  total: number
}

export interface JobProgress {
  /** What the runner is doing with the job right now, or undefined when it is idle. */
  activity?: 'encrypting' | 'uploading' | 'finalizing'
  /** Encryption: plaintext bytes done / total (report included as one byte). */
  encrypted: { done: number; total: number }
  files: FileProgress[]
  /** Upload: ciphertext bytes the server holds / total, over all attachments. */
  uploaded: { done: number; total: number }
  /** Estimated time left to encrypt (ms), once a few pieces are done; absent while unknown. */
  encryptLeftMs?: number
  /** Estimated time left to upload (ms), once a few chunks are acknowledged. */
  uploadLeftMs?: number
}
