/**
 * ClusterLocks on PostgreSQL session advisory locks: every instance connected to the database
 * shares them. Keys are namespaced by the current schema (two deployments or test runs in one
 * database do not contend). A lock is held on a connection of its own pool, so that waiting for
 * locks can never use up the connections the lock holder's task needs (the pool given here is
 * that pool, and close() ends it); if that connection or the process dies, the server releases
 * the lock. A lock lost that way while its task runs (the database restarted) lets another
 * instance in: what must hold even then is decided in the database as well (finalize: the row
 * lock in acceptSubmission; sweep: deletes that count once).
 */
import type pg from 'pg'
import type { ClusterLocks } from '../locks'
import { checkout } from './pool'

/** SQL for the 64-bit advisory lock key of the name in parameter `param`. */
export function lockKeySql(param: string): string {
  return `hashtextextended(current_schema() || '/clue/' || ${param}, 0)`
}

export class PgLocks implements ClusterLocks {
  constructor(private readonly pool: pg.Pool) {}

  private async hold<T>(key: string, wait: boolean, task: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const { client, release } = await checkout(this.pool)
    let broken: Error | undefined
    try {
      if (wait) {
        await client.query(`SELECT pg_advisory_lock(${lockKeySql('$1')})`, [key])
      } else {
        const r = await client.query<{ got: boolean }>(`SELECT pg_try_advisory_lock(${lockKeySql('$1')}) AS got`, [key])
        if (!r.rows[0].got) {
          release()
          return { ran: false }
        }
      }
    } catch (e) {
      release(e as Error)
      throw e
    }
    try {
      return { ran: true, value: await task() }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${lockKeySql('$1')})`, [key]).catch((e: Error) => (broken = e))
      // A connection whose unlock failed is closed: the server then drops its locks.
      release(broken)
    }
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const r = await this.hold(key, true, task)
    return (r as { value: T }).value
  }

  tryRun<T>(key: string, task: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    return this.hold(key, false, task)
  }

  /** Ends the lock pool (every lock still held is released by the server). */
  close(): Promise<void> {
    return this.pool.end()
  }
}
