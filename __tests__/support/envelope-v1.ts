/**
 * Envelope v1 objects for the tests, made with node:crypto. Phones no longer make v1 (src/crypto
 * is v2 only), but reports already on the server or queued in an outbox are v1, so the decryptor,
 * the server and the outbox are still tested on them.
 */
import { createCipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto'

export const SUITE_V1 = 'x25519-hkdf-sha256-aes256cbc-hmacsha256' as const

export interface HeaderV1 {
  v: 1
  suite: typeof SUITE_V1
  kid: string
  epk: string
}

export interface KeysV1 {
  label: string
  encKey: Uint8Array
  macKey: Uint8Array
}

export interface EnvelopeV1 {
  header: HeaderV1
  keysFor(label: string): KeysV1
}

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex')

export function createEnvelopeV1(options: { bureauPublicKey: Uint8Array; ephemeralSecret: Uint8Array }): EnvelopeV1 {
  const secret = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, options.ephemeralSecret]), format: 'der', type: 'pkcs8' })
  const E = Buffer.from(String(createPublicKey(secret).export({ format: 'jwk' }).x), 'base64url')
  const B = Buffer.from(options.bureauPublicKey)
  const Z = diffieHellman({ privateKey: secret, publicKey: createPublicKey({ key: Buffer.concat([SPKI_X25519, B]), format: 'der', type: 'spki' }) })
  const kid = createHash('sha256').update(B).digest().subarray(0, 8).toString('hex')
  const salt = Buffer.concat([E, B])
  return {
    header: { v: 1, suite: SUITE_V1, kid, epk: E.toString('base64') },
    keysFor(label: string): KeysV1 {
      const okm = Buffer.from(hkdfSync('sha256', Z, salt, Buffer.from(`clue-report/v1/${label}`, 'utf8'), 64))
      return { label, encKey: new Uint8Array(okm.subarray(0, 32)), macKey: new Uint8Array(okm.subarray(32)) }
    },
  }
}

/** iv ‖ AES-256-CBC(PKCS#7) ‖ HMAC-SHA256(iv ‖ ciphertext). */
export function encryptObjectV1(keys: KeysV1, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-256-cbc', keys.encKey, iv)
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  const tag = createHmac('sha256', keys.macKey).update(iv).update(ciphertext).digest()
  return new Uint8Array(Buffer.concat([iv, ciphertext, tag]))
}

/** Size of the v1 object of an n-byte plaintext. */
export function ciphertextSizeV1(n: number): number {
  return 16 + (Math.floor(n / 16) + 1) * 16 + 32
}
