/**
 * Opening one envelope v2 object (docs/protocol.md §5.3) in memory: the phone reads the bureau's
 * replies and its own copies of case messages with it (small objects; attachments are never
 * opened on the phone). The layout follows from the size alone; every chunk's tag is verified
 * before its plaintext is used, and nothing is returned before the last chunk verified.
 */
import { open } from './chacha20poly1305'
import { CHUNK_LENGTH, LENGTH_PREFIX, OBJECT_NONCE_LENGTH, SEALED_CHUNK_LENGTH, chunkNonce } from './object'
import { padme } from './padme'

const TAG = SEALED_CHUNK_LENGTH - CHUNK_LENGTH

export type ObjectOpenErrorCode = 'TRUNCATED' | 'BAD_MAC' | 'BAD_PADDING'

export class ObjectOpenError extends Error {
  constructor(
    readonly code: ObjectOpenErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`)
    this.name = 'ObjectOpenError'
  }
}

/** Chunks and framed length of an object of `size` bytes, or undefined when no v2 object has that size. */
export function objectLayout(size: number): { chunks: number; framed: number } | undefined {
  if (!Number.isSafeInteger(size) || size < OBJECT_NONCE_LENGTH + LENGTH_PREFIX + TAG) return undefined
  const body = size - OBJECT_NONCE_LENGTH
  const chunks = Math.ceil(body / SEALED_CHUNK_LENGTH)
  if (body - (chunks - 1) * SEALED_CHUNK_LENGTH <= TAG) return undefined
  const framed = body - chunks * TAG
  if (framed < LENGTH_PREFIX || padme(framed) !== framed) return undefined
  return { chunks, framed }
}

/** The object's nonce (its first 16 bytes), which its key derivation needs. */
export function objectNonceOf(object: Uint8Array): Uint8Array {
  if (!(object instanceof Uint8Array) || object.length < OBJECT_NONCE_LENGTH) throw new ObjectOpenError('TRUNCATED', 'object shorter than its nonce')
  return object.slice(0, OBJECT_NONCE_LENGTH)
}

/** Verifies and decrypts a whole object under its key; throws ObjectOpenError. */
export function openObjectBytes(key: Uint8Array, object: Uint8Array): Uint8Array {
  const layout = objectLayout(object.length)
  if (!layout) throw new ObjectOpenError('TRUNCATED', `${object.length} bytes is not the size of any v2 object`)
  const framed = new Uint8Array(layout.framed)
  let at = 0
  for (let i = 0; i < layout.chunks; i++) {
    const start = OBJECT_NONCE_LENGTH + i * SEALED_CHUNK_LENGTH
    const sealed = object.subarray(start, Math.min(start + SEALED_CHUNK_LENGTH, object.length))
    const plain = open(key, chunkNonce(i, i === layout.chunks - 1), sealed)
    if (!plain) {
      framed.fill(0)
      throw new ObjectOpenError('BAD_MAC', `authentication failed in chunk ${i}: altered, truncated, moved, or not for this key`)
    }
    framed.set(plain, at)
    at += plain.length
  }
  let n = 0
  for (let i = 0; i < LENGTH_PREFIX; i++) n = n * 256 + framed[i]
  let nonZero = 0
  const end = LENGTH_PREFIX + n
  if (!Number.isSafeInteger(n) || padme(end) !== layout.framed) throw new ObjectOpenError('BAD_PADDING', 'the length prefix does not match the padded size (broken sender)')
  for (let i = end; i < framed.length; i++) nonZero |= framed[i]
  if (nonZero !== 0) throw new ObjectOpenError('BAD_PADDING', 'the padding is not zero (broken sender)')
  return framed.slice(LENGTH_PREFIX, end)
}
