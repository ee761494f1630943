/**
 * Released migrations never change: both backends' steps are partly built from the shared DDL in
 * server/src/repository/ddl.ts, so an edit there would silently rewrite a step that databases
 * already ran. Each step's SQL (comments and white space folded) is pinned by its SHA-256, taken
 * from the steps as released, before the DDL was shared. A schema change is a new step.
 */
import { createHash } from 'node:crypto'
import { MIGRATIONS } from '../../server/src/repository/migrations'
import { PG_MIGRATIONS } from '../../server/src/repository/pg-migrations'

const fingerprint = (sql: string) =>
  createHash('sha256').update(sql.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').trim()).digest('hex').slice(0, 16)

test.each([
  ['SQLite', MIGRATIONS, ['b566c61ffbe2bfdd', 'b0983e1966320044', '921dcc3573d9a801', '82c05a73d5d81d56']],
  ['PostgreSQL', PG_MIGRATIONS, ['affdbfdfcd184957', '6b21eada5b3deeec', '1d3b5a9cd4a1b090']],
] as const)('%s: the released steps are the SQL they were', (_name, steps, released) => {
  expect(steps.slice(0, released.length).map(fingerprint)).toEqual(released)
})

test('the shared DDL reads as each dialect: no SQLite type in PostgreSQL steps, no PostgreSQL type in SQLite ones', () => {
  for (const step of MIGRATIONS) expect(step).not.toMatch(/\b(BYTEA|BIGINT|octet_length|char_length)\b/)
  for (const step of PG_MIGRATIONS) expect(step).not.toMatch(/\b(BLOB|STRICT|AUTOINCREMENT)\b|\blength\(/)
})
