/**
 * Envelope v1 decryption (docs/protocol.md) with node:crypto only: the independent second
 * implementation the bureau tools and the tests use. Shares no code with the client (src/crypto).
 *
 * Nothing decrypted leaves this module before the object's HMAC has verified in constant time.
 */
import { createDecipheriv, createHash, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto'
import { open, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { EnvelopeError } from './errors'
import type { BureauKeyPair } from './keys'

export const ENVELOPE_VERSION = 1
export const SUITE = 'x25519-hkdf-sha256-aes256cbc-hmacsha256'
export const INFO_PREFIX = 'clue-report/v1/'
const IV_LENGTH = 16
const BLOCK = 16
const TAG_LENGTH = 32
/** iv + one padding block + tag: the object of an empty plaintext. */
export const MIN_OBJECT_LENGTH = IV_LENGTH + BLOCK + TAG_LENGTH

export interface EnvelopeHeader {
  v: 1
  suite: typeof SUITE
  kid: string
  epk: string
}

export interface ObjectKeys {
  encKey: Buffer
  macKey: Buffer
}

/** One key, or every key the bureau holds (the header's kid picks one). */
export type PrivateKeys = BureauKeyPair | readonly BureauKeyPair[]

/** Accepts exactly { v: 1, suite, kid, epk } (or its JSON text); throws BAD_HEADER otherwise. */
export function parseHeader(input: unknown): EnvelopeHeader {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch {
      throw new EnvelopeError('BAD_HEADER', 'header is not JSON')
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EnvelopeError('BAD_HEADER', 'header is not an object')
  const header = value as Record<string, unknown>
  const keys = Object.keys(header).sort().join(',')
  if (keys !== 'epk,kid,suite,v') throw new EnvelopeError('BAD_HEADER', `header must have exactly v, suite, kid, epk; has ${keys || 'nothing'}`)
  if (header.v !== ENVELOPE_VERSION) throw new EnvelopeError('BAD_HEADER', `unsupported envelope version ${JSON.stringify(header.v)}`)
  if (header.suite !== SUITE) throw new EnvelopeError('BAD_HEADER', `unsupported suite ${JSON.stringify(header.suite)}`)
  if (typeof header.kid !== 'string' || !/^[0-9a-f]{16}$/.test(header.kid)) throw new EnvelopeError('BAD_HEADER', 'kid must be 16 lowercase hex characters')
  decodeEpk(header.epk)
  return { v: 1, suite: SUITE, kid: header.kid, epk: header.epk as string }
}

/** "report" or "attachment/<n>" (decimal, no leading zeros); anything else is BAD_LABEL. */
export function checkLabel(label: string): void {
  if (label === 'report') return
  const match = typeof label === 'string' ? /^attachment\/(0|[1-9][0-9]{0,14})$/.exec(label) : null
  if (!match || !Number.isSafeInteger(Number(match[1]))) throw new EnvelopeError('BAD_LABEL', `invalid object label ${JSON.stringify(label)}`)
}

/** Picks the key the header names: WRONG_KEY for a single other key, UNKNOWN_KID for a key ring. */
export function selectKey(header: EnvelopeHeader, keys: PrivateKeys): BureauKeyPair {
  if (!Array.isArray(keys)) {
    const key = keys as BureauKeyPair
    if (key.kid !== header.kid) throw new EnvelopeError('WRONG_KEY', `the envelope is for key ${header.kid}, not for the supplied key ${key.kid}`)
    return key
  }
  const found = (keys as readonly BureauKeyPair[]).find((key) => key.kid === header.kid)
  if (!found) throw new EnvelopeError('UNKNOWN_KID', `no private key with kid ${header.kid}`)
  return found
}

/** Z = X25519(b, E); okm = HKDF-SHA256(Z, salt E ‖ B, info "clue-report/v1/" + label, 64). */
export function deriveObjectKeys(options: { header: EnvelopeHeader; privateKey: PrivateKeys; label: string }): ObjectKeys {
  const header = parseHeader(options.header)
  checkLabel(options.label)
  const key = selectKey(header, options.privateKey)
  const epk = decodeEpk(header.epk)
  const shared = sharedSecret(key.privateKey, epk)
  const okm = Buffer.from(hkdfSync('sha256', shared, Buffer.concat([epk, key.publicKey]), Buffer.from(INFO_PREFIX + options.label, 'utf8'), 64))
  shared.fill(0)
  return { encKey: okm.subarray(0, 32), macKey: okm.subarray(32, 64) }
}

export interface OpenObjectOptions {
  header: EnvelopeHeader
  privateKey: PrivateKeys
  label: string
  /** iv ‖ ciphertext ‖ tag. */
  object: Uint8Array
}

/** Decrypts one object in memory (the report, or an attachment of up to tens of MB). */
export function openObject(options: OpenObjectOptions): Buffer {
  const object = Buffer.from(options.object.buffer, options.object.byteOffset, options.object.byteLength)
  const { encKey, macKey } = deriveObjectKeys(options)
  try {
    checkObjectLength(object.length)
    const iv = object.subarray(0, IV_LENGTH)
    const ciphertext = object.subarray(IV_LENGTH, object.length - TAG_LENGTH)
    const tag = object.subarray(object.length - TAG_LENGTH)
    const expected = createHmac('sha256', macKey).update(iv).update(ciphertext).digest()
    if (!timingSafeEqual(expected, tag)) throw badMac()
    return decrypt(encKey, iv, [ciphertext])
  } finally {
    encKey.fill(0)
    macKey.fill(0)
  }
}

export interface OpenObjectFileOptions {
  header: EnvelopeHeader
  privateKey: PrivateKeys
  label: string
  /** File holding iv ‖ ciphertext ‖ tag. */
  inputPath: string
  /** Where the plaintext goes; must not exist yet. Created only when everything verified. */
  outputPath: string
}

const READ_CHUNK = 1024 * 1024

/**
 * Decrypts an object file with bounded memory. Pass 1 verifies the tag over the whole file;
 * only then pass 2 decrypts into a temporary file beside `outputPath`, re-checking the tag (the
 * file could change between passes), and renames it into place. On any failure nothing is left.
 */
export async function openObjectFile(options: OpenObjectFileOptions): Promise<{ size: number; sha256: string }> {
  const { inputPath, outputPath } = options
  // Header, label and key problems are reported before any file is touched.
  selectKey(parseHeader(options.header), options.privateKey)
  checkLabel(options.label)
  const existing = await stat(outputPath).catch(() => undefined)
  if (existing) throw new Error(`${outputPath} already exists`)

  const input = await open(inputPath, 'r')
  const temporary = join(dirname(outputPath), `.${basename(outputPath)}.${randomBytes(6).toString('hex')}.partial`)
  let output: Awaited<ReturnType<typeof open>> | undefined
  let keys: ObjectKeys | undefined
  try {
    keys = deriveObjectKeys(options)
    const { encKey, macKey } = keys
    const { size } = await input.stat()
    checkObjectLength(size)
    const bodyEnd = size - TAG_LENGTH
    const tag = await readExactly(input, size - TAG_LENGTH, TAG_LENGTH)

    // Pass 1: authenticate iv ‖ ciphertext.
    const mac = createHmac('sha256', macKey)
    await forEachChunk(input, 0, bodyEnd, (chunk) => mac.update(chunk))
    if (!timingSafeEqual(mac.digest(), tag)) throw badMac()

    // Pass 2: decrypt, authenticating again what is actually decrypted.
    const iv = await readExactly(input, 0, IV_LENGTH)
    const mac2 = createHmac('sha256', macKey).update(iv)
    const decipher = createDecipheriv('aes-256-cbc', encKey, iv)
    const hash = createHash('sha256')
    output = await open(temporary, 'wx', 0o600)
    let written = 0
    const out = output
    await forEachChunk(input, IV_LENGTH, bodyEnd, async (chunk) => {
      mac2.update(chunk)
      const plain = decipher.update(chunk)
      hash.update(plain)
      written += plain.length
      await writeAll(out, plain)
    })
    const tagAgain = await readExactly(input, size - TAG_LENGTH, TAG_LENGTH)
    if (!timingSafeEqual(mac2.digest(), tag) || !timingSafeEqual(tagAgain, tag)) throw badMac('the file changed while it was being decrypted')
    let last: Buffer
    try {
      last = decipher.final()
    } catch {
      throw new EnvelopeError('BAD_PADDING', 'the tag verified but the padding is invalid (broken sender)')
    }
    hash.update(last)
    written += last.length
    await writeAll(output, last)
    await output.sync()
    await output.close()
    output = undefined
    await rename(temporary, outputPath)
    return { size: written, sha256: hash.digest('hex') }
  } catch (error) {
    await output?.close().catch(() => undefined)
    await rm(temporary, { force: true })
    throw error
  } finally {
    keys?.encKey.fill(0)
    keys?.macKey.fill(0)
    await input.close()
  }
}

/** Z = X25519(b, E); BAD_HEADER when E is a low-order point (Z all zero). */
function sharedSecret(privateKey: KeyObject, epk: Buffer): Buffer {
  const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epk.toString('base64url') }, format: 'jwk' })
  let shared: Buffer
  try {
    shared = diffieHellman({ privateKey, publicKey: peer })
  } catch {
    // OpenSSL refuses an all-zero result itself.
    throw new EnvelopeError('BAD_HEADER', 'epk is a low-order point (shared secret is zero)')
  }
  if (shared.every((byte) => byte === 0)) throw new EnvelopeError('BAD_HEADER', 'epk is a low-order point (shared secret is zero)')
  return shared
}

let probeKey: KeyObject | undefined

/**
 * The epk checks of opening, without the bureau's private key (the server's create route): 32
 * bytes of canonical base64, a canonical point, and not of low order. X25519 with any clamped
 * scalar is zero exactly for the low-order points, so a throwaway key tells them apart.
 */
export function checkEpk(value: unknown): Buffer {
  const epk = decodeEpk(value)
  probeKey ??= generateKeyPairSync('x25519').privateKey
  sharedSecret(probeKey, epk).fill(0)
  return epk
}

function decodeEpk(value: unknown): Buffer {
  if (typeof value !== 'string') throw new EnvelopeError('BAD_HEADER', 'epk must be a base64 string')
  const bytes = Buffer.from(value, 'base64')
  if (bytes.length !== 32 || bytes.toString('base64') !== value) throw new EnvelopeError('BAD_HEADER', 'epk must be 32 bytes of canonical base64')
  if (!isCanonicalPoint(bytes)) throw new EnvelopeError('BAD_HEADER', 'epk is not a canonical X25519 public key')
  return bytes
}

/** Top bit clear and u < 2^255 - 19 (little-endian), so one point has one spelling. */
function isCanonicalPoint(u: Buffer): boolean {
  if (u[31] & 0x80) return false
  const p = Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex')
  for (let i = 31; i >= 0; i--) {
    if (u[i] !== p[i]) return u[i] < p[i]
  }
  return false
}

function checkObjectLength(length: number): void {
  if (length < MIN_OBJECT_LENGTH || (length - IV_LENGTH - TAG_LENGTH) % BLOCK !== 0) {
    throw new EnvelopeError('TRUNCATED', `object is ${length} bytes; a v1 object is 16 + 16k + 32 bytes with k >= 1`)
  }
}

function badMac(detail = 'altered, truncated, or not this label of this envelope'): EnvelopeError {
  return new EnvelopeError('BAD_MAC', `authentication failed: ${detail}`)
}

function decrypt(encKey: Buffer, iv: Buffer, pieces: Buffer[]): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', encKey, iv)
  const out = pieces.map((piece) => decipher.update(piece))
  try {
    out.push(decipher.final())
  } catch {
    throw new EnvelopeError('BAD_PADDING', 'the tag verified but the padding is invalid (broken sender)')
  }
  return Buffer.concat(out)
}

type FileHandle = Awaited<ReturnType<typeof open>>

async function readExactly(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  let done = 0
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done)
    if (bytesRead === 0) throw new EnvelopeError('TRUNCATED', 'the object file ended early (changed while reading?)')
    done += bytesRead
  }
  return buffer
}

async function writeAll(file: FileHandle, bytes: Buffer): Promise<void> {
  // write() may write less than asked; loop until all of it is on its way to disk.
  for (let done = 0; done < bytes.length; ) done += (await file.write(bytes, done, bytes.length - done)).bytesWritten
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
