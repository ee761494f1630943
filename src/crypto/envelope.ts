/**
 * Envelope v2 key agreement (docs/protocol.md §3–4): one ephemeral X25519 key per report, one
 * HKDF-derived ChaCha20-Poly1305 key per object, bound to the object's label and its random
 * 16-byte object nonce.
 */
import { concatBytes, toBase64, utf8Encode } from './bytes'
import { hkdfSha256 } from './hkdf'
import { keyId } from './kid'
import { ENVELOPE_VERSION, ENVELOPE_VERSION_1, INFO_PREFIX, SUITE, SUITE_V1, isValidLabel } from './labels'
import { OBJECT_NONCE_LENGTH } from './object'
import { isAllZero, isCanonicalPoint, x25519, x25519Base } from './x25519'

/** Travels beside the objects, in the clear. */
export interface EnvelopeHeader {
  v: typeof ENVELOPE_VERSION
  suite: typeof SUITE
  /** keyId(bureau public key). */
  kid: string
  /** base64 of the ephemeral public key E. */
  epk: string
}

/** The header of a report made before envelope v2, still in an outbox (docs/protocol.md §14). */
export interface EnvelopeHeaderV1 {
  v: typeof ENVELOPE_VERSION_1
  suite: typeof SUITE_V1
  kid: string
  epk: string
}

export type AnyEnvelopeHeader = EnvelopeHeader | EnvelopeHeaderV1

export interface Envelope {
  readonly header: EnvelopeHeader
  /**
   * The 32-byte ChaCha20-Poly1305 key of one object: HKDF-SHA256(Z, salt E ‖ B,
   * info "clue-report/v2/" ‖ label ‖ 0x00 ‖ nonce, 32). Throws on an invalid label or nonce.
   */
  objectKey(label: string, objectNonce: Uint8Array): Uint8Array
  /** Forgets the shared secret; objectKey throws afterwards. */
  destroy(): void
}

export interface CreateEnvelopeOptions {
  /** The bureau's X25519 public key B, 32 bytes. */
  bureauPublicKey: Uint8Array
  /** 32 fresh secure random bytes, used for this report only. */
  ephemeralSecret: Uint8Array
  /** When given (the kid the configuration states), must equal keyId(bureauPublicKey). */
  expectedKid?: string
}

export { keyId }

export function objectInfo(label: string, objectNonce: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(INFO_PREFIX + label), new Uint8Array([0]), objectNonce)
}

export function createEnvelope({ bureauPublicKey, ephemeralSecret, expectedKid }: CreateEnvelopeOptions): Envelope {
  if (!(bureauPublicKey instanceof Uint8Array) || !isCanonicalPoint(bureauPublicKey)) {
    throw new Error('bureau public key must be a canonical 32-byte X25519 public key')
  }
  if (!(ephemeralSecret instanceof Uint8Array) || ephemeralSecret.length !== 32) {
    throw new Error('ephemeral secret must be 32 bytes')
  }
  if (isAllZero(ephemeralSecret)) throw new Error('ephemeral secret is all zero: the random source is broken')
  const kid = keyId(bureauPublicKey)
  if (expectedKid !== undefined && expectedKid !== kid) {
    throw new Error(`bureau key id mismatch: configuration says ${expectedKid}, public key gives ${kid}`)
  }

  const ephemeralPublic = x25519Base(ephemeralSecret)
  const shared = x25519(ephemeralSecret, bureauPublicKey)
  // A low-order bureau key gives Z = 0, which anyone could compute (RFC 7748 §6.1).
  if (isAllZero(shared)) throw new Error('X25519 shared secret is all zero: the bureau public key is a low-order point')

  const salt = concatBytes(ephemeralPublic, bureauPublicKey)
  const header: EnvelopeHeader = { v: ENVELOPE_VERSION, suite: SUITE, kid, epk: toBase64(ephemeralPublic) }
  let destroyed = false

  return {
    header,
    objectKey(label: string, objectNonce: Uint8Array): Uint8Array {
      if (destroyed) throw new Error('envelope destroyed')
      if (typeof label !== 'string' || !isValidLabel(label)) throw new Error(`invalid object label: ${String(label)}`)
      if (!(objectNonce instanceof Uint8Array) || objectNonce.length !== OBJECT_NONCE_LENGTH) {
        throw new Error(`object nonce must be ${OBJECT_NONCE_LENGTH} bytes`)
      }
      return hkdfSha256(shared, salt, objectInfo(label, objectNonce), 32)
    },
    destroy(): void {
      destroyed = true
      shared.fill(0)
    },
  }
}
