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
 *
 * Two kinds of job share the phases, the backoff and the resumable upload: a report (OutboxJob,
 * the first kind, whose records have no `kind`) and a case message (MessageJob, `kind: 'message'`:
 * a reply or added material for a case, issue 14; see ./message/).
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

/** What every kind of job has: the phase and the retry state the runner keeps. */
export interface JobBase {
  version: 1
  id: string
  createdAt: string
  files: JobFileSummary[]
  phase: JobPhase
  attachments?: StoredObject[]
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

export interface OutboxJob extends JobBase {
  kind?: 'report'
  /** The draft id: one job per draft. */
  id: string
  /** When the resident made the truthfulness declaration (goes into the report). */
  declaredAt: string
  category?: CategoryCode
  branch?: string
  /** base64url, drawn before the first request; the server never creates a second submission for it. */
  idempotencyKey: string
  /** 16 digits, drawn before the first request. Replaced only when the server says RECEIPT_IN_USE. */
  receipt: string
  /** v2 for everything encrypted now; v1 for reports encrypted before the update and still queued. */
  header?: AnyEnvelopeHeader
  report?: StoredObject
  submissionId?: string
  /** Set once a finalize request has been sent: from then on the job can no longer be cancelled. */
  finalizeSent?: boolean
  acceptedAt?: string
  /**
   * The case keys derived from the receipt in the encryption worker while encrypting (docs/protocol.md
   * §18): A is sent at finalize instead of the receipt (D went inside the report), and the seed is
   * kept so that the resident can choose to keep the case on this phone without a second
   * derivation. Worth no more than the receipt the job holds anyway; deleted with the job.
   */
  caseKeys?: CaseKeys
}

/** What was derived from a receipt: base64url of A, base64 of the seed. */
export interface CaseKeys {
  auth: string
  seed: string
}

/** One added file of a case message as queued (the bytes stay in file storage under `ref`). */
export interface MessageFile {
  label: AttachmentLabel
  name: string
  /** The MIME type recorded for the file (the detected one: src/domain/file-type.ts). */
  mime: string
  /** The kind its first bytes showed (FileKind), the message's detectedType. */
  kind: string
  size: number
  ref: string
}

/**
 * A message to the bureau about a case: a reply, added material, or both. Everything it needs
 * is in the record, so it is sent later even offline and after the app was killed; the text and
 * the files' names are plaintext on the phone (as a report draft is) until the server has it.
 */
export interface MessageJob extends JobBase {
  kind: 'message'
  /** The submission id of the case (32 hex). */
  caseId: string
  /**
   * 16 random bytes as 32 hex: the message's idempotency key and part of every object's label.
   * Drawn before the first request; replaced only while the server cannot have accepted it.
   */
  msgId: string
  /**
   * The case authenticator A (base64url), for the Case-Auth header. The case seed that encrypting
   * needs is never stored here: it comes from the open case page or a case kept on this phone
   * (src/cases/keys.ts); without either, the job waits for the 查询码 to be entered again.
   */
  auth: string
  text: string
  /** msgId of the latest message the resident had seen, or null. */
  inReplyTo: string | null
  /** The added files, in order (their n). */
  sources: MessageFile[]
  /** When the resident wrote it (ISO, goes into the message). */
  writtenAt: string
  /** The case message envelope header (docs/protocol.md). */
  header?: Record<string, unknown>
  /** The object for the bureau and the resident's own copy. */
  message?: StoredObject
  copy?: StoredObject
  /** Set once the message was posted: from then on the msgId stays (the server may hold it). */
  createSent?: boolean
}

export type AnyJob = OutboxJob | MessageJob

export interface OutboxIndexEntry {
  id: string
  createdAt: string
  kind?: 'message'
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
