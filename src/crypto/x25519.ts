/**
 * X25519 (RFC 7748) with tweetnacl's scalarMult: constant-time field arithmetic on Float64Array,
 * no BigInt, so it runs on older iOS JavaScript engines.
 */
import nacl from 'tweetnacl'

export const X25519_LENGTH = 32

/** RFC 7748 §5: scalar × point; tweetnacl clamps the scalar and masks the point's top bit. */
export function x25519(scalar: Uint8Array, point: Uint8Array): Uint8Array {
  checkLength(scalar, 'X25519 scalar')
  checkLength(point, 'X25519 point')
  return nacl.scalarMult(scalar, point)
}

/** The public key of a secret: scalar × basepoint (u = 9). */
export function x25519Base(scalar: Uint8Array): Uint8Array {
  checkLength(scalar, 'X25519 scalar')
  return nacl.scalarMult.base(scalar)
}

/** Examines every byte whatever their values, so the time taken does not depend on the secret. */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]
  return acc === 0
}

/**
 * Accepts only the canonical encoding of a u-coordinate: top bit clear and u < 2^255 - 19. X25519
 * itself tolerates other encodings, but the key bytes also feed the kid and the HKDF salt, so two
 * spellings of one point must not exist.
 */
export function isCanonicalPoint(point: Uint8Array): boolean {
  if (point.length !== X25519_LENGTH || point[31] & 0x80) return false
  // u >= p = 2^255 - 19 only when bytes 1..30 are 0xff, byte 31 is 0x7f and byte 0 >= 0xed.
  if (point[31] !== 0x7f) return true
  for (let i = 30; i >= 1; i--) if (point[i] !== 0xff) return true
  return point[0] < 0xed
}

function checkLength(bytes: Uint8Array, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== X25519_LENGTH) {
    throw new Error(`${what} must be ${X25519_LENGTH} bytes`)
  }
}
