/**
 * The bureau API's tables in SQLite (tokens, audit log, internal notes, read marks): the
 * BureauRepository half of SqliteRepository, kept apart from the submissions' statements.
 * The audit log is append-only in the schema itself (triggers refuse UPDATE and DELETE).
 */
import type Database from 'better-sqlite3'
import type {
  AuditEntry,
  AuditQuery,
  BureauNote,
  BureauRepository,
  BureauToken,
  CaseBureauState,
  NewAuditEntry,
  NewBureauToken,
} from './types'
import { AUDIT_COLUMNS, NOTE_COLUMNS, TOKEN_COLUMNS, toAudit, toMinute, toNote, toToken, type AuditRow, type NoteRow, type TokenRow } from './rows'

function prepare(db: Database.Database) {
  return {
    insertToken: db.prepare(
      'INSERT INTO bureau_tokens (id, name, secret_hash, branches, created_at) VALUES (@id, @name, @secretHash, @branches, @createdAt)',
    ),
    tokenById: db.prepare<[string], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM bureau_tokens WHERE id = ?`),
    tokenByHash: db.prepare<[string], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM bureau_tokens WHERE secret_hash = ?`),
    tokens: db.prepare<[], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM bureau_tokens ORDER BY created_at, id`),
    revoke: db.prepare('UPDATE bureau_tokens SET revoked_at = COALESCE(revoked_at, @now) WHERE id = @id'),
    touch: db.prepare('UPDATE bureau_tokens SET last_used_at = @now WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @now)'),
    insertAudit: db.prepare(
      'INSERT INTO audit_log (at, token_id, token_name, action, case_id, detail) VALUES (@at, @tokenId, @tokenName, @action, @caseId, @detail)',
    ),
    auditBySeq: db.prepare<[number | bigint], AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq = ?`),
    insertNote: db.prepare(
      'INSERT INTO bureau_notes (id, submission_id, token_id, created_at, header, object) VALUES (@id, @caseId, @tokenId, @createdAt, @header, @object)',
    ),
    notes: db.prepare<[string], NoteRow>(`SELECT ${NOTE_COLUMNS} FROM bureau_notes WHERE submission_id = ? ORDER BY created_at, id`),
    markRead: db.prepare("UPDATE submissions SET bureau_read_at = COALESCE(bureau_read_at, @now) WHERE id = @id AND state = 'accepted'"),
    readAt: db.prepare<[string], { bureau_read_at: number | null }>("SELECT bureau_read_at FROM submissions WHERE id = ? AND state = 'accepted'"),
  }
}

export abstract class SqliteBureauTables implements BureauRepository {
  private bureauDb!: Database.Database
  private bureau!: ReturnType<typeof prepare>

  protected prepareBureau(db: Database.Database): void {
    this.bureauDb = db
    this.bureau = prepare(db)
  }

  async createToken(token: NewBureauToken): Promise<BureauToken> {
    this.bureau.insertToken.run({ ...token, branches: JSON.stringify(token.branches) })
    return toToken(this.bureau.tokenById.get(token.id) as TokenRow)
  }

  async findToken(secretHash: string): Promise<BureauToken | undefined> {
    const row = this.bureau.tokenByHash.get(secretHash)
    return row ? toToken(row) : undefined
  }

  async listTokens(): Promise<BureauToken[]> {
    return this.bureau.tokens.all().map(toToken)
  }

  async revokeToken(id: string, now: number): Promise<boolean> {
    return this.bureau.revoke.run({ id, now }).changes > 0
  }

  async touchToken(id: string, now: number): Promise<void> {
    this.bureau.touch.run({ id, now: toMinute(now) })
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    const { lastInsertRowid } = this.bureau.insertAudit.run(entry)
    return toAudit(this.bureau.auditBySeq.get(lastInsertRowid) as AuditRow)
  }

  async appendAuditMany(entries: NewAuditEntry[]): Promise<void> {
    // One transaction, one fsync: a workstation loading its inbox reads hundreds of reports at once.
    this.bureauDb.transaction((list: NewAuditEntry[]) => {
      for (const e of list) this.bureau.insertAudit.run(e)
    })(entries)
  }

  async listAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const where: string[] = []
    const params: Record<string, unknown> = {}
    if (query.caseId !== undefined) {
      where.push('case_id = @caseId')
      params.caseId = query.caseId
    }
    if (query.tokenId !== undefined) {
      where.push('token_id = @tokenId')
      params.tokenId = query.tokenId
    }
    const newestFirst = query.newestFirst !== false
    if (query.after !== undefined) {
      where.push(newestFirst ? 'seq < @after' : 'seq > @after')
      params.after = query.after
    }
    params.limit = Math.min(Math.max(1, Math.floor(query.limit ?? 200)), 1000)
    const sql = `SELECT ${AUDIT_COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq ${newestFirst ? 'DESC' : 'ASC'} LIMIT @limit`
    return this.bureauDb.prepare<Record<string, unknown>, AuditRow>(sql).all(params).map(toAudit)
  }

  async addNote(note: BureauNote): Promise<BureauNote> {
    this.bureau.insertNote.run(note)
    return note
  }

  async listNotes(caseId: string): Promise<BureauNote[]> {
    return this.bureau.notes.all(caseId).map(toNote)
  }

  async markRead(caseId: string, now: number): Promise<number | undefined> {
    this.bureau.markRead.run({ id: caseId, now: toMinute(now) })
    return this.bureau.readAt.get(caseId)?.bureau_read_at ?? undefined
  }

  async caseBureauStates(caseIds: readonly string[]): Promise<Map<string, CaseBureauState>> {
    const out = new Map<string, CaseBureauState>()
    // In slices, to stay under SQLite's bound-parameter limit.
    for (let i = 0; i < caseIds.length; i += 500) {
      const slice = caseIds.slice(i, i + 500)
      const marks = slice.map(() => '?').join(', ')
      const rows = this.bureauDb
        .prepare<string[], { id: string; read_at: number | null; notes: number }>(
          `SELECT s.id, s.bureau_read_at AS read_at, (SELECT COUNT(*) FROM bureau_notes n WHERE n.submission_id = s.id) AS notes
            FROM submissions s WHERE s.id IN (${marks})`,
        )
        .all(...slice)
      for (const r of rows) out.set(r.id, { readAt: r.read_at, notes: r.notes })
    }
    return out
  }
}
