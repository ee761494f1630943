/**
 * One envelope v2 object (docs/protocol.md §5): object nonce ‖ STREAM chunks of ChaCha20-Poly1305.
 *
 *   framed  = u64be(n) ‖ plaintext (n bytes) ‖ zero bytes up to padme(8 + n)
 *   chunk i = ChaCha20-Poly1305(key, u88be(i) ‖ last, framed[64 KiB·i ..][..64 KiB])
 *
 * One pass over the data: the cipher, the authenticator and the upload checksum (CRC-32 of the
 * object's bytes, for the server) are all computed chunk by chunk as the plaintext streams in.
 * Memory is bounded by what one `update` is given plus one chunk.
 */
import { sealInto, AEAD_TAG_LENGTH } from './chacha20poly1305'
import { Crc32 } from './crc32'
import { padme } from './padme'

/** The random nonce that starts every object; it feeds the object's key derivation. */
export const OBJECT_NONCE_LENGTH = 16

/** Plaintext bytes per STREAM chunk (the last one may be shorter). */
export const CHUNK_LENGTH = 64 * 1024
/** A sealed full chunk: 64 KiB + the 16-byte tag. */
export const SEALED_CHUNK_LENGTH = CHUNK_LENGTH + AEAD_TAG_LENGTH
/** The u64 big-endian plaintext length that starts the framed plaintext. */
export const LENGTH_PREFIX = 8

/** Bytes of the framed (length-prefixed, padded) plaintext of an n-byte plaintext. */
export function framedLength(plaintextLength: number): number {
  if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0) throw new Error(`invalid plaintext size ${plaintextLength}`)
  return padme(LENGTH_PREFIX + plaintextLength)
}

/** Bytes of the object of an n-byte plaintext: nonce + framed plaintext + one tag per chunk. */
export function objectSize(plaintextLength: number): number {
  const framed = framedLength(plaintextLength)
  return OBJECT_NONCE_LENGTH + framed + Math.ceil(framed / CHUNK_LENGTH) * AEAD_TAG_LENGTH
}

/** The 12-byte ChaCha20-Poly1305 nonce of chunk i: 11-byte big-endian counter, then the last-chunk flag. */
export function chunkNonce(index: number, last: boolean): Uint8Array {
  const nonce = new Uint8Array(12)
  let n = index
  for (let i = 10; i >= 0 && n > 0; i--, n = Math.floor(n / 256)) nonce[i] = n % 256
  nonce[11] = last ? 1 : 0
  return nonce
}

/**
 * Streaming sealer of one object. Feed exactly `plaintextLength` bytes through `update`, then
 * call `finish`; the returned pieces, in order, are the object. `crc32` is the CRC-32 of every byte
 * returned so far.
 */
export class ObjectSealer {
  readonly framedLength: number
  readonly objectSize: number
  private readonly chunkCount: number
  private readonly crc = new Crc32()
  /** Framed bytes consumed so far (length prefix included). */
  private framed = 0
  private chunkIndex = 0
  /** The current chunk's framed bytes, until it is full. */
  private readonly pending = new Uint8Array(SEALED_CHUNK_LENGTH)
  private pendingLength = 0
  private started = false
  private finished = false

  constructor(
    private readonly key: Uint8Array,
    private readonly objectNonce: Uint8Array,
    private readonly plaintextLength: number,
  ) {
    if (!(key instanceof Uint8Array) || key.length !== 32) throw new Error('object key must be 32 bytes')
    if (!(objectNonce instanceof Uint8Array) || objectNonce.length !== OBJECT_NONCE_LENGTH) throw new Error(`object nonce must be ${OBJECT_NONCE_LENGTH} bytes`)
    this.framedLength = framedLength(plaintextLength)
    this.objectSize = objectSize(plaintextLength)
    this.chunkCount = Math.ceil(this.framedLength / CHUNK_LENGTH)
    // The length prefix: u64 big-endian (n < 2^53).
    let n = plaintextLength
    for (let i = LENGTH_PREFIX - 1; i >= 0; i--, n = Math.floor(n / 256)) this.pending[i] = n % 256
    this.pendingLength = LENGTH_PREFIX
    this.framed = LENGTH_PREFIX
  }

  /** Plaintext bytes taken so far. */
  get consumed(): number {
    return this.framed - LENGTH_PREFIX
  }

  get crc32(): string {
    return this.crc.hex()
  }

  /** Seals what it can of `plaintext`; returns the object bytes completed (maybe none). */
  update(plaintext: Uint8Array): Uint8Array {
    if (this.finished) throw new Error('ObjectSealer: update after finish')
    if (this.consumed + plaintext.length > this.plaintextLength) throw new Error('ObjectSealer: more plaintext than declared')
    return this.emit(plaintext, false)
  }

  /** Pads, seals the rest and returns the last bytes of the object. */
  finish(): Uint8Array {
    if (this.finished) throw new Error('ObjectSealer: finish called twice')
    if (this.consumed !== this.plaintextLength) throw new Error(`ObjectSealer: got ${this.consumed} of ${this.plaintextLength} plaintext bytes`)
    const out = this.emit(new Uint8Array(this.framedLength - this.framed), true)
    this.finished = true
    this.pending.fill(0)
    this.key.fill(0)
    return out
  }

  /**
   * Appends `data` (plaintext, or the zero padding when `final`) to the framed stream and seals
   * every chunk that is complete. The last chunk is sealed only when `final`.
   */
  private emit(data: Uint8Array, final: boolean): Uint8Array {
    const prefix = this.started ? 0 : OBJECT_NONCE_LENGTH
    const available = this.pendingLength + data.length
    // Whole chunks now complete; the one holding the end of the framed plaintext waits for `final`.
    let complete = Math.floor(available / CHUNK_LENGTH)
    const lastIndex = this.chunkCount - 1
    if (!final && this.chunkIndex + complete > lastIndex) complete = lastIndex - this.chunkIndex
    const tail = final ? available - complete * CHUNK_LENGTH : 0
    const out = new Uint8Array(prefix + complete * SEALED_CHUNK_LENGTH + (tail > 0 ? tail + AEAD_TAG_LENGTH : 0))
    if (prefix > 0) out.set(this.objectNonce, 0)
    this.started = true
    let at = prefix
    let taken = 0
    const chunks = complete + (tail > 0 ? 1 : 0)
    for (let c = 0; c < chunks; c++) {
      const length = c < complete ? CHUNK_LENGTH : tail
      // The chunk's framed bytes go straight to their place in `out` and are sealed in place.
      out.set(this.pending.subarray(0, this.pendingLength), at)
      const take = length - this.pendingLength
      out.set(data.subarray(taken, taken + take), at + this.pendingLength)
      taken += take
      this.pendingLength = 0
      const piece = out.subarray(at, at + length)
      sealInto(this.key, chunkNonce(this.chunkIndex, this.chunkIndex === lastIndex), piece, out, at)
      this.chunkIndex++
      at += length + AEAD_TAG_LENGTH
    }
    // Keep what does not fill a chunk yet.
    const rest = data.subarray(taken)
    this.pending.set(rest, this.pendingLength)
    this.pendingLength += rest.length
    this.framed += data.length
    if (final && (this.chunkIndex !== this.chunkCount || this.pendingLength !== 0)) throw new Error('internal error: object framing')
    this.crc.update(out)
    return out
  }
}

export interface SealedObject {
  bytes: Uint8Array
  crc32: string
}

/** Seals a whole object in memory (the report). */
export function sealObject(key: Uint8Array, objectNonce: Uint8Array, plaintext: Uint8Array): SealedObject {
  const sealer = new ObjectSealer(key.slice(), objectNonce, plaintext.length)
  const head = sealer.update(plaintext)
  const tail = sealer.finish()
  const bytes = new Uint8Array(head.length + tail.length)
  bytes.set(head, 0)
  bytes.set(tail, head.length)
  return { bytes, crc32: sealer.crc32 }
}
