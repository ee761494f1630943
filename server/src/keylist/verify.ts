/**
 * Signing and verifying key lists with node:crypto's Ed25519 (RFC 8032, no context), and the
 * question every reader asks of a verified list: is its current key a development key?
 */
import { sign, verify } from 'node:crypto'
import { isDevelopmentKid } from '../envelope'
import { currentEntry, KEY_LIST_FORMAT, KeyListError, keyListMessage, parseKeyList, type KeyListEntry, type SignedKeyList } from './format'
import { ed25519PublicKey, type SigningKeyPair } from './signing-key'

/** The anchor a list is checked against: the campaign configuration's "signingKey". */
export interface Anchor {
  kid: string
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Buffer
}

/** Throws WRONG_SIGNER or BAD_SIGNATURE unless `list` is signed by `anchor`. */
export function verifyKeyList(list: SignedKeyList, anchor: Anchor): void {
  if (list.signer !== anchor.kid) {
    throw new KeyListError('WRONG_SIGNER', `the key list is signed by ${list.signer}, not by the configured signing key ${anchor.kid}`)
  }
  const ok = verify(null, keyListMessage(list), ed25519PublicKey(anchor.publicKey), Buffer.from(list.signature, 'base64'))
  if (!ok) throw new KeyListError('BAD_SIGNATURE', `the key list's signature does not verify under the configured signing key ${anchor.kid} (altered after signing, or signed by another key)`)
}

/** A development key: flagged so, or the repository's development key (keys/dev/) whatever its flags. */
export function isDevelopmentEntry(key: KeyListEntry): boolean {
  return key.development === true || isDevelopmentKid(key.kid)
}

export function currentIsDevelopment(list: SignedKeyList): boolean {
  return isDevelopmentEntry(currentEntry(list))
}

export interface KeyListContent {
  sequence: number
  issuedAt: string
  keys: KeyListEntry[]
}

/** Signs a key list with `pair`; the result parses and verifies (checked before it is returned). */
export function signKeyList(content: KeyListContent, pair: SigningKeyPair): SignedKeyList {
  const unsigned = {
    format: KEY_LIST_FORMAT,
    sequence: content.sequence,
    issuedAt: content.issuedAt,
    signer: pair.kid,
    keys: content.keys.map((k) => ({ kid: k.kid, publicKey: k.publicKey, current: k.current, ...(k.development === true ? { development: true as const } : {}) })),
  } as const
  const signature = sign(null, keyListMessage(unsigned), pair.privateKey).toString('base64')
  const list = parseKeyList({ ...unsigned, signature })
  verifyKeyList(list, { kid: pair.kid, publicKey: pair.publicKey })
  return list
}
