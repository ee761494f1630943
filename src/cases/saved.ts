/**
 * Cases whose 查询码 the resident chose to keep on this phone (an explicit choice, off by
 * default: anyone holding the phone can then open the case and read the police's messages). The
 * record keeps the 查询码 and what was derived from it, so the app can check for new messages at
 * launch with no key derivation, and which bureau messages were already seen here.
 * Nothing is kept for a case the resident did not choose to keep.
 */
import { readKey, writeKey } from '@/platform/storage'
import { savedCasesChanged } from './saved-index'

export { onSavedCasesChange, unreadTotal } from './saved-index'

export interface SavedCase {
  caseId: string
  /** The 16 digits. */
  receipt: string
  /** base64url of A (the Case-Auth value). */
  auth: string
  /** base64 of the case seed (the reply key comes from it). */
  seed: string
  /** A report made before the case channel: its keys come from the server's old receipt salt. */
  legacy?: boolean
  savedAt: string
  /** msgIds of bureau messages the resident has seen on this phone. */
  seen: string[]
  /** Bureau messages not seen yet, as of the last check. */
  unread: number
  checkedAt?: string
}

const HEX32 = /^[0-9a-f]{32}$/
const B64URL_32 = /^[A-Za-z0-9_-]{43}$/
const B64_32 = /^[A-Za-z0-9+/]{43}=$/
/** A resident with more than this many saved cases is unusual; the list stays small in storage. */
export const MAX_SAVED_CASES = 20

function isSavedCase(x: unknown): x is SavedCase {
  const c = x as SavedCase
  return (
    !!c &&
    typeof c === 'object' &&
    typeof c.caseId === 'string' &&
    HEX32.test(c.caseId) &&
    typeof c.receipt === 'string' &&
    /^\d{16}$/.test(c.receipt) &&
    typeof c.auth === 'string' &&
    B64URL_32.test(c.auth) &&
    typeof c.seed === 'string' &&
    B64_32.test(c.seed) &&
    (c.legacy === undefined || typeof c.legacy === 'boolean') &&
    typeof c.savedAt === 'string' &&
    Array.isArray(c.seen) &&
    c.seen.every((m) => typeof m === 'string' && HEX32.test(m)) &&
    Number.isSafeInteger(c.unread) &&
    c.unread >= 0
  )
}

/** Every readable saved case (a damaged record is skipped, never crashes a page). */
export function listSavedCases(): SavedCase[] {
  const raw = readKey('cases/saved')
  return Array.isArray(raw) ? raw.filter(isSavedCase) : []
}

export function findSavedCase(caseId: string): SavedCase | undefined {
  return listSavedCases().find((c) => c.caseId === caseId)
}

function write(list: SavedCase[]): void {
  writeKey('cases/saved', list)
  savedCasesChanged()
}

/** Keeps (or replaces) a case on this phone. */
export function saveCase(entry: Omit<SavedCase, 'savedAt' | 'seen' | 'unread'> & Partial<Pick<SavedCase, 'seen' | 'unread'>>, now = new Date()): SavedCase {
  const list = listSavedCases().filter((c) => c.caseId !== entry.caseId)
  const saved: SavedCase = { seen: [], unread: 0, ...entry, savedAt: now.toISOString() }
  if (!isSavedCase(saved)) throw new Error('invalid saved case')
  write([...list, saved].slice(-MAX_SAVED_CASES))
  return saved
}

/** Forgets a saved case: its 查询码 and keys leave the phone. */
export function forgetSavedCase(caseId: string): void {
  write(listSavedCases().filter((c) => c.caseId !== caseId))
}

export function updateSavedCase(caseId: string, patch: Partial<Pick<SavedCase, 'seen' | 'unread' | 'checkedAt'>>): void {
  const list = listSavedCases()
  const i = list.findIndex((c) => c.caseId === caseId)
  if (i < 0) return
  list[i] = { ...list[i], ...patch }
  write(list)
}
