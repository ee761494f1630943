/**
 * Key agreement of one case message (docs/protocol.md §19): one ephemeral key e, two recipients,
 * and the static-static secret of the case, which authenticates the sender.
 *
 *   E   = X25519(e, 9)
 *   ss  = X25519(d, B) = X25519(b, D)         (only the resident and the bureau can compute it)
 *   for an object with label L addressed to P ∈ {B, D}:
 *   key = HKDF-SHA256(IKM = X25519(e, P) ‖ ss, salt = E ‖ B ‖ D, info = "clue-report/v2/" ‖ L ‖ 0x00 ‖ N, 32)
 *
 * The message and its files are addressed to the other side, the copy to the sender
 * (./labels.ts recipientOf). X25519(e, P) keeps everyone but P's holder out; ss keeps everyone but
 * the resident and the bureau from making an object that opens, so a server that knows D (a legacy
 * case, whose D it was told) or B (public) still cannot forge a message in either direction.
 */
import { concatBytes, fromBase64, toBase64 } from '@/crypto/bytes'
import { equalBytes } from '@/crypto/chacha20poly1305'
import { objectInfo } from '@/crypto/envelope'
import { hkdfSha256 } from '@/crypto/hkdf'
import { keyId } from '@/crypto/kid'
import { SUITE } from '@/crypto/labels'
import { OBJECT_NONCE_LENGTH } from '@/crypto/object'
import { isAllZero, isCanonicalPoint, x25519, x25519Base } from '@/crypto/x25519'
import { parseCaseHeader, type CaseMessageHeader } from './header'
import { CASE_HEADER_TYPE, CASE_HEADER_VERSION, parseCaseLabel, recipientOf, type CaseRole } from './labels'

export interface CaseEnvelopeOptions {
  /** Who writes this message. */
  from: CaseRole
  caseId: string
  msgId: string
  /** B: the bureau's key, from the accepted signed key list (never from the server's word). */
  bureauPublicKey: Uint8Array
  /** D: the resident's reply key. */
  replyPublicKey: Uint8Array
  /** The sender's static secret: d for the resident, b for the bureau. */
  senderSecret: Uint8Array
  /** 32 fresh secure random bytes, for this message only. */
  ephemeralSecret: Uint8Array
}

/** The sealing side: the same shape as a report envelope (src/crypto/envelope.ts), so the worker seals either. */
export interface CaseEnvelope {
  readonly header: CaseMessageHeader
  /** The key of object `label` (one of this message's labels) with its fresh 16-byte nonce. */
  objectKey(label: string, objectNonce: Uint8Array): Uint8Array
  destroy(): void
}

export class CaseKeyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CaseKeyError'
  }
}

function checkKey(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || !isCanonicalPoint(key)) throw new CaseKeyError(`${what} must be a canonical 32-byte X25519 public key`)
}

function agree(secret: Uint8Array, point: Uint8Array, what: string): Uint8Array {
  const z = x25519(secret, point)
  if (isAllZero(z)) throw new CaseKeyError(`X25519 with ${what} is all zero: a low-order point`)
  return z
}

/** key = HKDF-SHA256(es ‖ ss, salt E ‖ B ‖ D, "clue-report/v2/" ‖ label ‖ 0x00 ‖ nonce, 32). */
export function caseKey(es: Uint8Array, ss: Uint8Array, salt: Uint8Array, label: string, nonce: Uint8Array): Uint8Array {
  if (!(nonce instanceof Uint8Array) || nonce.length !== OBJECT_NONCE_LENGTH) throw new CaseKeyError(`object nonce must be ${OBJECT_NONCE_LENGTH} bytes`)
  return hkdfSha256(concatBytes(es, ss), salt, objectInfo(label, nonce), 32)
}

/** The key agreement of a new message, in the sender's worker. */
export function createCaseEnvelope(options: CaseEnvelopeOptions): CaseEnvelope {
  const { from, caseId, msgId, bureauPublicKey: B, replyPublicKey: D, senderSecret, ephemeralSecret } = options
  if (from !== 'resident' && from !== 'bureau') throw new CaseKeyError(`unknown sender ${String(from)}`)
  checkKey(B, 'the bureau key')
  checkKey(D, 'the reply key')
  if (!(ephemeralSecret instanceof Uint8Array) || ephemeralSecret.length !== 32 || isAllZero(ephemeralSecret)) {
    throw new CaseKeyError('ephemeral secret must be 32 bytes, not all zero (a broken random source)')
  }
  if (!(senderSecret instanceof Uint8Array) || senderSecret.length !== 32) throw new CaseKeyError('sender secret must be 32 bytes')
  const own = from === 'resident' ? D : B
  const peer = from === 'resident' ? B : D
  if (!equalBytes(x25519Base(senderSecret), own)) throw new CaseKeyError(`the sender secret is not the ${from === 'resident' ? 'reply' : 'bureau'} key's`)
  const E = x25519Base(ephemeralSecret)
  const ss = agree(senderSecret, peer, 'the other side\'s key')
  const es = { bureau: agree(ephemeralSecret, B, 'the bureau key'), resident: agree(ephemeralSecret, D, 'the reply key') }
  const salt = concatBytes(E, B, D)
  const header: CaseMessageHeader = { t: CASE_HEADER_TYPE, v: CASE_HEADER_VERSION, suite: SUITE, kid: keyId(B), rkid: keyId(D), epk: toBase64(E) }
  let destroyed = false
  return {
    header,
    objectKey(label: string, nonce: Uint8Array): Uint8Array {
      if (destroyed) throw new CaseKeyError('case envelope destroyed')
      const parsed = parseCaseLabel(label)
      if (!parsed || parsed.caseId !== caseId || parsed.msgId !== msgId) throw new CaseKeyError(`label ${String(label)} is not one of this message's`)
      return caseKey(es[recipientOf(from, parsed.kind)], ss, salt, label, nonce)
    },
    destroy(): void {
      destroyed = true
      ss.fill(0)
      es.bureau.fill(0)
      es.resident.fill(0)
    },
  }
}

export interface CaseReader {
  /** Whose key this is: the resident holds d, the bureau b. */
  role: CaseRole
  /** d or b. */
  secret: Uint8Array
  /** B (for the resident: from its accepted key list, by the header's kid) or D (for the bureau: from the report). */
  peerPublicKey: Uint8Array
}

/**
 * The key of an object addressed to `reader`, written by `from`. Throws when the header names
 * other keys, or the label is not one addressed to this reader (a moved object fails anyway).
 */
export function caseObjectKey(headerInput: unknown, reader: CaseReader, from: CaseRole, label: string, nonce: Uint8Array): Uint8Array {
  const header = parseCaseHeader(headerInput)
  const parsed = parseCaseLabel(label)
  if (!parsed) throw new CaseKeyError(`invalid case label ${String(label)}`)
  if (recipientOf(from, parsed.kind) !== reader.role) throw new CaseKeyError(`a ${from} message's ${parsed.kind} is not addressed to the ${reader.role}`)
  checkKey(reader.peerPublicKey, 'the other side\'s key')
  const own = x25519Base(reader.secret)
  const [B, D] = reader.role === 'bureau' ? [own, reader.peerPublicKey] : [reader.peerPublicKey, own]
  if (keyId(B) !== header.kid) throw new CaseKeyError(`the message is for bureau key ${header.kid}, not ${keyId(B)}`)
  if (keyId(D) !== header.rkid) throw new CaseKeyError(`the message is for reply key ${header.rkid}, not ${keyId(D)}`)
  const E = fromBase64(header.epk)
  const es = agree(reader.secret, E, 'the ephemeral key')
  const ss = agree(reader.secret, reader.peerPublicKey, 'the other side\'s key')
  try {
    return caseKey(es, ss, concatBytes(E, B, D), label, nonce)
  } finally {
    es.fill(0)
    ss.fill(0)
  }
}
