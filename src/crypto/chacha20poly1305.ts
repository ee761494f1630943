/**
 * ChaCha20-Poly1305 AEAD (RFC 8439 §2.8) over one message, in place where possible.
 *
 * One job: seal and open a single message under (key, nonce, aad). The envelope's STREAM framing
 * (src/crypto/stream2.ts) and any later channel build on this; nothing here knows about labels.
 */
import { chachaKey, chachaXor, poly1305KeyGen } from './chacha20'
import { Poly1305, POLY1305_TAG_LENGTH } from './poly1305'

export const AEAD_KEY_LENGTH = 32
export const AEAD_NONCE_LENGTH = 12
export const AEAD_TAG_LENGTH = POLY1305_TAG_LENGTH

const ZERO16 = new Uint8Array(16)

function lengthBlock(aadLength: number, ciphertextLength: number): Uint8Array {
  const out = new Uint8Array(16)
  writeU64LE(out, 0, aadLength)
  writeU64LE(out, 8, ciphertextLength)
  return out
}

function writeU64LE(out: Uint8Array, at: number, n: number): void {
  let lo = n % 0x100000000
  let hi = Math.floor(n / 0x100000000)
  for (let i = 0; i < 4; i++, lo = Math.floor(lo / 256)) out[at + i] = lo & 0xff
  for (let i = 4; i < 8; i++, hi = Math.floor(hi / 256)) out[at + i] = hi & 0xff
}

function macOf(polyKey: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const mac = new Poly1305(polyKey)
  mac.update(aad)
  if (aad.length % 16) mac.update(ZERO16.subarray(0, 16 - (aad.length % 16)))
  mac.update(ciphertext)
  if (ciphertext.length % 16) mac.update(ZERO16.subarray(0, 16 - (ciphertext.length % 16)))
  mac.update(lengthBlock(aad.length, ciphertext.length))
  polyKey.fill(0)
  return mac.digest()
}

/**
 * Encrypts `plaintext` into `output` at `outOffset` (ciphertext followed by the 16-byte tag;
 * `output` may be the plaintext's own buffer at the same position). Returns the tag.
 */
export function sealInto(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  output: Uint8Array,
  outOffset: number,
  aad: Uint8Array = new Uint8Array(0),
): Uint8Array {
  if (outOffset + plaintext.length + AEAD_TAG_LENGTH > output.length) throw new Error('ChaCha20-Poly1305: output too small')
  const state = chachaKey(key, nonce)
  const polyKey = poly1305KeyGen(state)
  chachaXor(state, 1, plaintext, 0, output, outOffset, plaintext.length)
  state.k.fill(0)
  const ciphertext = output.subarray(outOffset, outOffset + plaintext.length)
  const tag = macOf(polyKey, aad, ciphertext)
  output.set(tag, outOffset + plaintext.length)
  return tag
}

/** ciphertext ‖ tag in a new array. */
export function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  const out = new Uint8Array(plaintext.length + AEAD_TAG_LENGTH)
  sealInto(key, nonce, plaintext, out, 0, aad)
  return out
}

/** Constant-time comparison of two equal-length byte strings. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

/** Verifies and decrypts ciphertext ‖ tag; undefined when the tag does not verify. */
export function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array | undefined {
  if (sealed.length < AEAD_TAG_LENGTH) return undefined
  const state = chachaKey(key, nonce)
  const ciphertext = sealed.subarray(0, sealed.length - AEAD_TAG_LENGTH)
  const expected = macOf(poly1305KeyGen(state), aad, ciphertext)
  if (!equalBytes(expected, sealed.subarray(sealed.length - AEAD_TAG_LENGTH))) {
    state.k.fill(0)
    return undefined
  }
  const out = new Uint8Array(ciphertext.length)
  chachaXor(state, 1, ciphertext, 0, out, 0, ciphertext.length)
  state.k.fill(0)
  return out
}
