/**
 * Mutual exclusion by key. `KeyedMutex` serializes within one process (the embedded SQLite
 * deployment is one process). Rules that must hold across several instances (finalize exactly
 * once, one sweep at a time) go through `ClusterLocks`, which the storage provides: in-process for
 * SQLite (LocalLocks), PostgreSQL advisory locks for PostgreSQL (postgres/locks.ts).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const current = new Promise<void>((resolve) => (release = resolve))
    const tail = previous.then(() => current)
    this.tails.set(key, tail)
    await previous
    try {
      return await task()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }

  /** Whether a task holds or waits for `key`. */
  busy(key: string): boolean {
    return this.tails.has(key)
  }
}

/** A key stayed busy for longer than a waiter may wait (the API answers 503 BUSY). */
export class LockWaitTimeout extends Error {
  constructor(readonly key: string) {
    super(`lock ${key} stayed busy`)
    this.name = 'LockWaitTimeout'
  }
}

/** Locks that hold for every server instance sharing one storage. */
export interface ClusterLocks {
  /** Runs `task` holding `key` (waits for whoever holds it). */
  run<T>(key: string, task: () => Promise<T>): Promise<T>
  /** Runs `task` holding `key` if nobody holds it; otherwise resolves `{ ran: false }` at once. */
  tryRun<T>(key: string, task: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>
  /** Releases what the locks hold open (connections). */
  close(): Promise<void>
}

/** ClusterLocks for a storage only one process uses. */
export class LocalLocks implements ClusterLocks {
  private readonly mutex = new KeyedMutex()

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.mutex.run(key, task)
  }

  async tryRun<T>(key: string, task: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.mutex.busy(key)) return { ran: false }
    return { ran: true, value: await this.mutex.run(key, task) }
  }

  async close(): Promise<void> {}
}
