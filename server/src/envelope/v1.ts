/**
 * Envelope v1 decryption (docs/protocol.md §14): AES-256-CBC + HMAC-SHA256, node:crypto only.
 * Phones no longer make v1; reports made before v2 (on the server, or still in an outbox) stay
 * readable through this module. Nothing decrypted leaves it before the object's HMAC verified.
 */
import { createDecipheriv, createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import { open } from 'node:fs/promises'
import { EnvelopeError } from './errors'
import { readExactly, writeAll, writeAtomically, type FileHandle } from './file-io'
import { agree, checkLabel, type EnvelopeHeaderV1, type PrivateKeys } from './header'

export const INFO_PREFIX_V1 = 'clue-report/v1/'
const IV_LENGTH = 16
const BLOCK = 16
const TAG_LENGTH = 32
/** iv + one padding block + tag: the object of an empty plaintext. */
export const MIN_OBJECT_LENGTH_V1 = IV_LENGTH + BLOCK + TAG_LENGTH
const READ_CHUNK = 1024 * 1024

export interface ObjectKeysV1 {
  encKey: Buffer
  macKey: Buffer
}

/** okm = HKDF-SHA256(Z, salt E ‖ B, info "clue-report/v1/" + label, 64). */
export function deriveObjectKeysV1(header: EnvelopeHeaderV1, privateKey: PrivateKeys, label: string): ObjectKeysV1 {
  checkLabel(label)
  const { shared, salt } = agree(header, privateKey)
  const okm = Buffer.from(hkdfSync('sha256', shared, salt, Buffer.from(INFO_PREFIX_V1 + label, 'utf8'), 64))
  shared.fill(0)
  return { encKey: okm.subarray(0, 32), macKey: okm.subarray(32, 64) }
}

export function openObjectV1(header: EnvelopeHeaderV1, privateKey: PrivateKeys, label: string, bytes: Uint8Array): Buffer {
  const object = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const { encKey, macKey } = deriveObjectKeysV1(header, privateKey, label)
  try {
    checkObjectLength(object.length)
    const iv = object.subarray(0, IV_LENGTH)
    const ciphertext = object.subarray(IV_LENGTH, object.length - TAG_LENGTH)
    const tag = object.subarray(object.length - TAG_LENGTH)
    const expected = createHmac('sha256', macKey).update(iv).update(ciphertext).digest()
    if (!timingSafeEqual(expected, tag)) throw badMac()
    const decipher = createDecipheriv('aes-256-cbc', encKey, iv)
    const out = [decipher.update(ciphertext)]
    try {
      out.push(decipher.final())
    } catch {
      throw badPadding()
    }
    return Buffer.concat(out)
  } finally {
    encKey.fill(0)
    macKey.fill(0)
  }
}

/**
 * Decrypts a v1 object file with bounded memory. Pass 1 verifies the tag over the whole file;
 * only then pass 2 decrypts into a temporary file, re-checking the tag (the file could change
 * between passes), which is renamed into place.
 */
export async function openObjectFileV1(
  header: EnvelopeHeaderV1,
  privateKey: PrivateKeys,
  label: string,
  inputPath: string,
  outputPath: string,
): Promise<{ size: number; sha256: string }> {
  const input = await open(inputPath, 'r')
  let keys: ObjectKeysV1 | undefined
  try {
    return await writeAtomically(outputPath, async (output) => {
      keys = deriveObjectKeysV1(header, privateKey, label)
      const { encKey, macKey } = keys
      const { size } = await input.stat()
      checkObjectLength(size)
      const bodyEnd = size - TAG_LENGTH
      const tag = await readExactly(input, size - TAG_LENGTH, TAG_LENGTH)

      const mac = createHmac('sha256', macKey)
      await forEachChunk(input, 0, bodyEnd, (chunk) => mac.update(chunk))
      if (!timingSafeEqual(mac.digest(), tag)) throw badMac()

      const iv = await readExactly(input, 0, IV_LENGTH)
      const mac2 = createHmac('sha256', macKey).update(iv)
      const decipher = createDecipheriv('aes-256-cbc', encKey, iv)
      const hash = createHash('sha256')
      let written = 0
      await forEachChunk(input, IV_LENGTH, bodyEnd, async (chunk) => {
        mac2.update(chunk)
        const plain = decipher.update(chunk)
        hash.update(plain)
        written += plain.length
        await writeAll(output, plain)
      })
      const tagAgain = await readExactly(input, size - TAG_LENGTH, TAG_LENGTH)
      if (!timingSafeEqual(mac2.digest(), tag) || !timingSafeEqual(tagAgain, tag)) throw badMac('the file changed while it was being decrypted')
      let last: Buffer
      try {
        last = decipher.final()
      } catch {
        throw badPadding()
      }
      hash.update(last)
      written += last.length
      await writeAll(output, last)
      return { size: written, sha256: hash.digest('hex') }
    })
  } finally {
    keys?.encKey.fill(0)
    keys?.macKey.fill(0)
    await input.close()
  }
}

function checkObjectLength(length: number): void {
  if (length < MIN_OBJECT_LENGTH_V1 || (length - IV_LENGTH - TAG_LENGTH) % BLOCK !== 0) {
    throw new EnvelopeError('TRUNCATED', `object is ${length} bytes; a v1 object is 16 + 16k + 32 bytes with k >= 1`)
  }
}

function badMac(detail = 'altered, truncated, or not this label of this envelope'): EnvelopeError {
  return new EnvelopeError('BAD_MAC', `authentication failed: ${detail}`)
}

function badPadding(): EnvelopeError {
  return new EnvelopeError('BAD_PADDING', 'the tag verified but the padding is invalid (broken sender)')
}

async function forEachChunk(file: FileHandle, start: number, end: number, visit: (chunk: Buffer) => unknown): Promise<void> {
  const buffer = Buffer.alloc(READ_CHUNK)
  for (let position = start; position < end; ) {
    const length = Math.min(READ_CHUNK, end - position)
    const { bytesRead } = await file.read(buffer, 0, length, position)
    if (bytesRead === 0) throw new EnvelopeError('TRUNCATED', 'the object file ended early (changed while reading?)')
    // Awaited before the buffer is refilled; HMAC, hash and decipher keep no reference to it.
    await visit(buffer.subarray(0, bytesRead))
    position += bytesRead
  }
}
