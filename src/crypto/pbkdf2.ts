/**
 * PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) on crypto-js's HMAC-SHA256. scrypt (./scrypt.ts) calls it with
 * one iteration, twice, so the cost here is a few dozen HMACs; the memory-hard work is elsewhere.
 */
import { concatBytes } from './bytes'
import { HashSink } from './hash'
import { fromWordArray } from './words'

const HASH_LENGTH = 32

/** PBKDF2-HMAC-SHA256(password, salt, iterations, length). */
export function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Uint8Array {
  if (!(password instanceof Uint8Array) || !(salt instanceof Uint8Array)) throw new Error('PBKDF2: password and salt must be bytes')
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new Error(`PBKDF2: iterations must be a positive integer, got ${iterations}`)
  if (!Number.isSafeInteger(length) || length < 1 || length > 0xffffffff * HASH_LENGTH) throw new Error(`PBKDF2: invalid output length ${length}`)
  const out = new Uint8Array(length)
  const hmac = (message: Uint8Array) => {
    const sink = HashSink.hmacSha256(password)
    sink.update(message)
    return fromWordArray(sink.finalize())
  }
  for (let block = 1, offset = 0; offset < length; block++, offset += HASH_LENGTH) {
    const index = new Uint8Array([block >>> 24, (block >>> 16) & 0xff, (block >>> 8) & 0xff, block & 0xff])
    let u = hmac(concatBytes(salt, index))
    const t = u.slice()
    for (let i = 1; i < iterations; i++) {
      u = hmac(u)
      for (let k = 0; k < HASH_LENGTH; k++) t[k] ^= u[k]
    }
    out.set(t.subarray(0, Math.min(HASH_LENGTH, length - offset)), offset)
  }
  return out
}
