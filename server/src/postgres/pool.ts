/**
 * The PostgreSQL connection pool shared by the repository, the blob store and the cluster locks
 * (node-postgres). DATABASE_URL selects PostgreSQL; its `options=-c search_path=…` parameter may
 * put the tables in a schema of their own (the tests do, one schema per test).
 *
 * Every query the server runs is a named prepared statement (`q(name, text)`): parsed and planned
 * once per connection, then executed with bound parameters only.
 */
import pg from 'pg'

/** int8 columns (epoch ms, sizes) as numbers: all of ours are far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}

export interface PoolOptions {
  /** Connections at most (PG_POOL_MAX, default 10). */
  max?: number
  /** Longest wait for a connection before the request fails with 503 (default 5 s). */
  connectTimeoutMs?: number
  /** Where idle-connection errors are reported (a restarted server drops them). */
  onError?: (err: Error) => void
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url)
}

export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    // A statement stuck behind a lock or a dead server ends rather than holding a request for ever.
    statement_timeout: 60_000,
    query_timeout: 65_000,
    application_name: 'clue-report',
    types,
  })
  // An idle connection's error (the server restarted) must not crash the process: the pool drops
  // the connection and the next query opens a new one.
  pool.on('error', (err) => options.onError?.(err))
  return pool
}

/** A named prepared statement with its parameters. */
export function q(name: string, text: string, values: unknown[] = []): pg.QueryConfig {
  return { name, text, values }
}

export interface Checkout {
  client: pg.PoolClient
  /** Whether the connection failed while checked out (then it is not reused). */
  lost(): Error | undefined
  /** Returns the connection to the pool, or closes it when `err` is given or it was lost. */
  release(err?: Error): void
}

/**
 * A connection for several statements. While it is checked out between statements, a connection
 * the server drops (restart, failover) emits 'error' with nobody listening, which would end the
 * process: the error is caught here and the connection closed on release.
 */
export async function checkout(pool: pg.Pool): Promise<Checkout> {
  const client = await pool.connect()
  let lost: Error | undefined
  const onError = (err: Error) => (lost = err)
  client.on('error', onError)
  return {
    client,
    lost: () => lost,
    release: (err) => {
      client.removeListener('error', onError)
      client.release(err ?? lost)
    },
  }
}

/** Runs `task` in a transaction on one connection (ROLLBACK on any error). */
export async function transaction<T>(pool: pg.Pool, task: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const { client, release } = await checkout(pool)
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await task(client)
    await client.query('COMMIT')
    return result
  } catch (e) {
    await client.query('ROLLBACK').catch((err: Error) => (broken = err))
    throw e
  } finally {
    // A connection that could not roll back is destroyed, not reused.
    release(broken)
  }
}
