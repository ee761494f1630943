/**
 * ClusterLocks on PostgreSQL session advisory locks: every instance connected to the database
 * shares them. Keys are namespaced by the current schema (two deployments or test runs in one
 * database do not contend).
 *
 * Nobody ever blocks in the database waiting for a lock: a lock is taken with
 * pg_try_advisory_lock, and a key that is busy is tried again after a short pause (5 ms doubling
 * to 100 ms, with jitter) for at most `maxWaitMs`, then LockWaitTimeout (503 BUSY). Between tries a
 * waiter holds no connection, so however many requests wait for one busy key, the small lock pool
 * stays free for every other key. Waiters for one key in this process queue in memory first (one
 * of them polls). The lock is held on a connection of the lock pool, so that waiting for locks
 * can never use up the connections the holder's task needs (the pool given here is that pool, and
 * close() ends it); if that connection or the process dies, the server releases the lock. A lock
 * lost that way while its task runs (the database restarted) lets another instance in: what must
 * hold even then is decided in the database as well (finalize: the row lock in acceptSubmission;
 * sweep: deletes that count once).
 */
import { randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { KeyedMutex, LockWaitTimeout, type ClusterLocks } from '../locks'
import { checkout } from './pool'

/** SQL for the 64-bit advisory lock key of the name in parameter `param`. */
export function lockKeySql(param: string): string {
  return `hashtextextended(current_schema() || '/clue/' || ${param}, 0)`
}

export interface PgLocksOptions {
  /** Longest wait for a busy key before LockWaitTimeout (default 30 s). */
  maxWaitMs?: number
  /** First pause between tries (default 5 ms), doubled up to `maxPauseMs` (default 100 ms). */
  firstPauseMs?: number
  maxPauseMs?: number
}

type Held<T> = { ran: true; value: T } | { ran: false }

export class PgLocks implements ClusterLocks {
  /** Waiters of this process, per key: only the head of each queue tries the database. */
  private readonly local = new KeyedMutex()
  private readonly maxWaitMs: number
  private readonly firstPauseMs: number
  private readonly maxPauseMs: number

  constructor(
    private readonly pool: pg.Pool,
    options: PgLocksOptions = {},
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 30_000
    this.firstPauseMs = options.firstPauseMs ?? 5
    this.maxPauseMs = options.maxPauseMs ?? 100
  }

  /** One try: runs `task` holding `key` if nobody (on any instance) holds it. */
  private async tryHold<T>(key: string, task: () => Promise<T>): Promise<Held<T>> {
    const { client, release } = await checkout(this.pool)
    let got: boolean
    try {
      got = (await client.query<{ got: boolean }>(`SELECT pg_try_advisory_lock(${lockKeySql('$1')}) AS got`, [key])).rows[0].got
    } catch (e) {
      release(e as Error)
      throw e
    }
    if (!got) {
      release()
      return { ran: false }
    }
    let broken: Error | undefined
    try {
      return { ran: true, value: await task() }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${lockKeySql('$1')})`, [key]).catch((e: Error) => (broken = e))
      // A connection whose unlock failed is closed: the server then drops its locks.
      release(broken)
    }
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    // From the call, not from the head of this process's queue: the k-th local waiter too gives up
    // after maxWaitMs in all.
    const deadline = performance.now() + this.maxWaitMs
    return this.local.run(key, async () => {
      if (performance.now() > deadline) throw new LockWaitTimeout(key)
      for (let pause = this.firstPauseMs; ; pause = Math.min(pause * 2, this.maxPauseMs)) {
        const r = await this.tryHold(key, task)
        if (r.ran) return r.value
        // Jitter, so that waiters on several instances do not try in step.
        const wait = pause / 2 + randomInt(Math.max(1, Math.ceil(pause / 2)) + 1)
        if (performance.now() + wait > deadline) throw new LockWaitTimeout(key)
        await sleep(wait)
      }
    })
  }

  async tryRun<T>(key: string, task: () => Promise<T>): Promise<Held<T>> {
    if (this.local.busy(key)) return { ran: false }
    return this.local.run(key, () => this.tryHold(key, task))
  }

  /** Ends the lock pool (every lock still held is released by the server). */
  close(): Promise<void> {
    return this.pool.end()
  }
}
