/**
 * The primitives the vector generators (scripts/make-*-vectors*.ts) share, written with node:crypto
 * only. Like the generators, this imports nothing from src/ or server/: the vectors must not come
 * from the code they test.
 */
import { createHash, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto'

export const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest()

/** A raw 32-byte X25519 secret as a node:crypto key (PKCS#8 DER prefix + the raw bytes). */
export function x25519PrivateKey(raw: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), raw]), format: 'der', type: 'pkcs8' })
}

export function rawPublicKey(privateKey: KeyObject): Buffer {
  return Buffer.from(String(createPublicKey(privateKey).export({ format: 'jwk' }).x), 'base64url')
}

/** X25519(raw, point) on raw 32-byte values. */
export function x25519(raw: Buffer, point: Buffer): Buffer {
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: point.toString('base64url') }, format: 'jwk' })
  return diffieHellman({ privateKey: x25519PrivateKey(raw), publicKey })
}

/** Byte i is i mod 251: no period that lines up with 16- or 64-byte blocks. */
export function pattern(length: number): Buffer {
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) out[i] = i % 251
  return out
}

/** Padmé, straight from the paper's pseudocode, with BigInt so no float logarithm is involved. */
export function padme(length: number): number {
  if (length < 2) return length
  const L = BigInt(length)
  const E = BigInt(L.toString(2).length - 1)
  const S = BigInt(E.toString(2).length)
  const lastBits = E - S
  if (lastBits <= 0n) return length
  const mask = (1n << lastBits) - 1n
  return Number((L + mask) & ~mask)
}

/** The STREAM nonce of chunk i: 5 zero bytes, i as 6 bytes big-endian, then 1 on the last chunk. */
export function chunkNonce(i: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12)
  nonce.writeUIntBE(i, 5, 6)
  nonce[11] = last ? 1 : 0
  return nonce
}
