/**
 * Bureau X25519 key pairs and their passphrase-protected private key files (docs/protocol.md §8).
 * node:crypto only; shares no code with the client (src/crypto).
 */
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scrypt, type KeyObject } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { EnvelopeError } from './errors'

export interface BureauKeyPair {
  /** First 8 bytes of SHA-256(publicKey), 16 lowercase hex characters. */
  kid: string
  /** Raw 32-byte X25519 public key. */
  publicKey: Buffer
  privateKey: KeyObject
}

export const KEY_FILE_FORMAT = 'clue-report/bureau-private-key@1'
/** scrypt cost 2^17 with r = 8 (128 MiB, about half a second): the file is what a thief gets. */
export const DEFAULT_SCRYPT_LOG_N = 17
const MIN_SCRYPT_LOG_N = 14
const MAX_SCRYPT_LOG_N = 20
const SCRYPT_R = 8
const SCRYPT_P = 1
const MIN_PASSPHRASE_LENGTH = 8
const MAX_KEY_FILE_BYTES = 64 * 1024

// DER prefixes of X25519 keys (RFC 8410): PKCS#8 private key and SubjectPublicKeyInfo.
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')

export function kidOf(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new EnvelopeError('BAD_HEADER', 'an X25519 public key is 32 bytes')
  return createHash('sha256').update(publicKey).digest().subarray(0, 8).toString('hex')
}

export function generateBureauKeyPair(): BureauKeyPair {
  const { privateKey } = generateKeyPairSync('x25519')
  return keyPairFromPrivateKey(privateKey)
}

/** The key pair of a raw 32-byte X25519 private key (RFC 7748 scalar bytes). */
export function bureauKeyPairFromRaw(rawPrivateKey: Uint8Array): BureauKeyPair {
  if (rawPrivateKey.length !== 32) throw new EnvelopeError('BAD_KEY_FILE', 'an X25519 private key is 32 bytes')
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, rawPrivateKey]), format: 'der', type: 'pkcs8' })
  return keyPairFromPrivateKey(privateKey)
}

/** The raw 32-byte private key; handle with care. */
export function rawPrivateKey(keyPair: BureauKeyPair): Buffer {
  const jwk = keyPair.privateKey.export({ format: 'jwk' })
  if (jwk.crv !== 'X25519' || typeof jwk.d !== 'string') throw new EnvelopeError('BAD_KEY_FILE', 'not an X25519 private key')
  return Buffer.from(jwk.d, 'base64url')
}

function keyPairFromPrivateKey(privateKey: KeyObject): BureauKeyPair {
  if (privateKey.asymmetricKeyType !== 'x25519') throw new EnvelopeError('BAD_KEY_FILE', 'not an X25519 private key')
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' })
  const publicKey = Buffer.from(String(jwk.x), 'base64url')
  return { kid: kidOf(publicKey), publicKey, privateKey }
}

export interface KeyFileOptions {
  /** log2 of scrypt's N, 14..20; default 17. Lower only in tests. */
  scryptLogN?: number
  /** A note stored in the clear, e.g. who made the key and when. */
  comment?: string
}

interface KeyFile {
  format: string
  comment?: string
  kid: string
  publicKey: string
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string }
  cipher: { name: 'aes-256-gcm'; nonce: string }
  encryptedPrivateKey: string
}

/** Serializes a key pair to key file text, the private key sealed under the passphrase. */
export async function encodePrivateKeyFile(keyPair: BureauKeyPair, passphrase: string, options: KeyFileOptions = {}): Promise<string> {
  const raw = rawPrivateKey(keyPair)
  try {
    return await sealKeyFile(KEY_FILE_FORMAT, keyPair.publicKey, raw, passphrase, options)
  } finally {
    raw.fill(0)
  }
}

/** Opens key file text. Throws BAD_KEY_FILE when malformed, BAD_PASSPHRASE when it does not open. */
export async function decodePrivateKeyFile(text: string, passphrase: string): Promise<BureauKeyPair> {
  const { raw, publicKey } = await openKeyFile(text, passphrase, KEY_FILE_FORMAT)
  const keyPair = bureauKeyPairFromRaw(raw)
  raw.fill(0)
  if (!keyPair.publicKey.equals(publicKey)) {
    throw new EnvelopeError('BAD_KEY_FILE', 'the private key in the file does not match its public key')
  }
  return keyPair
}

/**
 * Seals a raw 32-byte private key into key file text of `format` (docs/protocol.md §8; the
 * signing key file of §14 uses the same layout under its own format string).
 */
export async function sealKeyFile(format: string, publicKeyBytes: Buffer, raw: Buffer, passphrase: string, options: KeyFileOptions = {}): Promise<string> {
  if (typeof passphrase !== 'string' || [...passphrase.normalize('NFC')].length < MIN_PASSPHRASE_LENGTH) {
    throw new EnvelopeError('BAD_PASSPHRASE', `a key file passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters`)
  }
  const logN = options.scryptLogN ?? DEFAULT_SCRYPT_LOG_N
  if (!Number.isInteger(logN) || logN < MIN_SCRYPT_LOG_N || logN > MAX_SCRYPT_LOG_N) throw new RangeError(`scryptLogN must be ${MIN_SCRYPT_LOG_N}..${MAX_SCRYPT_LOG_N}`)
  const salt = randomBytes(16)
  const nonce = randomBytes(12)
  const publicKey = publicKeyBytes.toString('base64')
  const kid = kidOf(publicKeyBytes)
  const key = await deriveFileKey(passphrase, salt, 2 ** logN)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  cipher.setAAD(fileAad(format, kid, publicKey))
  const sealed = Buffer.concat([cipher.update(raw), cipher.final(), cipher.getAuthTag()])
  key.fill(0)
  const file: KeyFile = {
    format,
    ...(options.comment !== undefined ? { comment: options.comment } : {}),
    kid,
    publicKey,
    kdf: { name: 'scrypt', N: 2 ** logN, r: SCRYPT_R, p: SCRYPT_P, salt: salt.toString('base64') },
    cipher: { name: 'aes-256-gcm', nonce: nonce.toString('base64') },
    encryptedPrivateKey: sealed.toString('base64'),
  }
  return JSON.stringify(file, null, 2) + '\n'
}

/**
 * Opens key file text of `format`: the raw 32-byte private key and the public key the file
 * states (the caller checks that they belong together). BAD_KEY_FILE / BAD_PASSPHRASE as above.
 */
export async function openKeyFile(text: string, passphrase: string, format: string): Promise<{ raw: Buffer; publicKey: Buffer }> {
  const file = parseKeyFile(text, format)
  const key = await deriveFileKey(passphrase, Buffer.from(file.kdf.salt, 'base64'), file.kdf.N)
  const sealed = Buffer.from(file.encryptedPrivateKey, 'base64')
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.cipher.nonce, 'base64'))
  decipher.setAAD(fileAad(file.format, file.kid, file.publicKey))
  decipher.setAuthTag(sealed.subarray(32))
  try {
    const raw = Buffer.concat([decipher.update(sealed.subarray(0, 32)), decipher.final()])
    return { raw, publicKey: Buffer.from(file.publicKey, 'base64') }
  } catch {
    throw new EnvelopeError('BAD_PASSPHRASE', 'the key file does not open with this passphrase (wrong passphrase, or the file was altered)')
  } finally {
    key.fill(0)
  }
}

/** Reads a key file from disk (at most 64 KiB) as text. */
export async function readKeyFileText(path: string): Promise<string> {
  const bytes = await readFile(path)
  if (bytes.length > MAX_KEY_FILE_BYTES) throw new EnvelopeError('BAD_KEY_FILE', `${path} is too large to be a key file`)
  return bytes.toString('utf8')
}

/** Writes a new key file (mode 0600); refuses to overwrite an existing file. */
export async function writePrivateKeyFile(path: string, keyPair: BureauKeyPair, passphrase: string, options: KeyFileOptions = {}): Promise<void> {
  const text = await encodePrivateKeyFile(keyPair, passphrase, options)
  await writeFile(path, text, { encoding: 'utf8', flag: 'wx', mode: 0o600 })
}

export async function readPrivateKeyFile(path: string, passphrase: string): Promise<BureauKeyPair> {
  return decodePrivateKeyFile(await readKeyFileText(path), passphrase)
}

/** The GCM additional data: binds the sealed key to the identity the file claims. */
function fileAad(format: string, kid: string, publicKeyBase64: string): Buffer {
  return Buffer.from(`${format}\n${kid}\n${publicKeyBase64}`, 'utf8')
}

function deriveFileKey(passphrase: string, salt: Buffer, N: number): Promise<Buffer> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new EnvelopeError('BAD_PASSPHRASE', 'no passphrase given')
  // NFC, so a passphrase typed on another system (composed vs decomposed characters) still works.
  const secret = Buffer.from(passphrase.normalize('NFC'), 'utf8')
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, 32, { N, r: SCRYPT_R, p: SCRYPT_P, maxmem: 256 * N * SCRYPT_R }, (error, key) => {
      secret.fill(0)
      if (error) reject(error)
      else resolve(key)
    })
  })
}

function parseKeyFile(text: string, format: string): KeyFile {
  const bad = (why: string) => new EnvelopeError('BAD_KEY_FILE', `malformed key file: ${why}`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw bad('not JSON')
  }
  const file = value as Record<string, unknown>
  if (!isPlainObject(file)) throw bad('not a JSON object')
  exactKeys(file, ['format', 'kid', 'publicKey', 'kdf', 'cipher', 'encryptedPrivateKey'], ['comment'], bad, 'file')
  if (file.format !== format) throw bad(`format is not ${format}`)
  if (file.comment !== undefined && typeof file.comment !== 'string') throw bad('comment is not a string')
  const publicKey = canonicalBase64(file.publicKey, 32, bad, 'publicKey')
  if (typeof file.kid !== 'string' || file.kid !== kidOf(publicKey)) throw bad('kid does not match the public key')

  const kdf = file.kdf as Record<string, unknown>
  if (!isPlainObject(kdf)) throw bad('kdf is not an object')
  exactKeys(kdf, ['name', 'N', 'r', 'p', 'salt'], [], bad, 'kdf')
  const N = kdf.N
  const allowedN = typeof N === 'number' && Number.isInteger(Math.log2(N)) && N >= 2 ** MIN_SCRYPT_LOG_N && N <= 2 ** MAX_SCRYPT_LOG_N
  if (kdf.name !== 'scrypt' || !allowedN || kdf.r !== SCRYPT_R || kdf.p !== SCRYPT_P) {
    throw bad(`kdf must be scrypt with N = 2^${MIN_SCRYPT_LOG_N}..2^${MAX_SCRYPT_LOG_N}, r = ${SCRYPT_R}, p = ${SCRYPT_P}`)
  }
  canonicalBase64(kdf.salt, 16, bad, 'kdf.salt')

  const cipher = file.cipher as Record<string, unknown>
  if (!isPlainObject(cipher)) throw bad('cipher is not an object')
  exactKeys(cipher, ['name', 'nonce'], [], bad, 'cipher')
  if (cipher.name !== 'aes-256-gcm') throw bad('cipher must be aes-256-gcm')
  canonicalBase64(cipher.nonce, 12, bad, 'cipher.nonce')
  canonicalBase64(file.encryptedPrivateKey, 48, bad, 'encryptedPrivateKey')
  return file as unknown as KeyFile
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function exactKeys(obj: Record<string, unknown>, required: string[], optional: string[], bad: (why: string) => Error, where: string): void {
  for (const key of required) if (!(key in obj)) throw bad(`${where} lacks "${key}"`)
  for (const key of Object.keys(obj)) if (!required.includes(key) && !optional.includes(key)) throw bad(`${where} has unknown field "${key}"`)
}

function canonicalBase64(value: unknown, length: number, bad: (why: string) => Error, what: string): Buffer {
  if (typeof value !== 'string') throw bad(`${what} is not a string`)
  const bytes = Buffer.from(value, 'base64')
  // Buffer.from ignores junk; re-encoding catches it and any non-canonical spelling.
  if (bytes.length !== length || bytes.toString('base64') !== value) throw bad(`${what} is not ${length} bytes of canonical base64`)
  return bytes
}
