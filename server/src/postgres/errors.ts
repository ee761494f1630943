/**
 * Telling PostgreSQL's transient failures from real errors (no dependency on the client library,
 * so that the API's error mapping can use it without loading it).
 */

/** The SQLSTATE of a PostgreSQL error, if it is one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

const NODE_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])

/**
 * The database is unreachable or refused the work for now (restart, failover, too many
 * connections, a serialization conflict): the request may succeed later unchanged, so the API
 * answers 503 STORAGE_UNAVAILABLE with Retry-After and nothing acknowledged is affected.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const state = sqlState(err)
  if (state) {
    return state.startsWith('08') || state.startsWith('57P') || state === '53300' || state === '40001' || state === '40P01' || state === '55P03' || state === '57014'
  }
  const code = (err as { code?: unknown } | undefined)?.code
  if (typeof code === 'string' && NODE_CONNECTION_CODES.has(code)) return true
  const message = (err as Error | undefined)?.message ?? ''
  return /^Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|Cannot use a pool after calling end/.test(message)
}
