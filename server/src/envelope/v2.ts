/**
 * Envelope v2 decryption (docs/protocol.md §5): X25519 + HKDF-SHA256 + ChaCha20-Poly1305 in 64 KiB
 * STREAM chunks over a length-prefixed, Padmé-padded plaintext. node:crypto only, no code shared
 * with the client (src/crypto).
 *
 * Every chunk is authenticated before its plaintext is used, and the counter and last-chunk flag
 * in each chunk's nonce make reordering, truncation and extension fail authentication. The file
 * decryptor writes to a temporary file that is renamed into place only once every chunk verified.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, type Hash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { EnvelopeError } from './errors'
import { readExactly, writeAll, writeAtomically } from './file-io'
import { agree, checkLabel, type EnvelopeHeaderV2, type PrivateKeys } from './header'
import { padme } from './padme'

export const INFO_PREFIX_V2 = 'clue-report/v2/'
export const OBJECT_NONCE_LENGTH = 16
export const CHUNK_LENGTH = 64 * 1024
export const TAG_LENGTH = 16
export const SEALED_CHUNK_LENGTH = CHUNK_LENGTH + TAG_LENGTH
const LENGTH_PREFIX = 8
/** The object of an empty plaintext: nonce, the 8-byte length prefix, one tag. */
export const MIN_OBJECT_LENGTH_V2 = OBJECT_NONCE_LENGTH + LENGTH_PREFIX + TAG_LENGTH

export interface LayoutV2 {
  /** Number of STREAM chunks. */
  chunks: number
  /** Bytes of the framed plaintext (length prefix + plaintext + padding), a Padmé value. */
  framed: number
}

/** The chunk layout of a v2 object of `size` bytes, or undefined when no v2 object has that size. */
export function layoutV2(size: number): LayoutV2 | undefined {
  if (!Number.isSafeInteger(size) || size < MIN_OBJECT_LENGTH_V2) return undefined
  const body = size - OBJECT_NONCE_LENGTH
  const chunks = Math.ceil(body / SEALED_CHUNK_LENGTH)
  const last = body - (chunks - 1) * SEALED_CHUNK_LENGTH
  if (last <= TAG_LENGTH) return undefined
  const framed = body - chunks * TAG_LENGTH
  if (framed < LENGTH_PREFIX || padme(framed) !== framed) return undefined
  return { chunks, framed }
}

/** objectKey = HKDF-SHA256(Z, salt E ‖ B, info "clue-report/v2/" ‖ label ‖ 0x00 ‖ nonce, 32). */
export function deriveObjectKeyV2(header: EnvelopeHeaderV2, privateKey: PrivateKeys, label: string, objectNonce: Uint8Array): Buffer {
  checkLabel(label)
  if (objectNonce.length !== OBJECT_NONCE_LENGTH) throw new EnvelopeError('TRUNCATED', 'object nonce must be 16 bytes')
  const { shared, salt } = agree(header, privateKey)
  const info = Buffer.concat([Buffer.from(INFO_PREFIX_V2 + label, 'utf8'), Buffer.from([0]), objectNonce])
  const key = Buffer.from(hkdfSync('sha256', shared, salt, info, 32))
  shared.fill(0)
  return key
}

/** u88be(index) ‖ (last ? 0x01 : 0x00). */
export function chunkNonceV2(index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12)
  let n = index
  for (let i = 10; i >= 0; i--, n = Math.floor(n / 256)) nonce[i] = n % 256
  nonce[11] = last ? 1 : 0
  return nonce
}

function openChunk(key: Buffer, index: number, last: boolean, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('chacha20-poly1305', key, chunkNonceV2(index, last), { authTagLength: TAG_LENGTH })
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH))
  const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_LENGTH))
  try {
    decipher.final()
  } catch {
    throw new EnvelopeError('BAD_MAC', `authentication failed in chunk ${index}: altered, truncated, reordered, or not this label of this envelope`)
  }
  return plain
}

/** Walks the framed plaintext chunk by chunk: checks the length prefix and the zero padding. */
class Unframer {
  private position = 0
  private length = -1
  private nonZero = 0
  private badPrefix = false
  constructor(
    private readonly framed: number,
    private readonly sink: (plaintext: Buffer) => Promise<void> | void,
  ) {}

  /** Checks and consumes one chunk's plaintext; returns what `sink` returned for its plaintext part. */
  push(piece: Buffer): Promise<void> | void {
    let data = piece
    if (this.position === 0) {
      const n = Number(data.readBigUInt64BE(0))
      // Judged only in finish(): a later chunk that fails its tag (a truncation) must say BAD_MAC.
      this.badPrefix = !Number.isSafeInteger(n) || padme(LENGTH_PREFIX + n) !== this.framed
      this.length = this.badPrefix ? 0 : n
      data = data.subarray(LENGTH_PREFIX)
      this.position = LENGTH_PREFIX
    }
    const plainEnd = LENGTH_PREFIX + this.length
    const take = Math.max(0, Math.min(data.length, plainEnd - this.position))
    for (let i = take; i < data.length; i++) this.nonZero |= data[i]
    this.position += data.length
    if (take > 0) return this.sink(data.subarray(0, take))
  }

  finish(): number {
    if (this.position !== this.framed) throw new EnvelopeError('TRUNCATED', 'object ended early')
    if (this.badPrefix) throw new EnvelopeError('BAD_PADDING', 'the tags verified but the length prefix does not match the padded size (broken sender)')
    if (this.nonZero !== 0) throw new EnvelopeError('BAD_PADDING', 'the tags verified but the padding is not zero (broken sender)')
    return this.length
  }
}

export function openObjectV2(header: EnvelopeHeaderV2, privateKey: PrivateKeys, label: string, bytes: Uint8Array): Buffer {
  return openStreamObject(bytes, (nonce) => deriveObjectKeyV2(header, privateKey, label, nonce))
}

/** The key of an object, from its 16-byte nonce (each kind of object derives it its own way). */
export type ObjectKeyOf = (objectNonce: Buffer) => Buffer

/**
 * Opens a v2-layout object (§5) in memory, whatever derived its key: report objects (above) and
 * case message objects (./case.ts).
 */
export function openStreamObject(bytes: Uint8Array, keyOf: ObjectKeyOf): Buffer {
  const object = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const layout = layoutV2(object.length)
  if (!layout) throw truncated(object.length)
  const key = keyOf(object.subarray(0, OBJECT_NONCE_LENGTH))
  try {
    const parts: Buffer[] = []
    const unframer = new Unframer(layout.framed, (p) => void parts.push(p))
    for (let i = 0; i < layout.chunks; i++) {
      const start = OBJECT_NONCE_LENGTH + i * SEALED_CHUNK_LENGTH
      const sealed = object.subarray(start, Math.min(start + SEALED_CHUNK_LENGTH, object.length))
      unframer.push(openChunk(key, i, i === layout.chunks - 1, sealed))
    }
    unframer.finish()
    return Buffer.concat(parts)
  } finally {
    key.fill(0)
  }
}

/** Decrypts a v2 object file in one pass with bounded memory; output only once every chunk verified. */
export function openObjectFileV2(
  header: EnvelopeHeaderV2,
  privateKey: PrivateKeys,
  label: string,
  inputPath: string,
  outputPath: string,
): Promise<{ size: number; sha256: string }> {
  return openStreamObjectFile(inputPath, outputPath, (nonce) => deriveObjectKeyV2(header, privateKey, label, nonce))
}

/** The file form of openStreamObject: the plaintext is renamed into place only once every chunk verified. */
export async function openStreamObjectFile(inputPath: string, outputPath: string, keyOf: ObjectKeyOf): Promise<{ size: number; sha256: string }> {
  const input = await open(inputPath, 'r')
  let key: Buffer | undefined
  try {
    return await writeAtomically(outputPath, async (output) => {
      const { size } = await input.stat()
      const layout = layoutV2(size)
      if (!layout) throw truncated(size)
      key = keyOf(await readExactly(input, 0, OBJECT_NONCE_LENGTH))
      const hash: Hash = createHash('sha256')
      const unframer = new Unframer(layout.framed, async (plain) => {
        hash.update(plain)
        await writeAll(output, plain)
      })
      const buffer = Buffer.alloc(SEALED_CHUNK_LENGTH)
      for (let i = 0; i < layout.chunks; i++) {
        const start = OBJECT_NONCE_LENGTH + i * SEALED_CHUNK_LENGTH
        const length = Math.min(SEALED_CHUNK_LENGTH, size - start)
        const sealed = await readExactly(input, start, length, buffer)
        await unframer.push(openChunk(key, i, i === layout.chunks - 1, sealed))
      }
      const extra = await input.read(Buffer.alloc(1), 0, 1, size)
      if (extra.bytesRead !== 0) throw new EnvelopeError('BAD_MAC', 'the file grew while it was being decrypted')
      return { size: unframer.finish(), sha256: hash.digest('hex') }
    })
  } finally {
    key?.fill(0)
    await input.close()
  }
}

/**
 * Seals a whole plaintext as a v2-layout object (§5.1–5.2) with node:crypto: what the bureau tool
 * sends as a reply (./case.ts). nonce ‖ STREAM chunks of the length-prefixed, Padmé-padded plaintext.
 */
export function sealStreamObject(key: Uint8Array, objectNonce: Uint8Array, plaintext: Uint8Array): Buffer {
  if (key.length !== 32) throw new Error('object key must be 32 bytes')
  if (objectNonce.length !== OBJECT_NONCE_LENGTH) throw new Error('object nonce must be 16 bytes')
  const framedLength = padme(LENGTH_PREFIX + plaintext.length)
  const framed = Buffer.alloc(framedLength)
  framed.writeBigUInt64BE(BigInt(plaintext.length), 0)
  framed.set(plaintext, LENGTH_PREFIX)
  const chunks = Math.ceil(framedLength / CHUNK_LENGTH)
  const parts: Buffer[] = [Buffer.from(objectNonce)]
  for (let i = 0; i < chunks; i++) {
    const cipher = createCipheriv('chacha20-poly1305', key, chunkNonceV2(i, i === chunks - 1), { authTagLength: TAG_LENGTH })
    parts.push(cipher.update(framed.subarray(i * CHUNK_LENGTH, (i + 1) * CHUNK_LENGTH)))
    cipher.final()
    parts.push(cipher.getAuthTag())
  }
  framed.fill(0)
  return Buffer.concat(parts)
}

function truncated(size: number): EnvelopeError {
  return new EnvelopeError('TRUNCATED', `object is ${size} bytes, which is not the size of any v2 object (truncated or extended)`)
}
