/**
 * PostgreSQL implementation of the repository, for several server instances sharing one database
 * (node-postgres pool, named prepared statements). Every rule the routes rely on holds across
 * instances because it is decided inside one transaction in the database:
 *
 *  - idempotency keys: the UNIQUE idempotency_key column; a create that loses the race waits for
 *    the winner's commit (INSERT … ON CONFLICT DO NOTHING) and then returns the winner's row;
 *  - finalize exactly once: accept locks the row (SELECT … FOR UPDATE) and changes it only while
 *    it is open, so one accept wins and the others see it accepted;
 *  - receipt uniqueness: the UNIQUE receipt_hash column (a concurrent accept of another submission
 *    with the same receipt gets a unique violation → receipt-in-use);
 *  - a commit is durable before it returns (synchronous_commit stays on).
 */
import type pg from 'pg'
import type { ReceiptDigests } from '../receipts'
import { CURRENT_SCHEME } from '../receipts'
import { migrate } from '../postgres/migrate'
import { sqlState } from '../postgres/errors'
import { q, transaction } from '../postgres/pool'
import { PgCaseRepository } from './case-postgres'
import type { CaseKind } from './case-types'
import { checkNote, isLive, pageSize, submissionColumns, toMinute, toSubmission, type AttachmentRow, type SubmissionRow } from './rows'
import { PgBureauTables } from './bureau-postgres'
import type { AcceptResult, CreateResult, ListQuery, NewSubmission, PublicStatus, Repository, StatusView, Submission } from './types'

const COLUMNS = submissionColumns('octet_length')

/** Statements by name (each is prepared once per connection). */
const SQL = {
  byId: `SELECT ${COLUMNS} FROM submissions WHERE id = $1`,
  byIdForUpdate: `SELECT ${COLUMNS} FROM submissions WHERE id = $1 FOR UPDATE`,
  byKeyForUpdate: `SELECT ${COLUMNS} FROM submissions WHERE idempotency_key = $1 FOR UPDATE`,
  attachments: 'SELECT n, size, sha256 FROM attachments WHERE submission_id = $1 ORDER BY n',
  attachmentsOf: 'SELECT submission_id, n, size, sha256 FROM attachments WHERE submission_id = ANY($1::text[]) ORDER BY submission_id, n',
  insert: `INSERT INTO submissions (id, idempotency_key, request_hash, envelope_version, suite, kid, epk, report, state, created_at, expires_at, branch)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11) ON CONFLICT (idempotency_key) DO NOTHING RETURNING ${COLUMNS}`,
  insertAttachments: `INSERT INTO attachments (submission_id, n, size, sha256)
    SELECT $1, n, size, sha256 FROM unnest($2::smallint[], $3::bigint[], $4::text[]) AS a(n, size, sha256)`,
  report: 'SELECT report FROM submissions WHERE id = $1',
  accept: `UPDATE submissions SET state = 'accepted', accepted_at = $2, expires_at = NULL, receipt_hash = $3, receipt_scheme = $4,
    case_kind = $5, status = 'received', status_changed_at = $2 WHERE id = $1 AND state = 'open' RETURNING ${COLUMNS}`,
  // A receipt is one hash per scheme; a row matches under its own scheme only.
  receiptOwner: `SELECT id FROM submissions WHERE (receipt_hash = $1 AND receipt_scheme = 2) OR (receipt_hash = $2 AND receipt_scheme = 1)`,
  status: `SELECT status, status_changed_at, public_note FROM submissions
    WHERE ((receipt_hash = $1 AND receipt_scheme = 2) OR (receipt_hash = $2 AND receipt_scheme = 1)) AND state = 'accepted'`,
  // closed_at: when the status last became closed (kept while it stays closed).
  setStatus: `UPDATE submissions SET status = $2, status_changed_at = $3, public_note = $4,
    closed_at = CASE WHEN $2 = 'closed' THEN (CASE WHEN status = 'closed' AND closed_at IS NOT NULL THEN closed_at ELSE $3 END) ELSE NULL END
    WHERE id = $1 AND state = 'accepted'`,
  delete: 'DELETE FROM submissions WHERE id = $1',
  deleteExpired: `DELETE FROM submissions WHERE id = $1 AND state = 'open' AND expires_at <= $2`,
  expired: `SELECT id FROM submissions WHERE state = 'open' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
  exists: 'SELECT 1 FROM submissions WHERE id = $1',
  openSizes: `SELECT s.id, (octet_length(s.report) + COALESCE((SELECT SUM(a.size) FROM attachments a WHERE a.submission_id = s.id), 0))::bigint AS bytes
    FROM submissions s WHERE s.state = 'open'`,
  // Listing: every filter is a parameter that may be NULL (one plan for every combination).
  list: `SELECT ${COLUMNS} FROM submissions
    WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR created_at >= $3)
      AND ($4::bigint IS NULL OR created_at > $4 OR (created_at = $4 AND id > $5))
      AND ($7::bigint IS NULL OR created_at < $7) AND ($8::text[] IS NULL OR branch = ANY($8::text[]))
    ORDER BY created_at, id LIMIT $6`,
} as const

type Name = keyof typeof SQL
type Db = pg.Pool | pg.PoolClient

function run<R extends pg.QueryResultRow>(db: Db, name: Name, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  return db.query<R>(q(`clue_${name}`, SQL[name], values))
}

export class PgRepository extends PgBureauTables implements Repository {
  /** The case channel's tables, on the same database. */
  readonly cases: PgCaseRepository

  /** `ownsPool`: close() ends the pool (else the caller does). */
  constructor(
    pool: pg.Pool,
    private readonly ownsPool = false,
  ) {
    super(pool)
    this.cases = new PgCaseRepository(pool)
  }

  /** Migrates the database (once, under an advisory lock) and returns the repository. */
  static async open(pool: pg.Pool, ownsPool = false): Promise<PgRepository> {
    await migrate(pool)
    return new PgRepository(pool, ownsPool)
  }

  private async withAttachments(db: Db, row: SubmissionRow): Promise<Submission> {
    return toSubmission(row, (await run<AttachmentRow>(db, 'attachments', [row.id])).rows)
  }

  private async many(rows: SubmissionRow[]): Promise<Submission[]> {
    if (rows.length === 0) return []
    const all = (await run<AttachmentRow & { submission_id: string }>(this.pool, 'attachmentsOf', [rows.map((r) => r.id)])).rows
    const byId = new Map<string, AttachmentRow[]>()
    for (const a of all) byId.set(a.submission_id, [...(byId.get(a.submission_id) ?? []), a])
    return rows.map((r) => toSubmission(r, byId.get(r.id) ?? []))
  }

  async createSubmission(input: NewSubmission, now: number): Promise<CreateResult> {
    // At most twice: a second round only when an expired row was replaced under our feet.
    for (let attempt = 0; ; attempt++) {
      const result = await transaction(this.pool, async (client): Promise<CreateResult | undefined> => {
        const existing = (await run<SubmissionRow>(client, 'byKeyForUpdate', [input.idempotencyKeyHash])).rows[0]
        if (existing) {
          if (isLive(existing, now)) {
            if (existing.request_hash !== input.requestHash) return { outcome: 'conflict' }
            return { outcome: 'existing', submission: await this.withAttachments(client, existing) }
          }
          // Expired and not yet swept: gone for the client; its blobs become orphans the sweeper removes.
          await run(client, 'delete', [existing.id])
        }
        const { header } = input
        const inserted = await run<SubmissionRow>(client, 'insert', [
          input.id, input.idempotencyKeyHash, input.requestHash, header.v, header.suite, header.kid, header.epk, input.report,
          toMinute(input.createdAt), toMinute(input.expiresAt), input.branch ?? null,
        ])
        // Another instance inserted the same key meanwhile (we waited for its commit): read its row.
        if (inserted.rowCount === 0) return undefined
        if (input.attachments.length > 0) {
          const a = input.attachments
          await run(client, 'insertAttachments', [input.id, a.map((x) => x.n), a.map((x) => x.size), a.map((x) => x.crc32 ?? x.sha256)])
        }
        const declared = input.attachments.map((x) => ({ n: x.n, size: x.size, sha256: (x.crc32 ?? x.sha256)! }))
        return { outcome: 'created', submission: toSubmission(inserted.rows[0], declared) }
      })
      if (result) return result
      if (attempt >= 3) throw new Error('createSubmission: the idempotency key kept changing hands')
    }
  }

  async getSubmission(id: string, now?: number): Promise<Submission | undefined> {
    const row = (await run<SubmissionRow>(this.pool, 'byId', [id])).rows[0]
    return row && isLive(row, now) ? this.withAttachments(this.pool, row) : undefined
  }

  async getReport(id: string): Promise<Buffer | undefined> {
    return (await run<{ report: Buffer }>(this.pool, 'report', [id])).rows[0]?.report
  }

  async acceptSubmission(id: string, receipt: ReceiptDigests, now: number, kind: CaseKind = 'legacy'): Promise<AcceptResult> {
    try {
      return await transaction(this.pool, async (client): Promise<AcceptResult> => {
        const row = (await run<SubmissionRow>(client, 'byIdForUpdate', [id])).rows[0]
        if (!row || !isLive(row, now)) return { outcome: 'not-found' }
        if (row.state === 'accepted') {
          return row.receipt_scheme !== null && row.receipt_hash === receipt[row.receipt_scheme]
            ? { outcome: 'already', submission: await this.withAttachments(client, row) }
            : { outcome: 'receipt-mismatch' }
        }
        if ((await run(client, 'receiptOwner', [receipt[2], receipt[1]])).rowCount! > 0) return { outcome: 'receipt-in-use' }
        const accepted = await run<SubmissionRow>(client, 'accept', [id, toMinute(now), receipt[CURRENT_SCHEME], CURRENT_SCHEME, kind])
        return { outcome: 'accepted', submission: await this.withAttachments(client, accepted.rows[0]) }
      })
    } catch (e) {
      // Another submission took the same receipt hash in a concurrent transaction.
      if (sqlState(e) === '23505' && /receipt_hash/.test((e as { constraint?: string }).constraint ?? '')) return { outcome: 'receipt-in-use' }
      throw e
    }
  }

  async findStatusByReceipt(receipt: ReceiptDigests): Promise<StatusView | undefined> {
    const row = (await run<{ status: PublicStatus; status_changed_at: number; public_note: string | null }>(this.pool, 'status', [receipt[2], receipt[1]])).rows[0]
    return row ? { status: row.status, changedAt: row.status_changed_at, publicNote: row.public_note } : undefined
  }

  async listSubmissions(query: ListQuery = {}): Promise<Submission[]> {
    let afterAt: number | null = null
    let afterId: string | null = null
    if (query.after !== undefined) {
      const after = (await run<SubmissionRow>(this.pool, 'byId', [query.after])).rows[0]
      if (after) {
        afterAt = after.created_at
        afterId = after.id
      }
    }
    const rows = await run<SubmissionRow>(this.pool, 'list', [
      query.state ?? null, query.status ?? null, query.since ?? null, afterAt, afterId, pageSize(query.limit),
      query.until ?? null, query.branches === undefined ? null : [...query.branches],
    ])
    return this.many(rows.rows)
  }

  async setStatus(id: string, status: PublicStatus, note: string | null | undefined, now: number): Promise<Submission | undefined> {
    checkNote(note)
    return transaction(this.pool, async (client) => {
      const row = (await run<SubmissionRow>(client, 'byIdForUpdate', [id])).rows[0]
      if (!row || row.state !== 'accepted') return undefined
      await run(client, 'setStatus', [id, status, toMinute(now), note === undefined ? row.public_note : note])
      return this.withAttachments(client, (await run<SubmissionRow>(client, 'byId', [id])).rows[0])
    })
  }

  async deleteSubmission(id: string): Promise<boolean> {
    return ((await run(this.pool, 'delete', [id])).rowCount ?? 0) > 0
  }

  async deleteIfExpired(id: string, now: number): Promise<boolean> {
    return ((await run(this.pool, 'deleteExpired', [id, now])).rowCount ?? 0) > 0
  }

  async listExpired(now: number, limit = 1000): Promise<string[]> {
    return (await run<{ id: string }>(this.pool, 'expired', [now, limit])).rows.map((r) => r.id)
  }

  async exists(id: string): Promise<boolean> {
    return ((await run(this.pool, 'exists', [id])).rowCount ?? 0) > 0
  }

  async listOpenSizes(): Promise<{ id: string; bytes: number }[]> {
    return (await run<{ id: string; bytes: number }>(this.pool, 'openSizes')).rows
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end()
  }
}
