/**
 * Runs the PostgreSQL migrations once, however many instances start at the same moment: the first
 * to take the transaction-scoped advisory lock applies what is missing and records it; the others
 * wait for the lock, then find nothing left to do. DDL is transactional in PostgreSQL, so a crash
 * half-way leaves the schema as it was.
 */
import type pg from 'pg'
import { PG_MIGRATIONS } from '../repository/pg-migrations'
import { lockKeySql } from './locks'
import { transaction } from './pool'

export class SchemaTooNewError extends Error {
  constructor(readonly version: number, readonly known: number) {
    super(`The database schema (version ${version}) is newer than this server (${known})`)
    this.name = 'SchemaTooNewError'
  }
}

/** The schema version recorded in the database, or 0 when it holds none of our tables. */
export async function schemaVersion(db: pg.Pool | pg.PoolClient): Promise<number> {
  const exists = await db.query<{ present: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`)
  if (!exists.rows[0].present) return 0
  const r = await db.query<{ version: number }>('SELECT COALESCE(MAX(version), 0)::int AS version FROM schema_migrations')
  return r.rows[0].version
}

/** Applies the missing migrations; resolves with the versions this call applied. */
export async function migrate(pool: pg.Pool, migrations: readonly string[] = PG_MIGRATIONS): Promise<number[]> {
  return transaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${lockKeySql('$1')})`, ['migrations'])
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY CHECK (version > 0))')
    const version = await schemaVersion(client)
    if (version > migrations.length) throw new SchemaTooNewError(version, migrations.length)
    const applied: number[] = []
    for (let i = version; i < migrations.length; i++) {
      await client.query(migrations[i])
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1])
      applied.push(i + 1)
    }
    return applied
  })
}
