/**
 * The rate limiter's memory (a store for @fastify/rate-limit): fixed one-window counters per
 * client key, in memory only.
 *
 * The plugin's own store is an LRU of 5,000 keys: a flood of 5,000 fresh addresses pushes a busy
 * client out, and its count starts again from zero. Here nothing is ever pushed out before its
 * window is over. The table holds `capacity` keys; when it is full, windows that have ended are
 * dropped, and if it is still full, newcomers are counted together in one shared overflow bucket
 * (they are limited as one client until room comes back) rather than resetting anybody.
 */

export const OVERFLOW_KEY = '\0overflow'

interface Entry {
  count: number
  start: number
}

export interface StoreOptions {
  /** Most keys held (default 50,000: a few MB). */
  capacity?: number
  now?: () => number
}

type IncrCallback = (err: Error | null, result?: { current: number; ttl: number }) => void

export class WindowStore {
  private readonly entries = new Map<string, Entry>()
  private readonly capacity: number
  private readonly now: () => number
  private lastPurge = 0

  constructor(options: StoreOptions = {}) {
    this.capacity = options.capacity ?? 50_000
    this.now = options.now ?? Date.now
  }

  get size(): number {
    return this.entries.size
  }

  /** Drops ended windows; at most once per 100 ms so that a flood cannot make every request pay for it. */
  private purge(now: number, window: number): void {
    if (now - this.lastPurge < 100) return
    this.lastPurge = now
    for (const [key, e] of this.entries) if (e.start + window <= now) this.entries.delete(key)
  }

  /** Counts one request for `key` in a window of `window` ms. */
  hit(key: string, window: number): { current: number; ttl: number } {
    const now = this.now()
    let k = key
    let e = this.entries.get(k)
    if (!e) {
      if (this.entries.size >= this.capacity) this.purge(now, window)
      if (this.entries.size >= this.capacity) {
        k = OVERFLOW_KEY
        e = this.entries.get(k)
      }
    }
    if (!e || e.start + window <= now) {
      e = { count: 0, start: now }
      // The overflow bucket may go one past the capacity; nothing else does.
      this.entries.set(k, e)
    }
    e.count += 1
    return { current: e.count, ttl: e.start + window - now }
  }

  /** The count of `key` in its current window, without counting (0 when none). */
  peek(key: string, window: number): number {
    const e = this.entries.get(key) ?? (this.entries.size >= this.capacity ? this.entries.get(OVERFLOW_KEY) : undefined)
    return e && e.start + window > this.now() ? e.count : 0
  }

  /** @fastify/rate-limit's store interface (it passes the route's window in ms). */
  incr(key: string, cb: IncrCallback, timeWindow: number = 60_000): void {
    cb(null, this.hit(key, timeWindow))
  }

  child(): WindowStore {
    return new WindowStore({ capacity: this.capacity, now: this.now })
  }
}
