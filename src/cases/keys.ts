/**
 * The case keys of the cases open in this app session, in memory only: the case page puts them
 * here once the 查询码 was checked, and the outbox takes the seed from here (or from a case the
 * resident chose to keep on this phone) to encrypt a message. Nothing here is written to storage.
 * No crypto code: the runner, in the home page's first load, reaches this module.
 */
import { findSavedCase } from './saved'

export interface CaseKeyMaterial {
  caseId: string
  /** base64url of A (the Case-Auth value). */
  auth: string
  /** base64 of the case seed: d and D come from it, in the worker. */
  seed: string
  legacy: boolean
}

const open = new Map<string, CaseKeyMaterial>()

export function rememberCaseKeys(keys: CaseKeyMaterial): void {
  open.set(keys.caseId, keys)
}

/** The case's keys: from this session, else from the saved case; undefined when neither has them. */
export function caseKeysFor(caseId: string): CaseKeyMaterial | undefined {
  const session = open.get(caseId)
  if (session) return session
  const saved = findSavedCase(caseId)
  return saved ? { caseId, auth: saved.auth, seed: saved.seed, legacy: !!saved.legacy } : undefined
}

export function forgetCaseKeys(caseId?: string): void {
  if (caseId === undefined) open.clear()
  else open.delete(caseId)
}
