/**
 * The signed key list (docs/protocol.md §15) on the Node side: strict parsing of the JSON file and
 * the canonical bytes the signature covers. node:crypto only; an implementation independent of the
 * client's (src/keys/key-list.ts), checked against the same vectors.
 */
import { createHash } from 'node:crypto'

export const KEY_LIST_FORMAT = 'clue-report/key-list@1'
export const MAX_KEY_LIST_KEYS = 16
export const MAX_KEY_LIST_BYTES = 64 * 1024

export interface KeyListEntry {
  kid: string
  /** Canonical base64 of the 32-byte X25519 public key. */
  publicKey: string
  current: boolean
  development?: true
}

export interface UnsignedKeyList {
  format: typeof KEY_LIST_FORMAT
  sequence: number
  /** UTC, to the second: YYYY-MM-DDTHH:MM:SSZ. */
  issuedAt: string
  /** kid of the signing key (first 8 bytes of SHA-256 of its Ed25519 public key, hex). */
  signer: string
  keys: KeyListEntry[]
}

export interface SignedKeyList extends UnsignedKeyList {
  /** Canonical base64 of the 64-byte Ed25519 signature over keyListMessage(list). */
  signature: string
}

export type KeyListErrorCode = 'MALFORMED' | 'BAD_KEY' | 'WRONG_SIGNER' | 'BAD_SIGNATURE' | 'DEVELOPMENT_KEY'

export class KeyListError extends Error {
  readonly code: KeyListErrorCode
  constructor(code: KeyListErrorCode, message: string) {
    super(message)
    this.name = 'KeyListError'
    this.code = code
  }
}

const KID = /^[0-9a-f]{16}$/
const ISSUED_AT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/
const LIST_MEMBERS = ['format', 'sequence', 'issuedAt', 'signer', 'keys', 'signature']
const KEY_MEMBERS = ['kid', 'publicKey', 'current', 'development']

/** The bytes the signature covers (§15.2): ASCII lines, each ending in LF. */
export function keyListMessage(list: UnsignedKeyList): Buffer {
  const lines = [
    KEY_LIST_FORMAT,
    `sequence ${list.sequence}`,
    `issued-at ${list.issuedAt}`,
    `signer ${list.signer}`,
    `keys ${list.keys.length}`,
    ...list.keys.map((k) => `key ${k.kid} ${k.publicKey} ${k.current ? 'current' : 'listed'} ${k.development === true ? 'development' : 'production'}`),
  ]
  return Buffer.from(lines.map((l) => `${l}\n`).join(''), 'ascii')
}

/** The JSON file as sign-keys writes it (members in the order of §15.1). */
export function formatKeyList(list: SignedKeyList): string {
  const ordered: SignedKeyList = {
    format: list.format,
    sequence: list.sequence,
    issuedAt: list.issuedAt,
    signer: list.signer,
    keys: list.keys.map((k) => ({ kid: k.kid, publicKey: k.publicKey, current: k.current, ...(k.development === true ? { development: true as const } : {}) })),
    signature: list.signature,
  }
  return `${JSON.stringify(ordered, null, 2)}\n`
}

function malformed(why: string): KeyListError {
  return new KeyListError('MALFORMED', `malformed key list: ${why}`)
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function exactMembers(obj: Record<string, unknown>, allowed: string[], optional: string[], where: string): void {
  for (const key of allowed) if (!optional.includes(key) && !(key in obj)) throw malformed(`${where} lacks "${key}"`)
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) throw malformed(`${where} has unknown member "${key}"`)
}

function canonicalBase64(value: unknown, length: number, what: string): Buffer {
  if (typeof value !== 'string') throw malformed(`${what} is not a string`)
  const bytes = Buffer.from(value, 'base64')
  if (bytes.length !== length || bytes.toString('base64') !== value) throw malformed(`${what} is not ${length} bytes of canonical base64`)
  return bytes
}

/** §3: top bit clear and, as a little-endian integer, below 2^255 - 19. */
function isCanonicalX25519(u: Buffer): boolean {
  if (u[31] & 0x80) return false
  if (u[31] !== 0x7f) return true
  for (let i = 30; i >= 1; i--) if (u[i] !== 0xff) return true
  return u[0] < 0xed
}

export function isIssuedAt(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const m = ISSUED_AT.exec(value)
  if (!m) return false
  const t = Date.parse(value)
  return !Number.isNaN(t) && new Date(t).toISOString() === `${value.slice(0, 19)}.000Z`
}

function checkEntry(entry: unknown, i: number): KeyListEntry {
  const at = `keys[${i}]`
  if (!isObject(entry)) throw malformed(`${at} is not an object`)
  exactMembers(entry, KEY_MEMBERS, ['development'], at)
  if (typeof entry.kid !== 'string' || !KID.test(entry.kid)) throw malformed(`${at}.kid is not 16 lowercase hex characters`)
  const publicKey = canonicalBase64(entry.publicKey, 32, `${at}.publicKey`)
  if (typeof entry.current !== 'boolean') throw malformed(`${at}.current is not true or false`)
  if (entry.development !== undefined && entry.development !== true) throw malformed(`${at}.development must be true when present`)
  if (!isCanonicalX25519(publicKey)) throw new KeyListError('BAD_KEY', `${at}: the public key is not a canonical X25519 point`)
  const kid = createHash('sha256').update(publicKey).digest().subarray(0, 8).toString('hex')
  if (kid !== entry.kid) throw new KeyListError('BAD_KEY', `${at}: kid ${entry.kid} does not match its public key (${kid})`)
  return entry as unknown as KeyListEntry
}

/** Checks the shape and the keys of an untrusted key list (not its signature: see verifyKeyList). */
export function parseKeyList(json: unknown): SignedKeyList {
  if (!isObject(json)) throw malformed('not a JSON object')
  exactMembers(json, LIST_MEMBERS, [], 'the list')
  if (json.format !== KEY_LIST_FORMAT) throw malformed(`format is not ${KEY_LIST_FORMAT}`)
  const seq = json.sequence
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw malformed('sequence is not an integer from 1 to 2^53 - 1')
  if (!isIssuedAt(json.issuedAt)) throw malformed('issuedAt is not a UTC time written YYYY-MM-DDTHH:MM:SSZ')
  if (typeof json.signer !== 'string' || !KID.test(json.signer)) throw malformed('signer is not 16 lowercase hex characters')
  canonicalBase64(json.signature, 64, 'signature')
  if (!Array.isArray(json.keys) || json.keys.length === 0 || json.keys.length > MAX_KEY_LIST_KEYS) {
    throw malformed(`keys must list 1 to ${MAX_KEY_LIST_KEYS} keys`)
  }
  const keys = json.keys.map(checkEntry)
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) throw new KeyListError('BAD_KEY', 'a kid is listed twice')
  const current = keys.filter((k) => k.current).length
  if (current !== 1) throw new KeyListError('BAD_KEY', `exactly one key must be current, ${current} are`)
  return json as unknown as SignedKeyList
}

/** Parses the file's text (at most 64 KiB of JSON). */
export function parseKeyListText(text: string): SignedKeyList {
  if (Buffer.byteLength(text, 'utf8') > MAX_KEY_LIST_BYTES) throw malformed('larger than 64 KiB')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw malformed('not JSON')
  }
  return parseKeyList(json)
}

export function currentEntry(list: UnsignedKeyList): KeyListEntry {
  return list.keys.find((k) => k.current)!
}
