/**
 * Operational limits that keep one client, a slow network or a full disk from taking the server
 * down: HTTP timeouts and connection caps, the free-space reserve, caps on unfinished uploads, and
 * the receipt-hashing queue. Each has a default suited to phones on slow mobile networks and can be
 * set from the environment (documented in docs/server.md).
 */
import { MiB } from './limits'

export interface OperationalLimits {
  /** Longest a whole request may take to arrive (a 1 MiB chunk over 100 kbit/s takes ~80 s). */
  requestTimeoutMs: number
  /** Longest the request line and headers may take. */
  headersTimeoutMs: number
  /** A connection with no bytes either way for this long is closed. */
  idleTimeoutMs: number
  /** Idle keep-alive connections are closed after this. */
  keepAliveTimeoutMs: number
  /** Open connections at most; more are refused by the kernel listener. */
  maxConnections: number
  /** Attachment uploads (PUT) in flight at once per client address. */
  uploadsPerClient: number
  /** Attachment uploads (PUT) in flight at once in this instance; more answer 503 BUSY. */
  uploadsTotal: number
  /** Free space kept on the data directory's file system; below it, create and PUT answer 507. */
  minFreeBytes: number
  /** Declared bytes of unfinished submissions one client address may have (in memory). */
  unfinishedBytesPerClient: number
  /** Declared bytes of all unfinished submissions together. */
  unfinishedBytesTotal: number
  /** Receipt hashes computed at once. */
  hashConcurrency: number
  /** Receipt hashes waiting at most; more answer 503 BUSY. */
  hashQueue: number
  /** Longest a receipt hash may wait for its turn before the request answers 503 BUSY. */
  hashWaitMs: number
}

export const DEFAULT_LIMITS: OperationalLimits = {
  requestTimeoutMs: 120_000,
  headersTimeoutMs: 20_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 2_000,
  uploadsPerClient: 8,
  uploadsTotal: 96,
  minFreeBytes: 1024 * MiB,
  unfinishedBytesPerClient: 300 * MiB,
  unfinishedBytesTotal: 8 * 1024 * MiB,
  hashConcurrency: 2,
  hashQueue: 32,
  hashWaitMs: 3_000,
}

const ENV_NAMES: Record<keyof OperationalLimits, string> = {
  requestTimeoutMs: 'REQUEST_TIMEOUT_MS',
  headersTimeoutMs: 'HEADERS_TIMEOUT_MS',
  idleTimeoutMs: 'IDLE_TIMEOUT_MS',
  keepAliveTimeoutMs: 'KEEP_ALIVE_TIMEOUT_MS',
  maxConnections: 'MAX_CONNECTIONS',
  uploadsPerClient: 'MAX_UPLOADS_PER_CLIENT',
  uploadsTotal: 'MAX_UPLOADS',
  minFreeBytes: 'MIN_FREE_BYTES',
  unfinishedBytesPerClient: 'MAX_UNFINISHED_BYTES_PER_CLIENT',
  unfinishedBytesTotal: 'MAX_UNFINISHED_BYTES',
  hashConcurrency: 'HASH_CONCURRENCY',
  hashQueue: 'HASH_QUEUE',
  hashWaitMs: 'HASH_WAIT_MS',
}

const UNITS: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: MiB, mib: MiB, g: 1024 * MiB, gib: 1024 * MiB }

/** "5000", "512MiB", "2G" → a non-negative safe integer, or undefined. */
function parseAmount(raw: string, bytes: boolean): number | undefined {
  const m = /^(\d{1,15})\s*([a-z]*)$/i.exec(raw.trim())
  if (!m) return undefined
  const unit = UNITS[m[2].toLowerCase()]
  if (unit === undefined || (!bytes && unit !== 1)) return undefined
  const n = Number(m[1]) * unit
  return Number.isSafeInteger(n) ? n : undefined
}

/** Reads every limit from the environment; `fail` gets a message for a bad value. */
export function parseOperationalLimits(env: NodeJS.ProcessEnv, fail: (message: string) => never): OperationalLimits {
  const out = { ...DEFAULT_LIMITS }
  for (const key of Object.keys(ENV_NAMES) as (keyof OperationalLimits)[]) {
    const raw = env[ENV_NAMES[key]]
    if (raw === undefined || raw === '') continue
    const bytes = /Bytes$/.test(key)
    const n = parseAmount(raw, bytes)
    if (n === undefined) fail(`${ENV_NAMES[key]} must be a whole number${bytes ? ' of bytes (units KiB, MiB, GiB allowed)' : ''}, got "${raw}"`)
    out[key] = n as number
  }
  for (const key of ['requestTimeoutMs', 'headersTimeoutMs', 'idleTimeoutMs', 'maxConnections', 'uploadsPerClient', 'uploadsTotal', 'hashConcurrency'] as const) {
    if (out[key] < 1) fail(`${ENV_NAMES[key]} must be at least 1`)
  }
  if (out.headersTimeoutMs > out.requestTimeoutMs) fail(`${ENV_NAMES.headersTimeoutMs} must not exceed ${ENV_NAMES.requestTimeoutMs}`)
  return out
}
