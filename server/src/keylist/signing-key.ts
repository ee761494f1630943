/**
 * The bureau's Ed25519 signing key (the trust anchor, docs/protocol.md §14) and its passphrase
 * file, which has the layout of the encryption key file (§8) under its own format string.
 * node:crypto only.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { EnvelopeError, kidOf, openKeyFile, readKeyFileText, sealKeyFile, type KeyFileOptions } from '../envelope'

export const SIGNING_KEY_FILE_FORMAT = 'clue-report/bureau-signing-key@1'

export interface SigningKeyPair {
  /** First 8 bytes of SHA-256(publicKey), 16 lowercase hex characters. */
  kid: string
  /** Raw 32-byte Ed25519 public key (RFC 8032). */
  publicKey: Buffer
  privateKey: KeyObject
}

// DER prefix of an Ed25519 PKCS#8 private key (RFC 8410), followed by the 32-byte seed.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
// DER prefix of an Ed25519 SubjectPublicKeyInfo, followed by the 32-byte public key.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export function generateSigningKeyPair(): SigningKeyPair {
  return pairOf(generateKeyPairSync('ed25519').privateKey)
}

/** The key pair of a 32-byte Ed25519 private key (the RFC 8032 seed). */
export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
  if (seed.length !== 32) throw new EnvelopeError('BAD_KEY_FILE', 'an Ed25519 private key is 32 bytes')
  return pairOf(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }))
}

/** A node:crypto public key object for a raw 32-byte Ed25519 public key. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes')
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' })
}

function seedOf(pair: SigningKeyPair): Buffer {
  const jwk = pair.privateKey.export({ format: 'jwk' })
  if (jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string') throw new EnvelopeError('BAD_KEY_FILE', 'not an Ed25519 private key')
  return Buffer.from(jwk.d, 'base64url')
}

function pairOf(privateKey: KeyObject): SigningKeyPair {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new EnvelopeError('BAD_KEY_FILE', 'not an Ed25519 private key')
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' })
  const publicKey = Buffer.from(String(jwk.x), 'base64url')
  return { kid: kidOf(publicKey), publicKey, privateKey }
}

export async function encodeSigningKeyFile(pair: SigningKeyPair, passphrase: string, options: KeyFileOptions = {}): Promise<string> {
  const seed = seedOf(pair)
  try {
    return await sealKeyFile(SIGNING_KEY_FILE_FORMAT, pair.publicKey, seed, passphrase, options)
  } finally {
    seed.fill(0)
  }
}

export async function decodeSigningKeyFile(text: string, passphrase: string): Promise<SigningKeyPair> {
  const { raw, publicKey } = await openKeyFile(text, passphrase, SIGNING_KEY_FILE_FORMAT)
  const pair = signingKeyPairFromSeed(raw)
  raw.fill(0)
  if (!pair.publicKey.equals(publicKey)) throw new EnvelopeError('BAD_KEY_FILE', 'the private key in the file does not match its public key')
  return pair
}

/** Writes a new signing key file (mode 0600); refuses to overwrite an existing file. */
export async function writeSigningKeyFile(path: string, pair: SigningKeyPair, passphrase: string, options: KeyFileOptions = {}): Promise<void> {
  await writeFile(path, await encodeSigningKeyFile(pair, passphrase, options), { encoding: 'utf8', flag: 'wx', mode: 0o600 })
}

export async function readSigningKeyFile(path: string, passphrase: string): Promise<SigningKeyPair> {
  return decodeSigningKeyFile(await readKeyFileText(path), passphrase)
}
