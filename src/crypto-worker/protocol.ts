/**
 * Messages between the page thread and the encryption worker (weapp: wx.createWorker; H5: a Web
 * Worker; or the same code in-thread where neither exists). The worker does arithmetic only: the
 * page thread reads the plaintext file, sends it in pieces, and writes what comes back, because a
 * WeChat worker has no file APIs. Everything is plain data: WeChat copies messages.
 *
 *   page → worker   envelope {envelope, bureauPublicKey, ephemeralSecret, expectedKid?}
 *                                                     the report's key agreement (§4), kept by id
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
 *                   error {job, seq, message}         the job failed and is forgotten
 *
 * Replies come in the order of requests. The X25519 and HKDF work happens here too, so that the
 * page thread never runs a long computation (the first X25519 alone took over 50 ms in a browser).
 * A worker that dies (WeChat's onProcessKilled) loses its jobs and envelopes; the page thread
 * starts a new worker, sends the envelope again, and seals that file again under a fresh nonce.
 */
import type { EnvelopeHeader } from '@/crypto/envelope'

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

export type SealRequest = EnvelopeRequest | ForgetRequest | BeginRequest | DataRequest | EndRequest | AbortRequest

export interface ReadyReply {
  type: 'ready'
}

export interface HeaderReply {
  type: 'header'
  envelope: number
  header: EnvelopeHeader
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
  message: string
}

export type SealReply = ReadyReply | HeaderReply | OutReply | DoneReply | ErrorReply

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
    default:
      return false
  }
}
