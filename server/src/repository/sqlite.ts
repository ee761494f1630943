/**
 * SQLite implementation of the repository (better-sqlite3, one file in the data directory).
 *
 * Durability: WAL journal with synchronous=FULL, so a commit is on disk before it returns.
 * Creates are group-committed: the creates that arrive during one turn of the event loop share
 * one transaction (one fsync), and each caller is answered only after that commit.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import type { ReceiptDigests } from '../receipts'
import { CURRENT_SCHEME } from '../receipts'
import { SqliteCaseRepository } from './case-sqlite'
import type { CaseKind } from './case-types'
import { MIGRATIONS } from './migrations'
import { checkNote, isLive, pageSize, submissionColumns, toMinute, toSubmission, type AttachmentRow, type SubmissionRow } from './rows'
import type {
  AcceptResult,
  CreateResult,
  ListQuery,
  NewSubmission,
  PublicStatus,
  StatusView,
  Submission,
  Repository,
} from './types'
import { SqliteBureauTables } from './sqlite-bureau'

const COLUMNS = submissionColumns('length')

export const DATABASE_FILE = 'submissions.sqlite'
export { toMinute }

/** Creates the database file mode 0600 (whatever the umask) before SQLite opens it; SQLite gives its -wal and -shm files the same mode. */
function createPrivate(file: string): void {
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600)
  try {
    fs.fchmodSync(fd, 0o600)
  } finally {
    fs.closeSync(fd)
  }
}

interface PendingCreate {
  input: NewSubmission
  now: number
  resolve: (r: CreateResult) => void
  reject: (e: unknown) => void
}

export class SqliteRepository extends SqliteBureauTables implements Repository {
  private readonly db: Database.Database
  private pending: PendingCreate[] = []
  private readonly stmts
  /** The case channel's tables, on the same database. */
  readonly cases: SqliteCaseRepository

  constructor(file: string) {
    super()
    if (file !== ':memory:') createPrivate(file)
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    this.db.pragma('foreign_keys = ON')
    this.db.pragma('busy_timeout = 5000')
    this.migrate()
    super.prepareBureau(this.db)
    const db = this.db
    this.cases = new SqliteCaseRepository(db)
    this.stmts = {
      byId: db.prepare<[string], SubmissionRow>(`SELECT ${COLUMNS} FROM submissions WHERE id = ?`),
      byKey: db.prepare<[string], SubmissionRow>(`SELECT ${COLUMNS} FROM submissions WHERE idempotency_key = ?`),
      attachments: db.prepare<[string], AttachmentRow>(
        'SELECT n, size, sha256 FROM attachments WHERE submission_id = ? ORDER BY n',
      ),
      insert: db.prepare(
        `INSERT INTO submissions (id, idempotency_key, request_hash, envelope_version, suite, kid, epk, report, state,
          created_at, expires_at, branch) VALUES (@id, @key, @requestHash, @v, @suite, @kid, @epk, @report, 'open', @createdAt, @expiresAt, @branch)`,
      ),
      insertAttachment: db.prepare('INSERT INTO attachments (submission_id, n, size, sha256) VALUES (?, ?, ?, ?)'),
      report: db.prepare<[string], { report: Buffer }>('SELECT report FROM submissions WHERE id = ?'),
      accept: db.prepare(
        `UPDATE submissions SET state = 'accepted', accepted_at = @now, expires_at = NULL, receipt_hash = @hash,
          receipt_scheme = @scheme, case_kind = @kind, status = 'received', status_changed_at = @now WHERE id = @id AND state = 'open'`,
      ),
      // A receipt is one hash per scheme; a row matches under its own scheme only.
      receiptOwner: db.prepare<[string, string], { id: string }>(
        `SELECT id FROM submissions WHERE (receipt_hash = ? AND receipt_scheme = 2) OR (receipt_hash = ? AND receipt_scheme = 1)`,
      ),
      status: db.prepare<[string, string], { status: PublicStatus; status_changed_at: number; public_note: string | null }>(
        `SELECT status, status_changed_at, public_note FROM submissions
          WHERE ((receipt_hash = ? AND receipt_scheme = 2) OR (receipt_hash = ? AND receipt_scheme = 1)) AND state = 'accepted'`,
      ),
      setStatus: db.prepare(
        `UPDATE submissions SET status = @status, status_changed_at = @now, public_note = @note,
          closed_at = CASE WHEN @status = 'closed' THEN (CASE WHEN status = 'closed' AND closed_at IS NOT NULL THEN closed_at ELSE @now END) ELSE NULL END
          WHERE id = @id AND state = 'accepted'`,
      ),
      delete: db.prepare('DELETE FROM submissions WHERE id = ?'),
      deleteExpired: db.prepare<[string, number]>("DELETE FROM submissions WHERE id = ? AND state = 'open' AND expires_at <= ?"),
      expired: db.prepare<[number, number], { id: string }>(
        `SELECT id FROM submissions WHERE state = 'open' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
      ),
      exists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM submissions WHERE id = ?'),
      openSizes: db.prepare<[], { id: string; bytes: number }>(
        `SELECT s.id, length(s.report) + COALESCE((SELECT SUM(a.size) FROM attachments a WHERE a.submission_id = s.id), 0) AS bytes
          FROM submissions s WHERE s.state = 'open'`,
      ),
    }
  }

  static open(dataDir: string): SqliteRepository {
    return new SqliteRepository(path.join(dataDir, DATABASE_FILE))
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number
    if (version > MIGRATIONS.length) {
      throw new Error(`The database schema (version ${version}) is newer than this server (${MIGRATIONS.length})`)
    }
    for (let i = version; i < MIGRATIONS.length; i++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[i])
        this.db.pragma(`user_version = ${i + 1}`)
      })()
    }
  }

  private toSubmission(row: SubmissionRow): Submission {
    return toSubmission(row, this.stmts.attachments.all(row.id))
  }

  private createOne(input: NewSubmission, now: number): CreateResult {
    const existing = this.stmts.byKey.get(input.idempotencyKeyHash)
    if (existing) {
      if (isLive(existing, now)) {
        if (existing.request_hash !== input.requestHash) return { outcome: 'conflict' }
        return { outcome: 'existing', submission: this.toSubmission(existing) }
      }
      // Expired and not yet swept: it is gone for the client; its blobs become orphans the sweeper removes.
      this.stmts.delete.run(existing.id)
    }
    this.stmts.insert.run({
      id: input.id,
      key: input.idempotencyKeyHash,
      requestHash: input.requestHash,
      v: input.header.v,
      suite: input.header.suite,
      kid: input.header.kid,
      epk: input.header.epk,
      report: input.report,
      createdAt: toMinute(input.createdAt),
      expiresAt: toMinute(input.expiresAt),
      branch: input.branch ?? null,
    })
    for (const a of input.attachments) this.stmts.insertAttachment.run(input.id, a.n, a.size, a.crc32 ?? a.sha256)
    return { outcome: 'created', submission: this.toSubmission(this.stmts.byId.get(input.id) as SubmissionRow) }
  }

  createSubmission(input: NewSubmission, now: number): Promise<CreateResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, now, resolve, reject })
      if (this.pending.length === 1) setImmediate(() => this.flush())
    })
  }

  private flush(): void {
    const batch = this.pending
    this.pending = []
    let results: ({ ok: CreateResult } | { err: unknown })[]
    try {
      results = this.db.transaction(() =>
        batch.map((p) => {
          try {
            return { ok: this.createOne(p.input, p.now) }
          } catch (err) {
            return { err }
          }
        }),
      )()
    } catch (err) {
      for (const p of batch) p.reject(err)
      return
    }
    results.forEach((r, i) => ('ok' in r ? batch[i].resolve(r.ok) : batch[i].reject(r.err)))
  }

  async getSubmission(id: string, now?: number): Promise<Submission | undefined> {
    const row = this.stmts.byId.get(id)
    return row && isLive(row, now) ? this.toSubmission(row) : undefined
  }

  async getReport(id: string): Promise<Buffer | undefined> {
    return this.stmts.report.get(id)?.report
  }

  async acceptSubmission(id: string, receipt: ReceiptDigests, now: number, kind: CaseKind = 'legacy'): Promise<AcceptResult> {
    return this.db.transaction((): AcceptResult => {
      const row = this.stmts.byId.get(id)
      if (!row || !isLive(row, now)) return { outcome: 'not-found' }
      if (row.state === 'accepted') {
        return row.receipt_scheme !== null && row.receipt_hash === receipt[row.receipt_scheme]
          ? { outcome: 'already', submission: this.toSubmission(row) }
          : { outcome: 'receipt-mismatch' }
      }
      if (this.stmts.receiptOwner.get(receipt[2], receipt[1])) return { outcome: 'receipt-in-use' }
      this.stmts.accept.run({ id, hash: receipt[CURRENT_SCHEME], scheme: CURRENT_SCHEME, kind, now: toMinute(now) })
      return { outcome: 'accepted', submission: this.toSubmission(this.stmts.byId.get(id) as SubmissionRow) }
    }).immediate()
  }

  async findStatusByReceipt(receipt: ReceiptDigests): Promise<StatusView | undefined> {
    const row = this.stmts.status.get(receipt[2], receipt[1])
    return row ? { status: row.status, changedAt: row.status_changed_at, publicNote: row.public_note } : undefined
  }

  async listSubmissions(query: ListQuery = {}): Promise<Submission[]> {
    const where: string[] = []
    const params: Record<string, unknown> = {}
    if (query.state) {
      where.push('state = @state')
      params.state = query.state
    }
    if (query.status) {
      where.push('status = @status')
      params.status = query.status
    }
    if (query.since !== undefined) {
      where.push('created_at >= @since')
      params.since = query.since
    }
    if (query.until !== undefined) {
      where.push('created_at < @until')
      params.until = query.until
    }
    if (query.branches !== undefined) {
      // Bound parameters only: the codes never become SQL text.
      const names = query.branches.map((b, i) => {
        params[`branch${i}`] = b
        return `@branch${i}`
      })
      where.push(names.length ? `branch IN (${names.join(', ')})` : '0')
    }
    if (query.after !== undefined) {
      const after = this.stmts.byId.get(query.after)
      if (after) {
        where.push('(created_at > @afterAt OR (created_at = @afterAt AND id > @afterId))')
        params.afterAt = after.created_at
        params.afterId = after.id
      }
    }
    params.limit = pageSize(query.limit)
    const sql = `SELECT ${COLUMNS} FROM submissions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at, id LIMIT @limit`
    return this.db
      .prepare<Record<string, unknown>, SubmissionRow>(sql)
      .all(params)
      .map((r) => this.toSubmission(r))
  }

  async setStatus(id: string, status: PublicStatus, note: string | null | undefined, now: number): Promise<Submission | undefined> {
    checkNote(note)
    return this.db.transaction(() => {
      const row = this.stmts.byId.get(id)
      if (!row || row.state !== 'accepted') return undefined
      this.stmts.setStatus.run({ id, status, now: toMinute(now), note: note === undefined ? row.public_note : note })
      return this.toSubmission(this.stmts.byId.get(id) as SubmissionRow)
    }).immediate()
  }

  async deleteSubmission(id: string): Promise<boolean> {
    return this.stmts.delete.run(id).changes > 0
  }

  async deleteIfExpired(id: string, now: number): Promise<boolean> {
    return this.stmts.deleteExpired.run(id, now).changes > 0
  }

  async listExpired(now: number, limit = 1000): Promise<string[]> {
    return this.stmts.expired.all(now, limit).map((r) => r.id)
  }

  async exists(id: string): Promise<boolean> {
    return this.stmts.exists.get(id) !== undefined
  }

  async listOpenSizes(): Promise<{ id: string; bytes: number }[]> {
    return this.stmts.openSizes.all()
  }

  async close(): Promise<void> {
    if (this.pending.length > 0) this.flush()
    if (this.db.open) this.db.close()
  }
}
