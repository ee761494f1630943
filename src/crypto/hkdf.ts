/** HKDF-SHA256 (RFC 5869) on crypto-js's HMAC-SHA256, which has no HKDF of its own. */
import { concatBytes } from './bytes'
import { hmacSha256 } from './hash'

const HASH_LENGTH = 32

export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * HASH_LENGTH) {
    throw new Error(`HKDF-SHA256 output length must be 0..${255 * HASH_LENGTH}, got ${length}`)
  }
  // RFC 5869 §2.2: an absent salt is HashLen zero bytes.
  const prk = hmacSha256(salt.length > 0 ? salt : new Uint8Array(HASH_LENGTH), ikm)
  const okm = new Uint8Array(length)
  let previous: Uint8Array = new Uint8Array(0)
  for (let i = 1, offset = 0; offset < length; i++, offset += HASH_LENGTH) {
    previous = hmacSha256(prk, concatBytes(previous, info, Uint8Array.of(i)))
    okm.set(previous.subarray(0, Math.min(HASH_LENGTH, length - offset)), offset)
  }
  return okm
}
