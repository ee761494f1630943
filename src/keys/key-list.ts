/**
 * The signed key list (docs/protocol.md §15) on the phone: strict parsing of what the server
 * sends, and the canonical bytes the bureau's signature covers. Written from the specification,
 * independently of the Node implementation (server/src/keylist/format.ts); both are checked
 * against docs/vectors/key-list-v1.json.
 */
import { fromBase64, utf8Encode } from '@/crypto/bytes'
import { keyId } from '@/crypto/kid'
import { isCanonicalPoint } from '@/crypto/x25519'
import type { BureauKey } from '@/domain/types'

export const KEY_LIST_FORMAT = 'clue-report/key-list@1'
export const MAX_KEY_LIST_KEYS = 16

export interface SignedKeyList {
  format: typeof KEY_LIST_FORMAT
  sequence: number
  issuedAt: string
  signer: string
  keys: BureauKey[]
  signature: string
}

/** Why a list was refused; `code` goes to the error log, never to the resident. */
export type KeyListRejection = 'MALFORMED' | 'BAD_KEY' | 'WRONG_SIGNER' | 'BAD_SIGNATURE' | 'ROLLBACK' | 'DEVELOPMENT_KEY' | 'NO_ANCHOR' | 'NOT_SERVED'

export class KeyListError extends Error {
  readonly code: KeyListRejection
  constructor(code: KeyListRejection, message: string) {
    super(message)
    this.name = 'KeyListError'
    this.code = code
  }
}

const HEX16 = /^[0-9a-f]{16}$/
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
const MEMBERS = ['format', 'sequence', 'issuedAt', 'signer', 'keys', 'signature']
const KEY_MEMBERS = ['kid', 'publicKey', 'current', 'development']

function fail(why: string): never {
  throw new KeyListError('MALFORMED', `malformed key list: ${why}`)
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function onlyMembers(obj: Record<string, unknown>, allowed: string[], optional: string[], where: string): void {
  for (const m of Object.keys(obj)) if (!allowed.includes(m)) fail(`${where}: unknown member ${m}`)
  for (const m of allowed) if (!optional.includes(m) && !Object.prototype.hasOwnProperty.call(obj, m)) fail(`${where}: missing ${m}`)
}

function bytesOf(value: unknown, length: number, what: string): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = fromBase64(typeof value === 'string' ? value : '*')
  } catch {
    return fail(`${what} is not canonical base64`)
  }
  if (bytes.length !== length) fail(`${what} is not ${length} bytes`)
  return bytes
}

function isRealTime(s: string): boolean {
  const t = Date.parse(s)
  return !Number.isNaN(t) && new Date(t).toISOString() === `${s.slice(0, 19)}.000Z`
}

function parseKey(entry: unknown, i: number): BureauKey {
  const at = `keys[${i}]`
  if (!isRecord(entry)) fail(`${at} is not an object`)
  onlyMembers(entry, KEY_MEMBERS, ['development'], at)
  if (typeof entry.kid !== 'string' || !HEX16.test(entry.kid)) fail(`${at}.kid is not 16 lowercase hex digits`)
  const publicKey = bytesOf(entry.publicKey, 32, `${at}.publicKey`)
  if (entry.current !== true && entry.current !== false) fail(`${at}.current is not a boolean`)
  if (entry.development !== undefined && entry.development !== true) fail(`${at}.development must be true when present`)
  // §3: the only encoding of the point, and the kid it gives.
  if (!isCanonicalPoint(publicKey)) throw new KeyListError('BAD_KEY', `${at}: public key is not a canonical X25519 point`)
  if (keyId(publicKey) !== entry.kid) throw new KeyListError('BAD_KEY', `${at}: kid does not match the public key`)
  return entry as unknown as BureauKey
}

/** Checks the shape and keys of an untrusted list; the signature is checked by verifyKeyList. */
export function parseKeyList(json: unknown): SignedKeyList {
  if (!isRecord(json)) fail('not an object')
  onlyMembers(json, MEMBERS, [], 'list')
  if (json.format !== KEY_LIST_FORMAT) fail('unknown format')
  const sequence = json.sequence
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1) fail('sequence is not an integer from 1 to 2^53 - 1')
  if (typeof json.issuedAt !== 'string' || !TIME.test(json.issuedAt) || !isRealTime(json.issuedAt)) fail('issuedAt is not YYYY-MM-DDTHH:MM:SSZ')
  if (typeof json.signer !== 'string' || !HEX16.test(json.signer)) fail('signer is not 16 lowercase hex digits')
  bytesOf(json.signature, 64, 'signature')
  if (!Array.isArray(json.keys) || json.keys.length < 1 || json.keys.length > MAX_KEY_LIST_KEYS) fail(`keys must hold 1 to ${MAX_KEY_LIST_KEYS} entries`)
  const keys = json.keys.map(parseKey)
  const kids = new Set(keys.map((k) => k.kid))
  if (kids.size !== keys.length) throw new KeyListError('BAD_KEY', 'duplicate kid')
  if (keys.filter((k) => k.current).length !== 1) throw new KeyListError('BAD_KEY', 'exactly one key must be current')
  return json as unknown as SignedKeyList
}

/** §15.2: the ASCII lines the signature covers, each ending in "\n". */
export function keyListSigningBytes(list: Omit<SignedKeyList, 'signature'>): Uint8Array {
  let text = `${KEY_LIST_FORMAT}\nsequence ${list.sequence}\nissued-at ${list.issuedAt}\nsigner ${list.signer}\nkeys ${list.keys.length}\n`
  for (const k of list.keys) {
    text += `key ${k.kid} ${k.publicKey} ${k.current ? 'current' : 'listed'} ${k.development === true ? 'development' : 'production'}\n`
  }
  return utf8Encode(text)
}
