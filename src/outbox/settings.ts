/** Tunables of the outbox runner; tests use small chunks and a fixed jitter. */
import { secureRandom01 } from './backoff'
import { MAX_IN_FLIGHT } from './upload'

export interface Settings {
  /** Upload chunk size (default: adaptive, starting at 256 KiB). */
  chunkSize?: number
  concurrency: number
  /** Uniform [0, 1) for the backoff jitter. */
  random01: () => Promise<number>
  /** How long the storage lease of a runner lasts without renewal. */
  leaseMs: number
}

const DEFAULT_SETTINGS: Settings = { concurrency: MAX_IN_FLIGHT, random01: secureRandom01, leaseMs: 30000 }

export let settings: Settings = { ...DEFAULT_SETTINGS }

/** Tunes the runner (tests use small chunks and a fixed jitter). */
export function configureOutbox(patch: Partial<Settings>): void {
  settings = { ...settings, ...patch }
}

export function resetSettings(): void {
  settings = { ...DEFAULT_SETTINGS }
}
