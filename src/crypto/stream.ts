/**
 * Chunked attachment encryption: bounded memory for files up to 100 MB, progress for the UI, and
 * a macrotask yield between chunks so taps and renders are not starved.
 */
import type { ObjectKeys } from './envelope'
import { ObjectEncryptor, ciphertextSize, IV_LENGTH } from './object'
import { concatBytes } from './bytes'

/** 256 KiB: one platform read per chunk, few enough chunks that yielding costs little. */
export const DEFAULT_CHUNK_SIZE = 256 * 1024
const MAX_CHUNK_SIZE = 16 * 1024 * 1024

export interface EncryptAttachmentOptions {
  keys: ObjectKeys
  /** 16 fresh secure random bytes. */
  iv: Uint8Array
  /** Plaintext size in bytes; `read` must deliver exactly this many. */
  size: number
  /** Returns exactly `length` plaintext bytes at `offset`. */
  read: (offset: number, length: number) => Promise<Uint8Array>
  /** Receives the object in order: iv, ciphertext pieces, then the last block and tag. */
  write: (bytes: Uint8Array) => Promise<void>
  /** Called with 0, after every chunk, and with 1 at the end; never decreases. */
  onProgress?: (fraction: number) => void
  chunkSize?: number
}

export interface EncryptAttachmentResult {
  /** SHA-256 of the plaintext, lowercase hex: goes into the report (evidence integrity). */
  plaintextSha256: string
  /** SHA-256 of the whole object iv ‖ ciphertext ‖ tag, lowercase hex: for the upload. */
  ciphertextSha256: string
  ciphertextSize: number
}

export async function encryptAttachment(options: EncryptAttachmentOptions): Promise<EncryptAttachmentResult> {
  const { keys, iv, size, read, write, onProgress } = options
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`invalid attachment size ${size}`)
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) throw new Error(`invalid chunk size ${chunkSize}`)
  if (!(iv instanceof Uint8Array) || iv.length !== IV_LENGTH) throw new Error(`iv must be ${IV_LENGTH} bytes`)

  const encryptor = new ObjectEncryptor(keys, iv, { hashPlaintext: true, hashObject: true })
  const expectedSize = ciphertextSize(size)
  let written = 0
  const emit = async (bytes: Uint8Array) => {
    written += bytes.length
    await write(bytes)
  }

  onProgress?.(0)
  // A copy, so a caller that reuses its iv buffer cannot change what was written.
  await emit(iv.slice())
  for (let offset = 0; offset < size; ) {
    const length = Math.min(chunkSize, size - offset)
    const chunk = await read(offset, length)
    if (!(chunk instanceof Uint8Array) || chunk.length !== length) {
      const got = chunk instanceof Uint8Array ? `${chunk.length} bytes` : typeof chunk
      throw new Error(`attachment read at offset ${offset} returned ${got}, expected ${length} bytes (file changed or unreadable)`)
    }
    const ciphertext = encryptor.update(chunk)
    if (ciphertext.length > 0) await emit(ciphertext)
    offset += length
    if (offset < size) {
      onProgress?.(offset / size)
      await yieldToEventLoop()
    }
  }
  const { ciphertext, tag, plaintextSha256, objectSha256 } = encryptor.finish()
  await emit(concatBytes(ciphertext, tag))
  if (written !== expectedSize) throw new Error(`internal error: wrote ${written} bytes, expected ${expectedSize}`)
  onProgress?.(1)
  return { plaintextSha256: plaintextSha256!, ciphertextSha256: objectSha256!, ciphertextSize: written }
}

type Scheduler = (callback: () => void) => void

let scheduler: Scheduler | undefined

/**
 * Resolves on a later macrotask. setImmediate (Node) and MessageChannel (browsers) avoid the
 * 4 ms clamp of nested setTimeout; the WeChat logic layer has only setTimeout.
 */
export function yieldToEventLoop(): Promise<void> {
  if (!scheduler) scheduler = pickScheduler()
  const schedule = scheduler
  return new Promise((resolve) => schedule(resolve))
}

function pickScheduler(): Scheduler {
  // typeof on free identifiers, not globalThis: iOS before 12.2 has no globalThis.
  if (typeof setImmediate === 'function') return (callback) => void setImmediate(callback)
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel()
    const queue: Array<() => void> = []
    channel.port1.onmessage = () => queue.shift()?.()
    return (callback) => {
      queue.push(callback)
      channel.port2.postMessage(0)
    }
  }
  return (callback) => void setTimeout(callback, 0)
}
