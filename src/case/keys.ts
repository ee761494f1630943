/**
 * Keys derived from the 查询码 (docs/protocol.md §18): one scrypt on the phone, in the encryption
 * worker (src/crypto-worker), never on the page thread.
 *
 *   out  = scrypt(P = the 16 ASCII digits, S = "clue-report/case/v1/" ‖ campaign id, N = 2^14, r = 8, p = 1, 64)
 *   A    = out[0..32)   the case authenticator: the only value derived from the 查询码 that leaves the phone
 *   seed = out[32..64)  → d = HKDF-SHA256(seed, salt = "", info "clue-report/case/v1/reply-key", 32), D = X25519(d, 9)
 *
 * A and seed are distinct PBKDF2-HMAC-SHA256 output blocks over the scrypt state, keyed by the
 * 查询码 itself: knowing A gives neither seed nor d without searching the 10^16 查询码 at one scrypt
 * per guess. Reports made before the case channel use the server's old receipt salt instead of the
 * campaign salt (§18.5, LEGACY_KDF); everything else is the same.
 */
import { fromBase64, toBase64, utf8Encode } from '@/crypto/bytes'
import { hkdfSha256 } from '@/crypto/hkdf'
import { keyId } from '@/crypto/kid'
import { Scrypt, type ScryptParams } from '@/crypto/scrypt'
import { isAllZero, x25519Base } from '@/crypto/x25519'
import { CAMPAIGN_ID_PATTERN } from '@/domain/campaign-id'
import { CASE_KDF, CASE_SALT_PREFIX, REPLY_KEY_INFO } from './labels'

/** The 查询码: exactly 16 ASCII digits. */
export const RECEIPT_PATTERN = /^[0-9]{16}$/

export interface CaseSecrets {
  /** A: sent to the server at finalize and in every case request's Case-Auth header. */
  authenticator: Uint8Array
  /** seed: never leaves the phone; the reply key pair comes from it. */
  seed: Uint8Array
}

export interface ReplyKeyPair {
  /** d: X25519 private scalar bytes. */
  privateKey: Uint8Array
  /** D: inside the encrypted report (replyKey), never sent to the server for new reports. */
  publicKey: Uint8Array
  /** First 8 bytes of SHA-256(D), hex: the header's rkid. */
  kid: string
}

/** S = UTF-8("clue-report/case/v1/" ‖ campaignId). */
export function caseSalt(campaignId: string): Uint8Array {
  if (typeof campaignId !== 'string' || !CAMPAIGN_ID_PATTERN.test(campaignId)) throw new Error(`invalid campaign id ${String(campaignId)}`)
  return utf8Encode(CASE_SALT_PREFIX + campaignId)
}

/** The 查询码 as scrypt's password (its 16 ASCII digits); throws on anything else. */
export function receiptPassword(receipt: string): Uint8Array {
  if (typeof receipt !== 'string' || !RECEIPT_PATTERN.test(receipt)) throw new Error('the 查询码 must be exactly 16 digits')
  return utf8Encode(receipt)
}

/**
 * The KDF as a job run in steps (the worker runs it straight through; the in-thread fallback in
 * macrotask slices). `salt` is caseSalt(campaign id), or the server's receipt salt for a report
 * made before the case channel (params LEGACY_KDF).
 */
export function startCaseKdf(receipt: string, salt: Uint8Array, params: ScryptParams = CASE_KDF): Scrypt {
  if (!(salt instanceof Uint8Array) || salt.length === 0) throw new Error('KDF salt must be bytes')
  return new Scrypt(receiptPassword(receipt), salt, params)
}

/** Splits the 64-byte KDF output into A and seed. */
export function splitKdfOutput(out: Uint8Array): CaseSecrets {
  if (!(out instanceof Uint8Array) || out.length !== 64) throw new Error('KDF output must be 64 bytes')
  return { authenticator: out.slice(0, 32), seed: out.slice(32, 64) }
}

/** A and seed from the 查询码, in one call (tests, Node; the phone runs it in the worker). */
export function deriveCaseSecrets(receipt: string, salt: Uint8Array, params: ScryptParams = CASE_KDF): CaseSecrets {
  const job = startCaseKdf(receipt, salt, params)
  job.step(job.total)
  const out = job.result()
  const secrets = splitKdfOutput(out)
  out.fill(0)
  return secrets
}

/** d = HKDF-SHA256(seed, "", "clue-report/case/v1/reply-key", 32), D = X25519(d, 9). */
export function replyKeyPair(seed: Uint8Array): ReplyKeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new Error('seed must be 32 bytes')
  const privateKey = hkdfSha256(seed, new Uint8Array(0), utf8Encode(REPLY_KEY_INFO), 32)
  const publicKey = x25519Base(privateKey)
  if (isAllZero(publicKey)) throw new Error('reply key is the zero point')
  return { privateKey, publicKey, kid: keyId(publicKey) }
}

/** base64 of D, as the report plaintext's replyKey and POST /api/v1/case/reply-key carry it. */
export function encodeReplyKey(publicKey: Uint8Array): string {
  return toBase64(publicKey)
}

/** Case-Auth header value: base64url of A without padding (43 characters). */
export function encodeCaseAuth(authenticator: Uint8Array): string {
  if (!(authenticator instanceof Uint8Array) || authenticator.length !== 32) throw new Error('authenticator must be 32 bytes')
  return toBase64(authenticator).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Canonical base64url of 32 bytes, no padding: 42 characters, then one whose low 2 bits are zero. */
export const CASE_AUTH_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/

/** Parses a Case-Auth value strictly; throws on anything but the canonical 43 characters. */
export function parseCaseAuth(value: string): Uint8Array {
  if (typeof value !== 'string' || !CASE_AUTH_PATTERN.test(value)) throw new Error('malformed Case-Auth value')
  return fromBase64(`${value.replace(/-/g, '+').replace(/_/g, '/')}=`)
}
