/**
 * The envelope header (docs/protocol.md §6), labels and the key agreement shared by both versions,
 * with node:crypto only. Strict: anything but exactly { v, suite, kid, epk } of a known version is
 * BAD_HEADER.
 */
import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { EnvelopeError } from './errors'
import type { BureauKeyPair } from './keys'

export const SUITE_V1 = 'x25519-hkdf-sha256-aes256cbc-hmacsha256'
export const SUITE_V2 = 'x25519-hkdf-sha256-chacha20poly1305-stream64k-padme'

export interface EnvelopeHeaderV1 {
  v: 1
  suite: typeof SUITE_V1
  kid: string
  epk: string
}

export interface EnvelopeHeaderV2 {
  v: 2
  suite: typeof SUITE_V2
  kid: string
  epk: string
}

export type EnvelopeHeader = EnvelopeHeaderV1 | EnvelopeHeaderV2

const SUITES: Record<number, string> = { 1: SUITE_V1, 2: SUITE_V2 }

/** One key, or every key the bureau holds (the header's kid picks one). */
export type PrivateKeys = BureauKeyPair | readonly BureauKeyPair[]

/** Accepts exactly { v: 1 | 2, suite of that version, kid, epk } (or its JSON text); throws BAD_HEADER otherwise. */
export function parseHeader(input: unknown): EnvelopeHeader {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch {
      throw new EnvelopeError('BAD_HEADER', 'header is not JSON')
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EnvelopeError('BAD_HEADER', 'header is not an object')
  const header = value as Record<string, unknown>
  const keys = Object.keys(header).sort().join(',')
  if (keys !== 'epk,kid,suite,v') throw new EnvelopeError('BAD_HEADER', `header must have exactly v, suite, kid, epk; has ${keys || 'nothing'}`)
  if (header.v !== 1 && header.v !== 2) throw new EnvelopeError('BAD_HEADER', `unsupported envelope version ${JSON.stringify(header.v)}`)
  if (header.suite !== SUITES[header.v]) throw new EnvelopeError('BAD_HEADER', `unsupported suite ${JSON.stringify(header.suite)} for version ${header.v}`)
  if (typeof header.kid !== 'string' || !/^[0-9a-f]{16}$/.test(header.kid)) throw new EnvelopeError('BAD_HEADER', 'kid must be 16 lowercase hex characters')
  decodeEpk(header.epk)
  return { v: header.v, suite: header.suite, kid: header.kid, epk: header.epk } as EnvelopeHeader
}

/** "report" or "attachment/<n>" (decimal, no leading zeros); anything else is BAD_LABEL. */
export function checkLabel(label: string): void {
  if (label === 'report') return
  const match = typeof label === 'string' ? /^attachment\/(0|[1-9][0-9]{0,14})$/.exec(label) : null
  if (!match || !Number.isSafeInteger(Number(match[1]))) throw new EnvelopeError('BAD_LABEL', `invalid object label ${JSON.stringify(label)}`)
}

/** Picks the key the header names: WRONG_KEY for a single other key, UNKNOWN_KID for a key ring. */
export function selectKey(header: EnvelopeHeader, keys: PrivateKeys): BureauKeyPair {
  if (!Array.isArray(keys)) {
    const key = keys as BureauKeyPair
    if (key.kid !== header.kid) throw new EnvelopeError('WRONG_KEY', `the envelope is for key ${header.kid}, not for the supplied key ${key.kid}`)
    return key
  }
  const found = (keys as readonly BureauKeyPair[]).find((key) => key.kid === header.kid)
  if (!found) throw new EnvelopeError('UNKNOWN_KID', `no private key with kid ${header.kid}`)
  return found
}

/** Z = X25519(b, E) and the HKDF salt E ‖ B; the caller zeroes Z after use. */
export function agree(header: EnvelopeHeader, keys: PrivateKeys): { shared: Buffer; salt: Buffer } {
  const key = selectKey(header, keys)
  const epk = decodeEpk(header.epk)
  return { shared: sharedSecret(key.privateKey, epk), salt: Buffer.concat([epk, key.publicKey]) }
}

/** Z = X25519(b, E); BAD_HEADER when E is a low-order point (Z all zero). */
function sharedSecret(privateKey: KeyObject, epk: Buffer): Buffer {
  const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epk.toString('base64url') }, format: 'jwk' })
  let shared: Buffer
  try {
    shared = diffieHellman({ privateKey, publicKey: peer })
  } catch {
    // OpenSSL refuses an all-zero result itself.
    throw new EnvelopeError('BAD_HEADER', 'epk is a low-order point (shared secret is zero)')
  }
  if (shared.every((byte) => byte === 0)) throw new EnvelopeError('BAD_HEADER', 'epk is a low-order point (shared secret is zero)')
  return shared
}

let probeKey: KeyObject | undefined

/**
 * The epk checks of opening, without the bureau's private key (the server's create route): 32
 * bytes of canonical base64, a canonical point, and not of low order. X25519 with any clamped
 * scalar is zero exactly for the low-order points, so a throwaway key tells them apart.
 */
export function checkEpk(value: unknown): Buffer {
  const epk = decodeEpk(value)
  probeKey ??= generateKeyPairSync('x25519').privateKey
  sharedSecret(probeKey, epk).fill(0)
  return epk
}

export function decodeEpk(value: unknown): Buffer {
  if (typeof value !== 'string') throw new EnvelopeError('BAD_HEADER', 'epk must be a base64 string')
  const bytes = Buffer.from(value, 'base64')
  if (bytes.length !== 32 || bytes.toString('base64') !== value) throw new EnvelopeError('BAD_HEADER', 'epk must be 32 bytes of canonical base64')
  if (!isCanonicalPoint(bytes)) throw new EnvelopeError('BAD_HEADER', 'epk is not a canonical X25519 public key')
  return bytes
}

/** Top bit clear and u < 2^255 - 19 (little-endian), so one point has one spelling. */
function isCanonicalPoint(u: Buffer): boolean {
  if (u[31] & 0x80) return false
  const p = Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex')
  for (let i = 31; i >= 0; i--) {
    if (u[i] !== p[i]) return u[i] < p[i]
  }
  return false
}
