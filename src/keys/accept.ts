/**
 * What the phone accepts as the bureau's key list (issue 10, docs/protocol.md §15.4): signed by
 * the anchor built into this build, not older than the list already accepted, and — in a release
 * build — with a current key that is not a development key. Pure: storage is in ./store.ts.
 */
import { fromBase64 } from '@/crypto/bytes'
import { verifyEd25519 } from '@/crypto/signature'
import type { BuildTrust } from './anchor'
import { isDevelopmentKey } from './development'
import { KeyListError, keyListSigningBytes, parseKeyList, type SignedKeyList } from './key-list'

export interface AcceptOptions {
  /** The build's anchor and mode (src/keys/anchor.ts). */
  trust: BuildTrust | undefined
  /** The sequence of the list accepted so far (0: the bundled list). */
  floor: number
}

/** Returns the list when the phone may use it; throws a KeyListError saying why not. */
export function checkKeyList(json: unknown, { trust, floor }: AcceptOptions): SignedKeyList {
  if (!trust) throw new KeyListError('NO_ANCHOR', 'this build has no trust anchor: no served key list can be accepted')
  const list = parseKeyList(json)
  if (list.signer !== trust.anchor.kid) {
    throw new KeyListError('WRONG_SIGNER', `signed by ${list.signer}, not by the built-in signing key ${trust.anchor.kid}`)
  }
  if (!verifyEd25519(keyListSigningBytes(list), fromBase64(list.signature), fromBase64(trust.anchor.publicKey))) {
    throw new KeyListError('BAD_SIGNATURE', 'the signature does not verify under the built-in signing key')
  }
  if (list.sequence < floor) {
    throw new KeyListError('ROLLBACK', `sequence ${list.sequence} is lower than the accepted ${floor}`)
  }
  const current = list.keys.find((k) => k.current)!
  if (trust.release && isDevelopmentKey(current)) {
    throw new KeyListError('DEVELOPMENT_KEY', `the current key ${current.kid} is a development key, refused by a release build`)
  }
  return list
}
