/**
 * Retry delays: exponential from 2 s, doubled per failed attempt, at most 5 minutes, with "equal
 * jitter" (half fixed, half random) so that many phones coming back online do not retry in step.
 */
import { randomBytes } from '@/platform/random'

export const BACKOFF_BASE_MS = 2000
export const BACKOFF_MAX_MS = 5 * 60 * 1000

/** The un-jittered delay after `attempt` consecutive failures (attempt ≥ 1). */
export function backoffCeiling(attempt: number): number {
  const n = Math.max(1, Math.floor(attempt))
  // 2^18 · 2 s is far past the cap; stop doubling before the number gets silly.
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(n - 1, 20))
}

/** The delay for `attempt`, given a uniform random number in [0, 1). */
export function backoffDelay(attempt: number, random01: number): number {
  const ceiling = backoffCeiling(attempt)
  const r = Math.min(Math.max(random01, 0), 1)
  return Math.round(ceiling / 2 + (ceiling / 2) * r)
}

/** A uniform number in [0, 1) from the secure random source (32 bits). */
export async function secureRandom01(): Promise<number> {
  const b = await randomBytes(4)
  return (((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0) / 2 ** 32
}
