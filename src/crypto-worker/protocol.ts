/**
 * Messages between the page thread and the encryption worker (weapp: wx.createWorker; H5: a Web
 * Worker; or the same code in-thread where neither exists). The worker does arithmetic only: the
 * page thread reads the plaintext file, sends it in pieces, and writes what comes back, because a
 * WeChat worker has no file APIs. Everything is plain data: WeChat copies messages.
 *
 *   page → worker   envelope {envelope, bureauPublicKey, ephemeralSecret, expectedKid?}
 *                                                     the report's key agreement (§4), kept by id
 *                   case-envelope {envelope, caseId, msgId, bureauPublicKey, seed, ephemeralSecret}
 *                                                     a resident's case message (§19), kept by id;
 *                                                     its objects are then sealed by begin/data/end
 *                   derive {job, receipt, salt, params}
 *                                                     the case KDF (§18): scrypt of the 查询码
 *                   case-open {job, header, caseId, msgId, from, object, seed, bureauPublicKey}
 *                                                     open a message object addressed to the resident
 *                   begin {job, envelope, label, nonce, size}
 *                                                     start sealing one object (envelope v2 §5)
 *                   data  {job, seq, bytes}           the next plaintext piece
 *                   end   {job, seq}                  all plaintext sent: pad and seal the rest
 *                   abort {job}                       forget the job (cancelled)
 *                   forget {envelope}                 the report is encrypted: forget its secret
 *   worker → page   ready {}                          the worker script is running
 *                   header {envelope, header}         the envelope header (reply to envelope)
 *                   out   {job, seq, bytes}           object bytes for data `seq` (maybe empty)
 *                   done  {job, seq, bytes, crc32}    the object's last bytes and its CRC-32
 *                   error {job, seq, message, op?}    the job failed and is forgotten
 *                   derive-progress {job, done}       fraction of the KDF done (0 … 1), now and then
 *                   derived {job, authenticator, seed, replyKey}  A, seed and D (32 bytes each)
 *                   case-opened {job, message}        the checked plaintext (case-open)
 *
 * Replies come in the order of requests. The X25519 and HKDF work happens here too, so that the
 * page thread never runs a long computation (the first X25519 alone took over 50 ms in a browser).
 * A worker that dies (WeChat's onProcessKilled) loses its jobs and envelopes; the page thread
 * starts a new worker, sends the envelope again, and seals that file again under a fresh nonce.
 */
import type { EnvelopeHeader } from '@/crypto/envelope'
import type { ScryptParams } from '@/crypto/scrypt'
import type { CaseMessageHeader } from '@/case/header'
import type { CaseRole } from '@/case/labels'
import type { CaseMessagePlaintext } from '@/case/plaintext'

export interface EnvelopeRequest {
  type: 'envelope'
  envelope: number
  bureauPublicKey: ArrayBuffer
  /** The report's ephemeral secret e (32 bytes). */
  ephemeralSecret: ArrayBuffer
  expectedKid?: string
}

export interface ForgetRequest {
  type: 'forget'
  envelope: number
}

export interface BeginRequest {
  type: 'begin'
  job: number
  /** The envelope (sent before) whose key agreement derives this object's key. */
  envelope: number
  /** "report" or "attachment/<n>". */
  label: string
  /** The 16-byte object nonce (the object's first bytes). */
  nonce: ArrayBuffer
  /** Plaintext bytes that will follow. */
  size: number
}

export interface DataRequest {
  type: 'data'
  job: number
  seq: number
  bytes: ArrayBuffer
}

export interface EndRequest {
  type: 'end'
  job: number
  seq: number
}

export interface AbortRequest {
  type: 'abort'
  job: number
}

/** A resident's case message: its key agreement (docs/protocol.md §19), from the case seed. */
export interface CaseEnvelopeRequest {
  type: 'case-envelope'
  envelope: number
  caseId: string
  msgId: string
  /** B, from the accepted signed key list. */
  bureauPublicKey: ArrayBuffer
  /** The case seed (32 bytes): the worker derives d and D from it. */
  seed: ArrayBuffer
  /** e (32 fresh random bytes). */
  ephemeralSecret: ArrayBuffer
}

/** The case KDF (docs/protocol.md §18): scrypt(查询码, salt, params). */
export interface DeriveRequest {
  type: 'derive'
  job: number
  /** The 16-digit 查询码. */
  receipt: string
  /** caseSalt(campaign id), or the server's legacy receipt salt. */
  salt: ArrayBuffer
  params: ScryptParams
}

/** Opens one case message object addressed to the resident (a bureau message, or the resident's own copy). */
export interface CaseOpenRequest {
  type: 'case-open'
  job: number
  header: unknown
  caseId: string
  msgId: string
  /** Who wrote it, as the server lists it (a lie fails the tag). */
  from: CaseRole
  object: ArrayBuffer
  seed: ArrayBuffer
  /** B of the header's kid, from the accepted signed key list. */
  bureauPublicKey: ArrayBuffer
}

export type SealRequest =
  | EnvelopeRequest
  | CaseEnvelopeRequest
  | ForgetRequest
  | BeginRequest
  | DataRequest
  | EndRequest
  | AbortRequest
  | DeriveRequest
  | CaseOpenRequest

export interface ReadyReply {
  type: 'ready'
}

export interface HeaderReply {
  type: 'header'
  envelope: number
  /** A report's header (envelope request) or a case message's (case-envelope request). */
  header: EnvelopeHeader | CaseMessageHeader
}

export interface DeriveProgressReply {
  type: 'derive-progress'
  job: number
  /** 0 … 1. */
  done: number
}

export interface DerivedReply {
  type: 'derived'
  job: number
  authenticator: ArrayBuffer
  seed: ArrayBuffer
  /** D = X25519(d, 9) with d from the seed: public, but kept from the server for new reports. */
  replyKey: ArrayBuffer
}

export interface CaseOpenedReply {
  type: 'case-opened'
  job: number
  message: CaseMessagePlaintext
}

export interface OutReply {
  type: 'out'
  job: number
  seq: number
  bytes: ArrayBuffer
}

export interface DoneReply {
  type: 'done'
  job: number
  seq: number
  bytes: ArrayBuffer
  /** CRC-32 of the whole object, 8 lowercase hex digits (the upload checksum). */
  crc32: string
  /** Object size in bytes. */
  size: number
}

export interface ErrorReply {
  type: 'error'
  /** The job that failed, or -1 for an envelope request. */
  job: number
  seq: number
  /** Set when an envelope request failed. */
  envelope?: number
  /** Set when a derive or case-open request failed (its job is then that request's). */
  op?: 'derive' | 'case-open'
  /** For case-open: the opener's error code (TRUNCATED, BAD_MAC, BAD_PADDING, BAD_HEADER, BAD_MESSAGE, BAD_KEY). */
  code?: string
  message: string
}

export type SealReply = ReadyReply | HeaderReply | OutReply | DoneReply | ErrorReply | DeriveProgressReply | DerivedReply | CaseOpenedReply

/** A channel to a worker (or to the in-thread service). */
export interface SealTransport {
  post(request: SealRequest, transfer?: ArrayBuffer[]): void
  /** Registers the one reply handler. */
  onReply(handler: (reply: SealReply) => void): void
  /** Registers the handler for the worker dying (reclaimed by the system, crashed, failed to load). */
  onDeath(handler: (reason: string) => void): void
  terminate(): void
  /** 'worker' for a real thread, 'in-thread' for the fallback. */
  readonly kind: 'worker' | 'in-thread'
}

/**
 * Whether `x` is an ArrayBuffer, from whichever realm: a message may have been cloned by a host
 * whose ArrayBuffer is not this script's (instanceof would say no).
 */
export function isArrayBuffer(x: unknown): x is ArrayBuffer {
  return Object.prototype.toString.call(x) === '[object ArrayBuffer]'
}

/** An ArrayBuffer holding exactly `bytes` (a copy when `bytes` is a view of a larger buffer). */
export function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && isArrayBuffer(bytes.buffer)) return bytes.buffer
  return bytes.slice().buffer as ArrayBuffer
}

/** Checks a message's shape strictly enough that a malformed one is an error, not a crash. */
export function isSealRequest(value: unknown): value is SealRequest {
  const m = value as Partial<Record<string, unknown>> | null
  if (!m || typeof m !== 'object') return false
  if (m.type === 'envelope') {
    return (
      typeof m.envelope === 'number' &&
      isArrayBuffer(m.bureauPublicKey) &&
      isArrayBuffer(m.ephemeralSecret) &&
      (m.expectedKid === undefined || typeof m.expectedKid === 'string')
    )
  }
  if (m.type === 'forget') return typeof m.envelope === 'number'
  if (m.type === 'case-envelope') {
    return (
      typeof m.envelope === 'number' &&
      typeof m.caseId === 'string' &&
      typeof m.msgId === 'string' &&
      isArrayBuffer(m.bureauPublicKey) &&
      isArrayBuffer(m.seed) &&
      isArrayBuffer(m.ephemeralSecret)
    )
  }
  if (typeof m.job !== 'number') return false
  switch (m.type) {
    case 'begin':
      return typeof m.envelope === 'number' && typeof m.label === 'string' && isArrayBuffer(m.nonce) && Number.isSafeInteger(m.size)
    case 'data':
      return typeof m.seq === 'number' && isArrayBuffer(m.bytes)
    case 'end':
      return typeof m.seq === 'number'
    case 'abort':
      return true
    case 'derive': {
      const p = m.params as Partial<Record<string, unknown>> | null
      return (
        typeof m.receipt === 'string' &&
        isArrayBuffer(m.salt) &&
        typeof p === 'object' &&
        p !== null &&
        ['N', 'r', 'p', 'dkLen'].every((k) => Number.isSafeInteger(p[k]))
      )
    }
    case 'case-open':
      return (
        typeof m.caseId === 'string' &&
        typeof m.msgId === 'string' &&
        (m.from === 'resident' || m.from === 'bureau') &&
        isArrayBuffer(m.object) &&
        isArrayBuffer(m.seed) &&
        isArrayBuffer(m.bureauPublicKey)
      )
    default:
      return false
  }
}
