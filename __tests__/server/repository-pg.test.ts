/**
 * The storage contract (repository-contract.ts) on PostgreSQL, each test in a schema of its own,
 * with a second instance (its own pools) on the same schema; and what only PostgreSQL has:
 * migrations that run once when instances start together, and the shared receipt salt.
 */
import fs from 'node:fs'
import { PG_MIGRATIONS } from '../../server/src/repository/pg-migrations'
import { LockWaitTimeout } from '../../server/src/locks'
import { PgLocks } from '../../server/src/postgres/locks'
import { createPool } from '../../server/src/postgres/pool'
import { openStorage } from '../../server/src/services'
import { makeTestEnv, receipt, type TestEnv } from './helpers'
import { describePg, freshSchema, requirePg, type TestSchema } from './pg-test-db'
import { storageContract } from './repository-contract'

let env: TestEnv
let db: TestSchema
describePg('PostgreSQL storage', () => {
  beforeAll(() => void requirePg())
  beforeEach(async () => {
    env = makeTestEnv()
    fs.mkdirSync(env.dataDir)
    db = await freshSchema()
  })
  afterEach(async () => {
    await db.drop()
    env.cleanup()
  })

  storageContract({
    open: () => openStorage(env.dataDir, { databaseUrl: db.url }),
    openAnother: () => openStorage(`${env.dataDir}-another`, { databaseUrl: db.url }),
  })

  test('instances starting at the same moment run each migration once', async () => {
    const storages = await Promise.all([1, 2, 3, 4].map(() => openStorage(env.dataDir, { databaseUrl: db.url })))
    try {
      const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
      expect(versions.rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1))
      // Every instance hashes a receipt alike: the salt (and the development pepper) are shared.
      const r = receipt()
      const hashes = await Promise.all(storages.map((s) => s.receipts.digests(r)))
      expect(new Set(hashes.map((h) => h[2])).size).toBe(1)
      expect((await db.query('SELECT name FROM server_secrets ORDER BY name')).rows.map((x) => x.name)).toEqual(['receipt-pepper.dev', 'receipt-salt'])
    } finally {
      for (const s of storages) {
        await s.repository.close()
        await s.locks.close()
      }
    }
  })

  test('a database migrated by a newer server is refused, not changed', async () => {
    const s = await openStorage(env.dataDir, { databaseUrl: db.url })
    await s.repository.close()
    await s.locks.close()
    await db.query('INSERT INTO schema_migrations (version) VALUES ($1)', [PG_MIGRATIONS.length + 1])
    await expect(openStorage(env.dataDir, { databaseUrl: db.url })).rejects.toThrow(/newer than this server/)
  })

  test('the schema refuses values the server never writes', async () => {
    const s = await openStorage(env.dataDir, { databaseUrl: db.url })
    await s.repository.close()
    await s.locks.close()
    const insert = (id: string, state: string) =>
      db.query(
        `INSERT INTO submissions (id, idempotency_key, request_hash, envelope_version, suite, kid, epk, report, state, created_at, expires_at)
         VALUES ($1, $2, $2, 2, 's', 'k', 'e', '\\x00', $3, 0, 1)`,
        [id, 'a'.repeat(64), state],
      )
    await expect(insert('../x', 'open')).rejects.toThrow(/check constraint/)
    await expect(insert('b'.repeat(32), 'deleted')).rejects.toThrow(/check constraint/)
    await insert('c'.repeat(32), 'open')
  })

  test('a waiter gives up after its longest wait (LockWaitTimeout, 503 BUSY) and holds no connection while it waits', async () => {
    const pool = createPool(db.url, { max: 1 })
    const locks = [new PgLocks(pool, { maxWaitMs: 1000 }), new PgLocks(createPool(db.url, { max: 1 }), { maxWaitMs: 1000 })]
    let release: (() => void) | undefined
    try {
      let holding!: () => void
      const taken = new Promise<void>((r) => (holding = r))
      const held = locks[0].run('k', () => new Promise<void>((r) => {
        release = r
        holding()
      }))
      // Until the lock is really held (a fixed pause was too short under load: the waiter then took
      // the lock first, and closing the pools waited forever for the holder's task).
      await taken
      const t0 = performance.now()
      const waiting = locks[1].run('k', async () => 'never')
      // A second waiter in the same instance queues behind the first: its wait counts from its call.
      const queued = locks[1].run('k', async () => 'never').then(
        () => 'ran',
        (e) => (e instanceof LockWaitTimeout ? performance.now() - t0 : e),
      )
      // The waiter's instance has one connection, and it is free between tries: another key goes in.
      expect(await locks[1].run('other', async () => 'ran')).toBe('ran')
      await expect(waiting).rejects.toBeInstanceOf(LockWaitTimeout)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(900)
      // Given up at about 1 s too, not after the first waiter's second plus a second of its own.
      const queuedMs = await queued
      expect(typeof queuedMs).toBe('number')
      expect(queuedMs).toBeLessThan(1700)
      release!()
      await held
      expect(await locks[1].run('k', async () => 'now')).toBe('now')
    } finally {
      release?.()
      await Promise.all(locks.map((l) => l.close()))
    }
  })
})
