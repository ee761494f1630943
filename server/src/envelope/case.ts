/**
 * The case channel with node:crypto (docs/protocol.md §19): the bureau opens resident messages,
 * their added files and its own copies, and seals its replies; the server checks headers. The
 * independent implementation of src/case (no code shared with it).
 *
 *   ss  = X25519(b, D)                                   (= X25519(d, B) on the phone)
 *   key = HKDF-SHA256(X25519(secret, E or P) ‖ ss, salt E ‖ B ‖ D, "clue-report/v2/" ‖ label ‖ 0x00 ‖ N, 32)
 *
 * The reader must know who wrote the message: a message from the resident is addressed to B (its
 * files too), the bureau's copy of its own reply as well; the label says which.
 */
import { createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto'
import { EnvelopeError } from './errors'
import { decodeEpk, selectKey, SUITE_V2, type PrivateKeys } from './header'
import { bureauKeyPairFromRaw, kidOf, type BureauKeyPair } from './keys'
import { openStreamObject, openStreamObjectFile, sealStreamObject, INFO_PREFIX_V2, OBJECT_NONCE_LENGTH } from './v2'

export const CASE_HEADER_TYPE = 'case-message'
export const CASE_HEADER_VERSION = 1

export type CaseRole = 'resident' | 'bureau'
export type CaseObjectKind = 'message' | 'copy' | 'attachment'

export interface CaseMessageHeader {
  t: 'case-message'
  v: 1
  suite: typeof SUITE_V2
  kid: string
  rkid: string
  epk: string
}

const KID = /^[0-9a-f]{16}$/
const HEX32 = /^[0-9a-f]{32}$/

/** Exactly { t, v, suite, kid, rkid, epk } with valid values (or its JSON text); BAD_HEADER otherwise. */
export function parseCaseHeader(input: unknown): CaseMessageHeader {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch {
      throw new EnvelopeError('BAD_HEADER', 'case header is not JSON')
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EnvelopeError('BAD_HEADER', 'case header is not an object')
  const h = value as Record<string, unknown>
  const keys = Object.keys(h).sort().join(',')
  if (keys !== 'epk,kid,rkid,suite,t,v') throw new EnvelopeError('BAD_HEADER', `case header must have exactly t, v, suite, kid, rkid, epk; has ${keys || 'nothing'}`)
  if (h.t !== CASE_HEADER_TYPE) throw new EnvelopeError('BAD_HEADER', `not a case message header: t = ${JSON.stringify(h.t)}`)
  if (h.v !== CASE_HEADER_VERSION) throw new EnvelopeError('BAD_HEADER', `unsupported case message version ${JSON.stringify(h.v)}`)
  if (h.suite !== SUITE_V2) throw new EnvelopeError('BAD_HEADER', `unsupported suite ${JSON.stringify(h.suite)}`)
  if (typeof h.kid !== 'string' || !KID.test(h.kid)) throw new EnvelopeError('BAD_HEADER', 'kid must be 16 lowercase hex characters')
  if (typeof h.rkid !== 'string' || !KID.test(h.rkid)) throw new EnvelopeError('BAD_HEADER', 'rkid must be 16 lowercase hex characters')
  decodeEpk(h.epk)
  return { t: CASE_HEADER_TYPE, v: CASE_HEADER_VERSION, suite: SUITE_V2, kid: h.kid, rkid: h.rkid, epk: h.epk as string }
}

/** "case/<caseId>/message/<msgId>" and its /copy and /attachment/<n> (n < 20). */
export function caseLabel(caseId: string, msgId: string, kind: CaseObjectKind, n?: number): string {
  if (!HEX32.test(caseId) || !HEX32.test(msgId)) throw new EnvelopeError('BAD_LABEL', 'case and message ids are 32 lowercase hex digits')
  const base = `case/${caseId}/message/${msgId}`
  if (kind === 'message') return base
  if (kind === 'copy') return `${base}/copy`
  if (!Number.isSafeInteger(n) || (n as number) < 0 || (n as number) >= 20) throw new EnvelopeError('BAD_LABEL', `invalid attachment number ${String(n)}`)
  return `${base}/attachment/${n}`
}

/** Whose key an object is addressed to. */
export function addressedTo(from: CaseRole, kind: CaseObjectKind): CaseRole {
  if (kind === 'attachment' && from !== 'resident') throw new EnvelopeError('BAD_LABEL', 'only resident messages carry files')
  if (kind === 'copy') return from
  return from === 'resident' ? 'bureau' : 'resident'
}

/** Top bit clear and u < 2^255 - 19. */
function isCanonicalPoint(u: Buffer): boolean {
  if (u.length !== 32 || u[31] & 0x80) return false
  const p = Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex')
  for (let i = 31; i >= 0; i--) if (u[i] !== p[i]) return u[i] < p[i]
  return false
}

/** Checks a reply key D (from a report's replyKey or a legacy registration): canonical base64 of a canonical, not low-order point. */
export function decodeReplyKey(value: unknown): Buffer {
  if (typeof value !== 'string') throw new EnvelopeError('BAD_HEADER', 'the reply key must be a base64 string')
  const bytes = Buffer.from(value, 'base64')
  if (bytes.length !== 32 || bytes.toString('base64') !== value || !isCanonicalPoint(bytes)) {
    throw new EnvelopeError('BAD_HEADER', 'the reply key must be canonical base64 of a canonical 32-byte X25519 public key')
  }
  let probe: KeyObject
  try {
    probe = generateKeyPairSync('x25519').privateKey
    dh(probe, bytes).fill(0)
  } catch {
    throw new EnvelopeError('BAD_HEADER', 'the reply key is a low-order point')
  }
  return bytes
}

/** X25519(private, point); BAD_HEADER for an all-zero result (a low-order point). */
function dh(privateKey: KeyObject, point: Buffer): Buffer {
  const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: point.toString('base64url') }, format: 'jwk' })
  let z: Buffer
  try {
    z = diffieHellman({ privateKey, publicKey: peer })
  } catch {
    throw new EnvelopeError('BAD_HEADER', 'X25519 with a low-order point')
  }
  if (z.every((b) => b === 0)) throw new EnvelopeError('BAD_HEADER', 'X25519 with a low-order point')
  return z
}

function objectKey(es: Buffer, ss: Buffer, salt: Buffer, label: string, nonce: Buffer): Buffer {
  if (nonce.length !== OBJECT_NONCE_LENGTH) throw new EnvelopeError('TRUNCATED', 'object nonce must be 16 bytes')
  const info = Buffer.concat([Buffer.from(INFO_PREFIX_V2 + label, 'utf8'), Buffer.from([0]), nonce])
  return Buffer.from(hkdfSync('sha256', Buffer.concat([es, ss]), salt, info, 32))
}

export interface BureauCaseReader {
  /** The bureau's keys; the header's kid picks one. */
  keys: PrivateKeys
  /** D: from the decrypted report (or, for a legacy case, the server's registration). */
  replyPublicKey: Uint8Array
}

/** The key of an object addressed to the bureau: a resident message or file, or the bureau's own copy. */
export function bureauObjectKey(headerInput: unknown, reader: BureauCaseReader, from: CaseRole, label: string, kind: CaseObjectKind, nonce: Buffer): Buffer {
  const header = parseCaseHeader(headerInput)
  if (addressedTo(from, kind) !== 'bureau') throw new EnvelopeError('BAD_LABEL', `a ${from} message's ${kind} is not addressed to the bureau`)
  const key = selectKey({ v: 2, suite: SUITE_V2, kid: header.kid, epk: header.epk }, reader.keys)
  const D = Buffer.from(reader.replyPublicKey)
  if (kidOf(D) !== header.rkid) throw new EnvelopeError('WRONG_KEY', `the message is for reply key ${header.rkid}, not this case's ${kidOf(D)}`)
  const E = decodeEpk(header.epk)
  const es = dh(key.privateKey, E)
  const ss = dh(key.privateKey, D)
  try {
    return objectKey(es, ss, Buffer.concat([E, key.publicKey, D]), label, nonce)
  } finally {
    es.fill(0)
    ss.fill(0)
  }
}

export interface OpenCaseObjectOptions {
  header: unknown
  reader: BureauCaseReader
  caseId: string
  msgId: string
  from: CaseRole
  kind: CaseObjectKind
  /** Attachment number (kind 'attachment'). */
  n?: number
}

/** Opens one object addressed to the bureau, in memory. */
export function openCaseObject(options: OpenCaseObjectOptions & { object: Uint8Array }): Buffer {
  const label = caseLabel(options.caseId, options.msgId, options.kind, options.n)
  return openStreamObject(options.object, (nonce) => bureauObjectKey(options.header, options.reader, options.from, label, options.kind, nonce))
}

/** Opens an added file (kind 'attachment') file to file; the output appears only once every chunk verified. */
export function openCaseObjectFile(options: OpenCaseObjectOptions & { inputPath: string; outputPath: string }): Promise<{ size: number; sha256: string }> {
  const label = caseLabel(options.caseId, options.msgId, options.kind, options.n)
  return openStreamObjectFile(options.inputPath, options.outputPath, (nonce) => bureauObjectKey(options.header, options.reader, options.from, label, options.kind, nonce))
}

export interface SealReplyOptions {
  caseId: string
  msgId: string
  /** The bureau key the reply is made with (its copy is addressed to it). */
  bureauKey: BureauKeyPair
  /** D of the case. */
  replyPublicKey: Uint8Array
  /** UTF-8 JSON of the reply's plaintext (clue-report/case-message@1, from "bureau"). */
  plaintext: Uint8Array
  /** Tests and vectors only: fixed e and object nonces (else fresh secure random bytes). */
  ephemeralSecret?: Uint8Array
  nonces?: { message: Uint8Array; copy: Uint8Array }
}

export interface SealedReply {
  header: CaseMessageHeader
  /** Addressed to D (label case/<caseId>/message/<msgId>). */
  message: Buffer
  /** The bureau's copy, addressed to B (label …/copy). */
  copy: Buffer
}

/** A bureau reply: one ephemeral key, the message for the resident and the bureau's own copy. */
export function sealCaseReply(options: SealReplyOptions): SealedReply {
  const { caseId, msgId, bureauKey, plaintext } = options
  const D = Buffer.from(options.replyPublicKey)
  const ephemeral = bureauKeyPairFromRaw(options.ephemeralSecret ?? randomBytes(32))
  const E = ephemeral.publicKey
  const B = bureauKey.publicKey
  const header: CaseMessageHeader = { t: CASE_HEADER_TYPE, v: CASE_HEADER_VERSION, suite: SUITE_V2, kid: bureauKey.kid, rkid: kidOf(D), epk: E.toString('base64') }
  const ss = dh(bureauKey.privateKey, D)
  const salt = Buffer.concat([E, B, D])
  const seal = (kind: 'message' | 'copy', recipient: Buffer, nonce: Uint8Array) => {
    const es = dh(ephemeral.privateKey, recipient)
    const key = objectKey(es, ss, salt, caseLabel(caseId, msgId, kind), Buffer.from(nonce))
    es.fill(0)
    const out = sealStreamObject(key, nonce, plaintext)
    key.fill(0)
    return out
  }
  try {
    return {
      header,
      message: seal('message', D, options.nonces?.message ?? randomBytes(OBJECT_NONCE_LENGTH)),
      copy: seal('copy', B, options.nonces?.copy ?? randomBytes(OBJECT_NONCE_LENGTH)),
    }
  } finally {
    ss.fill(0)
  }
}
