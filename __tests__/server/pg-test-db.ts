/**
 * PostgreSQL for the tests. DATABASE_URL names a database the tests may create schemas in (.ci/run
 * installs and starts PostgreSQL and exports it). Each test gets a schema of its own (a URL with
 * `options=-c search_path=…`), dropped afterwards, so that parallel test files never meet.
 *
 * Without DATABASE_URL the PostgreSQL tests are skipped, except under CI=true, where that is a
 * failure: CI must run both backends.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const PG_URL = process.env.DATABASE_URL || undefined
const IN_CI = process.env.CI === 'true'

/** describe, or describe.skip when there is no PostgreSQL outside CI. */
export const describePg: jest.Describe = PG_URL || IN_CI ? describe : describe.skip

/** Throws under CI without DATABASE_URL (call it in beforeAll of every PostgreSQL suite). */
export function requirePg(): string {
  if (!PG_URL) throw new Error('CI=true but DATABASE_URL is not set: .ci/run must start PostgreSQL and export DATABASE_URL')
  return PG_URL
}

/** `url` with its tables in `schema`. */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return u.toString()
}

export interface TestSchema {
  /** DATABASE_URL for the schema. */
  url: string
  schema: string
  /** A pool on the schema, for looking at rows directly. */
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>
  drop(): Promise<void>
}

export async function freshSchema(): Promise<TestSchema> {
  const base = requirePg()
  const schema = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  try {
    await admin.query(`CREATE SCHEMA ${schema}`)
  } finally {
    await admin.end()
  }
  const url = withSchema(base, schema)
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  return {
    url,
    schema,
    query: (text, values) => pool.query(text, values),
    drop: async () => {
      await pool.end()
      const c = new pg.Client({ connectionString: base })
      await c.connect()
      try {
        await c.query(`DROP SCHEMA ${schema} CASCADE`)
      } finally {
        await c.end()
      }
    },
  }
}
