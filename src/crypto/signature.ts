/**
 * Ed25519 signature verification (RFC 8032 §5.1.7, PureEdDSA without context) with tweetnacl,
 * which runs without BigInt on older phone JavaScript engines. One job: the key list check
 * (src/keys/accept.ts) calls it with the anchor built into the app.
 */
import nacl from 'tweetnacl'

export const ED25519_PUBLIC_KEY_LENGTH = 32
export const ED25519_SIGNATURE_LENGTH = 64

/** The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const L = [
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]

/**
 * RFC 8032 requires S < L; tweetnacl does not check it, OpenSSL does. Checking here makes both
 * implementations agree on every input (a malleated S + L is refused by both).
 */
function scalarIsReduced(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i]
    if (s < L[i]) return true
    if (s > L[i]) return false
  }
  return false
}

/** True only when `signature` is a valid Ed25519 signature of `message` under `publicKey`. */
export function verifyEd25519(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(message instanceof Uint8Array) || !(signature instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false
  if (signature.length !== ED25519_SIGNATURE_LENGTH || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false
  if (!scalarIsReduced(signature)) return false
  return nacl.sign.detached.verify(message, signature, publicKey)
}
