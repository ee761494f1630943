/**
 * The key list the phone encrypts to: the last signed list it accepted (kept in storage and
 * checked again whenever it is read), else the list bundled in the app, which counts as accepted
 * at sequence 0. A served list replaces it only through offerKeyList, which applies the rules of
 * ./accept.ts and logs every refusal (nothing is shown to the resident).
 */
import { bundledConfig } from '@/domain/campaign'
import type { BureauKey } from '@/domain/types'
import { readKey, writeKey } from '@/platform/storage'
import { logError } from '@/services/error-log'
import { checkKeyList } from './accept'
import { buildTrust } from './anchor'
import { KeyListError, type KeyListRejection, type SignedKeyList } from './key-list'

export interface KeySet {
  source: 'bundled' | 'signed'
  sequence: number
  keys: BureauKey[]
  /** When the bureau signed it (signed lists only). */
  issuedAt?: string
}

const BUNDLED: KeySet = { source: 'bundled', sequence: 0, keys: bundledConfig.keys }

/** The stored list that last passed the check, as JSON text, so that a re-read costs no verify. */
let verified: { text: string; set: KeySet } | undefined

function setOf(list: SignedKeyList): KeySet {
  return { source: 'signed', sequence: list.sequence, keys: list.keys, issuedAt: list.issuedAt }
}

/** The key set in force now. */
export function acceptedKeySet(): KeySet {
  const stored = readKey('keys/accepted')
  if (!stored || typeof stored !== 'object') return BUNDLED
  const text = JSON.stringify(stored.list)
  if (verified?.text === text) return verified.set
  try {
    const set = setOf(checkKeyList(stored.list, { trust: buildTrust(), floor: 0 }))
    verified = { text, set }
    return set
  } catch (e) {
    // Altered on the phone, or from a build with another anchor: back to the bundled keys.
    logError('key-list-stored-invalid', e instanceof Error ? e.message : String(e))
    return BUNDLED
  }
}

/** The key new reports are encrypted to. */
export function currentEncryptionKey(): BureauKey | undefined {
  return acceptedKeySet().keys.find((k) => k.current)
}

export type OfferResult = { accepted: true; sequence: number; currentKid: string } | { accepted: false; code: KeyListRejection; reason: string }

/** A list the server sent: kept if the phone may use it, otherwise logged and ignored. */
export function offerKeyList(json: unknown, now = new Date()): OfferResult {
  const floor = acceptedKeySet().sequence
  let list: SignedKeyList
  try {
    list = checkKeyList(json, { trust: buildTrust(), floor })
  } catch (e) {
    const code: KeyListRejection = e instanceof KeyListError ? e.code : 'MALFORMED'
    const reason = e instanceof Error ? e.message : String(e)
    logError('key-list-rejected', `${code}: ${reason}`, now)
    return { accepted: false, code, reason }
  }
  writeKey('keys/accepted', { list, acceptedAt: now.toISOString() })
  return { accepted: true, sequence: list.sequence, currentKid: list.keys.find((k) => k.current)!.kid }
}

/** Forgets the memoized check (tests that change the build's anchor). */
export function resetKeyStoreForTests(): void {
  verified = undefined
}
