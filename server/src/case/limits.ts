/**
 * Limits of the case channel (docs/server.md "Case channel"), from the environment, checked at
 * boot. The per-file limits are the submissions' (LIMITS.maxAttachmentBytes, maxAttachments).
 */
import { LIMITS, MiB } from '../limits'

export interface CaseLimits {
  /** Resident messages per case in any 24 hours (CASE_MESSAGES_PER_DAY, default 20). */
  messagesPerDay: number
  /** Ciphertext bytes of added files per case (CASE_MATERIAL_MIB of plaintext, default 100, +4% for padding and tags). */
  materialBytes: number
  /** Days after closing during which the resident may still write (CASE_WRITE_DAYS_AFTER_CLOSE, default 30). */
  writeDaysAfterClose: number
  /** Lifetime of a message whose files are still uploading (as a submission's). */
  ttlMs: number
}

/** Ciphertext allowance for `mib` MiB of plaintext (Padmé ≤ 3.2 %, tags 0.03 %), as for submissions. */
export const materialAllowance = (mib: number): number => Math.ceil(mib * MiB * 1.04)

export const DEFAULT_CASE_LIMITS: CaseLimits = {
  messagesPerDay: 20,
  materialBytes: materialAllowance(100),
  writeDaysAfterClose: 30,
  ttlMs: LIMITS.submissionTtlMs,
}

const DAY_MS = 24 * 60 * 60 * 1000

/** Reads the CASE_* variables; `fail` throws the configuration error. */
export function parseCaseLimits(env: NodeJS.ProcessEnv, fail: (message: string) => never): CaseLimits {
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return dflt
    if (!/^\d{1,6}$/.test(raw) || Number(raw) < min || Number(raw) > max) fail(`${name} must be an integer from ${min} to ${max}, got "${raw}"`)
    return Number(raw)
  }
  return {
    messagesPerDay: int('CASE_MESSAGES_PER_DAY', DEFAULT_CASE_LIMITS.messagesPerDay, 1, 1000),
    materialBytes: materialAllowance(int('CASE_MATERIAL_MIB', 100, 1, 10_000)),
    writeDaysAfterClose: int('CASE_WRITE_DAYS_AFTER_CLOSE', DEFAULT_CASE_LIMITS.writeDaysAfterClose, 0, 3650),
    ttlMs: DEFAULT_CASE_LIMITS.ttlMs,
  }
}

/** Until when a case closed at `closedAt` takes messages (null: not closed, no end). */
export function writableUntil(closedAt: number | null, limits: CaseLimits): number | null {
  return closedAt === null ? null : closedAt + limits.writeDaysAfterClose * DAY_MS
}
