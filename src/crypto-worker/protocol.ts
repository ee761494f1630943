/**
 * Messages between the page thread and the encryption worker (weapp: wx.createWorker; H5: a Web
 * Worker; or the same code in-thread where neither exists). The worker does arithmetic only: the
 * page thread reads the plaintext file, sends it in pieces, and writes what comes back, because a
 * WeChat worker has no file APIs. Everything is plain data: WeChat copies messages.
 *
 *   page → worker   begin {job, key, nonce, size}     start sealing one object (envelope v2 §5)
 *                   data  {job, seq, bytes}           the next plaintext piece
 *                   end   {job, seq}                  all plaintext sent: pad and seal the rest
 *                   abort {job}                       forget the job (cancelled)
 *   worker → page   ready {}                          the worker script is running
 *                   out   {job, seq, bytes}           object bytes for data `seq` (maybe empty)
 *                   done  {job, seq, bytes, crc32}    the object's last bytes and its CRC-32
 *                   error {job, seq, message}         the job failed and is forgotten
 *
 * Replies come in the order of requests. A worker that dies (WeChat's onProcessKilled) loses its
 * jobs; the page thread starts a new worker and seals that file again under a fresh nonce.
 */

export interface BeginRequest {
  type: 'begin'
  job: number
  /** The object's 32-byte ChaCha20-Poly1305 key. */
  key: ArrayBuffer
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

export type SealRequest = BeginRequest | DataRequest | EndRequest | AbortRequest

export interface ReadyReply {
  type: 'ready'
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
  job: number
  seq: number
  message: string
}

export type SealReply = ReadyReply | OutReply | DoneReply | ErrorReply

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

/** An ArrayBuffer holding exactly `bytes` (a copy when `bytes` is a view of a larger buffer). */
export function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer
  return bytes.slice().buffer as ArrayBuffer
}

/** Checks a message's shape strictly enough that a malformed one is an error, not a crash. */
export function isSealRequest(value: unknown): value is SealRequest {
  const m = value as Partial<Record<string, unknown>> | null
  if (!m || typeof m !== 'object' || typeof m.job !== 'number') return false
  switch (m.type) {
    case 'begin':
      return m.key instanceof ArrayBuffer && m.nonce instanceof ArrayBuffer && Number.isSafeInteger(m.size)
    case 'data':
      return typeof m.seq === 'number' && m.bytes instanceof ArrayBuffer
    case 'end':
      return typeof m.seq === 'number'
    case 'abort':
      return true
    default:
      return false
  }
}
