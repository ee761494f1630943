/**
 * The case message header (docs/protocol.md §19.2): travels beside the objects, in the clear.
 *
 *   {"t":"case-message","v":1,"suite":"x25519-hkdf-sha256-chacha20poly1305-stream64k-padme",
 *    "kid":<kid of the bureau key B>,"rkid":<kid of the reply key D>,"epk":<base64 of E>}
 *
 * Exactly these six members. A report header ({v, suite, kid, epk}) never parses as one, nor
 * this as a report header, since each parser wants its exact member set.
 */
import { fromBase64 } from '@/crypto/bytes'
import { SUITE } from '@/crypto/labels'
import { isCanonicalPoint } from '@/crypto/x25519'
import { CASE_HEADER_TYPE, CASE_HEADER_VERSION } from './labels'

export interface CaseMessageHeader {
  t: typeof CASE_HEADER_TYPE
  v: typeof CASE_HEADER_VERSION
  suite: typeof SUITE
  /** kid of the bureau key B (docs/protocol.md §3). */
  kid: string
  /** kid of the resident's reply key D: first 8 bytes of SHA-256(D), hex. */
  rkid: string
  /** Canonical base64 of the ephemeral public key E. */
  epk: string
}

const KID = /^[0-9a-f]{16}$/
const MEMBERS = 'epk,kid,rkid,suite,t,v'

export class CaseHeaderError extends Error {
  constructor(message: string) {
    super(`BAD_HEADER: ${message}`)
    this.name = 'CaseHeaderError'
  }
}

/** Accepts exactly the members above with valid values (or their JSON text); throws CaseHeaderError. */
export function parseCaseHeader(input: unknown): CaseMessageHeader {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch {
      throw new CaseHeaderError('header is not JSON')
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CaseHeaderError('header is not an object')
  const h = value as Record<string, unknown>
  const keys = Object.keys(h).sort().join(',')
  if (keys !== MEMBERS) throw new CaseHeaderError(`header must have exactly t, v, suite, kid, rkid, epk; has ${keys || 'nothing'}`)
  if (h.t !== CASE_HEADER_TYPE) throw new CaseHeaderError(`not a case message header (t = ${JSON.stringify(h.t)})`)
  if (h.v !== CASE_HEADER_VERSION) throw new CaseHeaderError(`unsupported case message version ${JSON.stringify(h.v)}`)
  if (h.suite !== SUITE) throw new CaseHeaderError(`unsupported suite ${JSON.stringify(h.suite)}`)
  if (typeof h.kid !== 'string' || !KID.test(h.kid)) throw new CaseHeaderError('kid must be 16 lowercase hex characters')
  if (typeof h.rkid !== 'string' || !KID.test(h.rkid)) throw new CaseHeaderError('rkid must be 16 lowercase hex characters')
  let epk: Uint8Array
  try {
    epk = fromBase64(h.epk as string)
  } catch {
    throw new CaseHeaderError('epk must be canonical base64')
  }
  if (epk.length !== 32 || !isCanonicalPoint(epk)) throw new CaseHeaderError('epk must be a canonical 32-byte X25519 public key')
  return { t: CASE_HEADER_TYPE, v: CASE_HEADER_VERSION, suite: SUITE, kid: h.kid, rkid: h.rkid, epk: h.epk as string }
}
