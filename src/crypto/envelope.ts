/**
 * Envelope v1 key agreement (docs/protocol.md §3–4): one ephemeral X25519 key per report, one
 * HKDF-derived key pair per object label.
 */
import { concatBytes, toBase64, toHex, utf8Encode } from './bytes'
import { sha256 } from './hash'
import { hkdfSha256 } from './hkdf'
import { ENVELOPE_VERSION, INFO_PREFIX, SUITE, isValidLabel } from './labels'
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

/** The two keys of one object. */
export interface ObjectKeys {
  readonly label: string
  /** AES-256-CBC key, okm[0..32). */
  readonly encKey: Uint8Array
  /** HMAC-SHA256 key, okm[32..64). */
  readonly macKey: Uint8Array
}

export interface Envelope {
  readonly header: EnvelopeHeader
  /** Keys for "report" or "attachment/<n>"; throws on any other label. */
  keysFor(label: string): ObjectKeys
}

export interface CreateEnvelopeOptions {
  /** The bureau's X25519 public key B, 32 bytes. */
  bureauPublicKey: Uint8Array
  /** 32 fresh secure random bytes, used for this report only. */
  ephemeralSecret: Uint8Array
  /** When given (the kid the configuration states), must equal keyId(bureauPublicKey). */
  expectedKid?: string
}

/** kid = first 8 bytes of SHA-256(B), as 16 lowercase hex characters. */
export function keyId(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new Error('public key must be 32 bytes')
  return toHex(sha256(publicKey).subarray(0, 8))
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

  return {
    header,
    keysFor(label: string): ObjectKeys {
      if (typeof label !== 'string' || !isValidLabel(label)) throw new Error(`invalid object label: ${String(label)}`)
      const okm = hkdfSha256(shared, salt, utf8Encode(INFO_PREFIX + label), 64)
      return { label, encKey: okm.slice(0, 32), macKey: okm.slice(32, 64) }
    },
  }
}
