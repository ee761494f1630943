/**
 * npm run bench:case-list — the bureau's case list (GET /bureau/v1/cases) page by page: what the
 * route reads for a page of P cases (default 50) — listSubmissions, caseBureauStates and the case
 * channel's activity (listActivity of the page's ids) — with N cases (default 2,000) of M messages
 * each (default 10) in the database, on SQLite and, with DATABASE_URL, on PostgreSQL (a schema of
 * its own, dropped afterwards). Every page of the list is read, in R rounds.
 *
 * Reference in the same run, on the same data and the same pages: the activity query as it was
 * before review L2 (every case's accepted messages grouped, then filtered to the page in JS). The
 * two must give the same page; the script stops if they do not.
 *
 * The rows are written straight into the tables (one transaction; PostgreSQL ANALYZEd after, as
 * autovacuum would), not through the API: seeding is not what is measured. 7 of each case's 10
 * messages are the resident's, every 5th with a declared file; half the cases are read.
 *
 * Options: --cases N (2000) --messages M (10) --page P (50) --rounds R (5) --bytes B (message and
 * copy ciphertext, 1024 each) --backend sqlite|pg|both (both: PostgreSQL only with DATABASE_URL)
 */
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import pg from 'pg'
import type { CaseActivity } from '../server/src/repository/case-types'
import { DATABASE_FILE } from '../server/src/repository/sqlite'
import { createPool } from '../server/src/postgres/pool'
import { openStorage, type Storage } from '../server/src/services'

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '2000' },
    messages: { type: 'string', default: '10' },
    page: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
    bytes: { type: 'string', default: '1024' },
    backend: { type: 'string', default: 'both' },
  },
})
const int = (name: string, v: string | undefined, min: number, max: number): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} ${min}..${max}`)
  return n
}
const N = int('cases', values.cases, 1, 100_000)
const M = int('messages', values.messages, 0, 100)
const P = int('page', values.page, 1, 1000)
const R = int('rounds', values.rounds, 1, 100)
const B = int('bytes', values.bytes, 1, 64 * 1024)
const backend = values.backend ?? 'both'
if (!['sqlite', 'pg', 'both'].includes(backend)) throw new Error('--backend sqlite|pg|both')

const MINUTE = 60_000
const hex = (n: number) => randomBytes(n).toString('hex')
const ms = (t: number) => `${t.toFixed(2)} ms`
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]

/** The activity statement before review L2, word for word, per dialect. */
const OLD_SQLITE = `SELECT m.case_id,
    SUM(m.sender = 'resident' AND m.read_at IS NULL) AS unread,
    COALESCE(SUM(CASE WHEN m.sender = 'resident' AND m.read_at IS NULL
      THEN (SELECT COUNT(*) FROM case_attachments a WHERE a.msg_id = m.msg_id) END), 0) AS unread_attachments,
    COUNT(*) AS messages, MAX(m.accepted_at) AS last_at
  FROM case_messages m WHERE m.state = 'accepted' GROUP BY m.case_id ORDER BY m.case_id`
const OLD_PG = `SELECT m.case_id,
    COUNT(*) FILTER (WHERE m.sender = 'resident' AND m.read_at IS NULL)::int AS unread,
    COALESCE(SUM(CASE WHEN m.sender = 'resident' AND m.read_at IS NULL
      THEN (SELECT COUNT(*) FROM case_attachments a WHERE a.msg_id = m.msg_id) END), 0)::int AS unread_attachments,
    COUNT(*)::int AS messages, MAX(m.accepted_at) AS last_at
  FROM case_messages m WHERE m.state = 'accepted' GROUP BY m.case_id ORDER BY m.case_id`

type ActivityRow = { case_id: string; unread: number; unread_attachments: number; messages: number; last_at: number | null }
const toActivity = (r: ActivityRow): CaseActivity => ({ caseId: r.case_id, unread: r.unread, unreadAttachments: r.unread_attachments, messages: r.messages, lastAt: r.last_at })

interface Rows {
  subs: unknown[][]
  messages: unknown[][]
  files: unknown[][]
}

/** N accepted cases of M messages, as table rows (column order as in the INSERTs below). */
function makeRows(): Rows {
  const header = JSON.stringify({ t: 'case-message', v: 1, suite: 'x25519-hkdf-sha256-chacha20poly1305-stream64k-padme', kid: '0011223344556677', rkid: '8899aabbccddeeff', epk: randomBytes(32).toString('base64') })
  const subs: unknown[][] = []
  const messages: unknown[][] = []
  const files: unknown[][] = []
  for (let i = 0; i < N; i++) {
    const id = hex(16)
    const at = (i + 1) * MINUTE
    subs.push([id, hex(32), hex(32), 2, 'x25519-hkdf-sha256-chacha20poly1305-stream', '0011223344556677', randomBytes(32).toString('base64'), randomBytes(112), at, at, hex(32), 2, 'received', at, 'case'])
    for (let j = 0; j < M; j++) {
      const msgId = hex(16)
      const resident = j % 10 < 7
      const t = at + (j + 1) * MINUTE
      messages.push([msgId, id, resident ? 'resident' : 'bureau', header, randomBytes(B), randomBytes(B), hex(32), 'accepted', j + 1, t, t, resident && i % 2 === 0 ? t + MINUTE : null])
      if (resident && j % 5 === 0) files.push([msgId, 0, 4096, '00000000'])
    }
  }
  return { subs, messages, files }
}

const SUB_COLUMNS = 'id, idempotency_key, request_hash, envelope_version, suite, kid, epk, report, state, created_at, accepted_at, receipt_hash, receipt_scheme, status, status_changed_at, case_kind'
const MSG_COLUMNS = 'msg_id, case_id, sender, header, message, copy, request_hash, state, seq, created_at, accepted_at, read_at'

interface Backend {
  name: string
  storage: Storage
  /** The old activity statement, whole (the reference). */
  oldActivity(): Promise<CaseActivity[]>
  /** How the database runs the new statement for `ids`. */
  plan(ids: string[]): Promise<string>
  close(): Promise<void>
}

async function sqliteBackend(rows: Rows): Promise<Backend> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-case-list-'))
  const storage = await openStorage(dir)
  const db = new Database(path.join(dir, DATABASE_FILE))
  db.pragma('journal_mode = WAL')
  const sub = db.prepare(`INSERT INTO submissions (${SUB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?, ?, ?, ?, ?, ?)`)
  const msg = db.prepare(`INSERT INTO case_messages (${MSG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const file = db.prepare('INSERT INTO case_attachments (msg_id, n, size, crc32) VALUES (?, ?, ?, ?)')
  db.transaction(() => {
    for (const r of rows.subs) sub.run(...r)
    for (const r of rows.messages) msg.run(...r)
    for (const r of rows.files) file.run(...r)
  })()
  const old = db.prepare<[], ActivityRow>(OLD_SQLITE)
  return {
    name: `SQLite ${db.prepare<[], { v: string }>('SELECT sqlite_version() AS v').get()!.v}`,
    storage,
    oldActivity: async () => old.all().map(toActivity),
    plan: async () => {
      const text = fs.readFileSync(path.join(__dirname, '../server/src/repository/case-sqlite.ts'), 'utf8')
      const sql = /activity: db\.prepare<[^`]*`([^`]*)`/.exec(text)?.[1]
      if (!sql) return '(statement not found)'
      return db.prepare<[string], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all('[]').map((r) => r.detail).join('; ')
    },
    close: async () => {
      db.close()
      await storage.repository.close()
      await storage.locks.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function pgBackend(rows: Rows): Promise<Backend> {
  // A schema of its own in DATABASE_URL's database, dropped at the end.
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await admin.connect()
  const schemaName = `bench_list_${hex(6)}`
  await admin.query(`CREATE SCHEMA ${schemaName}`)
  // Seeding can fail half-way (a full disk, a dropped connection): the schema goes with it.
  try {
    const url = new URL(process.env.DATABASE_URL!)
    url.searchParams.set('options', `-c search_path=${schemaName}`)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-case-list-'))
    const storage = await openStorage(dir, { databaseUrl: url.toString() })
    // The server's pool settings (BIGINT as numbers, as the repository reads them).
    const pool = createPool(url.toString(), { max: 1 })
    const columns = (rs: unknown[][]) => (rs[0] ?? []).map((_, c) => rs.map((r) => r[c]))
    const insert = async (table: string, cols: string, types: string[], rs: unknown[][]) => {
      for (let i = 0; i < rs.length; i += 2000) {
        const slice = rs.slice(i, i + 2000)
        const list = types.map((t, k) => `$${k + 1}::${t}[]`).join(', ')
        await pool.query(`INSERT INTO ${table} (${cols}) SELECT * FROM unnest(${list})`, columns(slice))
      }
    }
    // submissions: state is a constant, put in its column place by the SELECT.
    const subCols = SUB_COLUMNS.split(', ')
    const subTypes = ['text', 'text', 'text', 'smallint', 'text', 'text', 'text', 'bytea', 'bigint', 'bigint', 'text', 'smallint', 'text', 'bigint', 'text']
    await pool.query('BEGIN')
    for (let i = 0; i < rows.subs.length; i += 2000) {
      const slice = rows.subs.slice(i, i + 2000)
      const names = subCols.filter((c) => c !== 'state')
      const list = subTypes.map((t, k) => `$${k + 1}::${t}[]`).join(', ')
      const select = subCols.map((c) => (c === 'state' ? `'accepted'` : `u.${c}`)).join(', ')
      await pool.query(`INSERT INTO submissions (${SUB_COLUMNS}) SELECT ${select} FROM unnest(${list}) AS u(${names.join(', ')})`, columns(slice))
    }
    await insert('case_messages', MSG_COLUMNS, ['text', 'text', 'text', 'text', 'bytea', 'bytea', 'text', 'text', 'int', 'bigint', 'bigint', 'bigint'], rows.messages)
    await insert('case_attachments', 'msg_id, n, size, crc32', ['text', 'smallint', 'bigint', 'text'], rows.files)
    await pool.query('COMMIT')
    await pool.query('ANALYZE')
    const version = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version
    return {
      name: `PostgreSQL ${version}`,
      storage,
      oldActivity: async () => (await pool.query<ActivityRow>({ name: 'bench_old_activity', text: OLD_PG })).rows.map(toActivity),
      plan: async (ids) => {
        const text = fs.readFileSync(path.join(__dirname, '../server/src/repository/case-postgres.ts'), 'utf8')
        const sql = /activity: `([^`]*)`/.exec(text)?.[1]
        if (!sql) return '(statement not found)'
        const r = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, [ids])
        return r.rows.map((x) => x['QUERY PLAN'].trim().replace(/'\{[^}]*\}'/g, "'{…page ids…}'")).filter((l) => /Scan|Index/.test(l)).join('; ')
      },
      close: async () => {
        await pool.end()
        await storage.repository.close()
        await storage.locks.close()
        await admin.query(`DROP SCHEMA ${schemaName} CASCADE`)
        await admin.end()
        fs.rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch (e) {
    await admin.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`).catch(() => undefined)
    await admin.end().catch(() => undefined)
    throw e
  }
}

/** One page as the route reads it, with the activity from `activity`. */
async function page(storage: Storage, after: string | undefined, activity: (ids: string[]) => Promise<CaseActivity[]>) {
  const t0 = performance.now()
  const subs = await storage.repository.listSubmissions({ state: 'accepted', after, limit: P })
  const ids = subs.map((s) => s.id)
  const states = await storage.repository.caseBureauStates(ids)
  const t1 = performance.now()
  const act = await activity(ids)
  const t2 = performance.now()
  return { ids, states, act, totalMs: t2 - t0, activityMs: t2 - t1 }
}

async function measure(b: Backend): Promise<void> {
  const repo = b.storage.repository
  const variants = {
    new: (ids: string[]) => repo.cases.listActivity(ids),
    old: async (ids: string[]) => {
      const wanted = new Set(ids)
      return (await b.oldActivity()).filter((a) => wanted.has(a.caseId))
    },
  }
  const times = { new: { total: [] as number[], activity: [] as number[] }, old: { total: [] as number[], activity: [] as number[] } }
  let pages = 0
  // Round 0 warms up (statements prepared, caches filled) and is not counted.
  for (let round = 0; round <= R; round++) {
    let after: string | undefined
    for (;;) {
      // Alternating which goes first, so that neither always finds the other's cache.
      const order = (pages + round) % 2 ? (['new', 'old'] as const) : (['old', 'new'] as const)
      const got: Partial<Record<'new' | 'old', Awaited<ReturnType<typeof page>>>> = {}
      for (const v of order) got[v] = await page(b.storage, after, variants[v])
      if (JSON.stringify(got.new!.act) !== JSON.stringify(got.old!.act)) throw new Error(`${b.name}: the new activity differs from the old on a page after ${after}`)
      if (round > 0) {
        for (const v of order) {
          times[v].total.push(got[v]!.totalMs)
          times[v].activity.push(got[v]!.activityMs)
        }
      }
      const ids = got.new!.ids
      if (round === 1) pages++
      if (ids.length < P) break
      after = ids[ids.length - 1]
    }
  }
  const firstPage = (await repo.listSubmissions({ state: 'accepted', limit: P })).map((s) => s.id)
  console.log(`\n${b.name}: ${N} cases × ${M} messages (${B} B message + ${B} B copy each), ${pages} pages of ${P}, ${R} rounds (${times.new.total.length} pages timed per variant)`)
  console.log(`  new statement's plan: ${await b.plan(firstPage)}`)
  const line = (label: string, xs: number[]) => `    ${label.padEnd(26)} median ${ms(quantile(xs, 0.5)).padStart(10)}   p95 ${ms(quantile(xs, 0.95)).padStart(10)}`
  for (const v of ['new', 'old'] as const) {
    console.log(`  ${v === 'new' ? 'new: listActivity(page ids)' : 'reference: old full scan + JS filter'}`)
    console.log(line('page (list+states+activity)', times[v].total))
    console.log(line('activity alone', times[v].activity))
  }
  const ratio = quantile(times.old.activity, 0.5) / quantile(times.new.activity, 0.5)
  console.log(`  activity: the old full scan takes ${ratio.toFixed(1)}× the new query (medians); page: ${(quantile(times.old.total, 0.5) / quantile(times.new.total, 0.5)).toFixed(1)}×`)
}

async function main(): Promise<void> {
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${os.cpus().length} cores`)
  const t0 = performance.now()
  const rows = makeRows()
  const runs: (() => Promise<Backend>)[] = []
  if (backend !== 'pg') runs.push(() => sqliteBackend(rows))
  if (backend !== 'sqlite') {
    if (process.env.DATABASE_URL) runs.push(() => pgBackend(rows))
    else if (backend === 'pg') throw new Error('--backend pg needs DATABASE_URL')
    else console.log('PostgreSQL skipped: no DATABASE_URL')
  }
  for (const open of runs) {
    const s = performance.now()
    const b = await open()
    console.log(`${b.name}: seeded in ${((performance.now() - s) / 1000).toFixed(1)} s`)
    try {
      await measure(b)
    } finally {
      await b.close()
    }
  }
  console.log(`\ndone in ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
