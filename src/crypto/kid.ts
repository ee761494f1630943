/** The key id of an X25519 public key (docs/protocol.md §3): its own module, so that code which only names keys loads no cipher. */
import { toHex } from './bytes'
import { sha256 } from './hash'

/** kid = first 8 bytes of SHA-256(B), as 16 lowercase hex characters. */
export function keyId(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new Error('public key must be 32 bytes')
  return toHex(sha256(publicKey).subarray(0, 8))
}
