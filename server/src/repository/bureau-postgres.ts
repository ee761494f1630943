/**
 * The bureau API's tables in PostgreSQL (tokens, audit log, internal notes, read marks): the
 * BureauRepository half of PgRepository. The audit log is append-only in the schema (triggers
 * refuse UPDATE and DELETE) and gap-free across instances: appends take a transaction-scoped
 * advisory lock and number themselves MAX(seq) + 1 (a sequence would leave gaps on rollback).
 */
import type pg from 'pg'
import { lockKeySql } from '../postgres/locks'
import { q, transaction } from '../postgres/pool'
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

const SQL = {
  insertToken: `INSERT INTO bureau_tokens (id, name, secret_hash, branches, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${TOKEN_COLUMNS}`,
  tokenByHash: `SELECT ${TOKEN_COLUMNS} FROM bureau_tokens WHERE secret_hash = $1`,
  tokens: `SELECT ${TOKEN_COLUMNS} FROM bureau_tokens ORDER BY created_at, id`,
  revoke: 'UPDATE bureau_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1',
  touch: 'UPDATE bureau_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)',
  auditLock: `SELECT pg_advisory_xact_lock(${lockKeySql("'audit-log'")})`,
  insertAudit: `INSERT INTO audit_log (seq, at, token_id, token_name, action, case_id, detail)
    SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3, $4, $5, $6 FROM audit_log RETURNING ${AUDIT_COLUMNS}`,
  // Every filter a parameter that may be NULL: one plan for each order.
  auditNewest: `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE ($1::text IS NULL OR case_id = $1) AND ($2::text IS NULL OR token_id = $2)
    AND ($3::bigint IS NULL OR seq < $3) ORDER BY seq DESC LIMIT $4`,
  auditOldest: `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE ($1::text IS NULL OR case_id = $1) AND ($2::text IS NULL OR token_id = $2)
    AND ($3::bigint IS NULL OR seq > $3) ORDER BY seq ASC LIMIT $4`,
  insertNote: 'INSERT INTO bureau_notes (id, submission_id, token_id, created_at, header, object) VALUES ($1, $2, $3, $4, $5, $6)',
  notes: `SELECT ${NOTE_COLUMNS} FROM bureau_notes WHERE submission_id = $1 ORDER BY created_at, id`,
  markRead: `UPDATE submissions SET bureau_read_at = COALESCE(bureau_read_at, $2) WHERE id = $1 AND state = 'accepted'`,
  readAt: `SELECT bureau_read_at FROM submissions WHERE id = $1 AND state = 'accepted'`,
  states: `SELECT s.id, s.bureau_read_at AS read_at, (SELECT COUNT(*) FROM bureau_notes n WHERE n.submission_id = s.id)::int AS notes
    FROM submissions s WHERE s.id = ANY($1::text[])`,
} as const

type Db = pg.Pool | pg.PoolClient

function run<R extends pg.QueryResultRow>(db: Db, name: keyof typeof SQL, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  return db.query<R>(q(`clue_bureau_${name}`, SQL[name], values))
}

export abstract class PgBureauTables implements BureauRepository {
  constructor(protected readonly pool: pg.Pool) {}

  async createToken(token: NewBureauToken): Promise<BureauToken> {
    const r = await run<TokenRow>(this.pool, 'insertToken', [token.id, token.name, token.secretHash, JSON.stringify(token.branches), token.createdAt])
    return toToken(r.rows[0])
  }

  async findToken(secretHash: string): Promise<BureauToken | undefined> {
    const row = (await run<TokenRow>(this.pool, 'tokenByHash', [secretHash])).rows[0]
    return row ? toToken(row) : undefined
  }

  async listTokens(): Promise<BureauToken[]> {
    return (await run<TokenRow>(this.pool, 'tokens')).rows.map(toToken)
  }

  async revokeToken(id: string, now: number): Promise<boolean> {
    return ((await run(this.pool, 'revoke', [id, now])).rowCount ?? 0) > 0
  }

  async touchToken(id: string, now: number): Promise<void> {
    await run(this.pool, 'touch', [id, toMinute(now)])
  }

  private async append(client: pg.PoolClient, e: NewAuditEntry): Promise<AuditEntry> {
    const r = await run<AuditRow>(client, 'insertAudit', [e.at, e.tokenId, e.tokenName, e.action, e.caseId, e.detail])
    return toAudit(r.rows[0])
  }

  appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return transaction(this.pool, async (client) => {
      await run(client, 'auditLock')
      return this.append(client, entry)
    })
  }

  async appendAuditMany(entries: NewAuditEntry[]): Promise<void> {
    if (entries.length === 0) return
    // One transaction, one commit: a workstation loading its inbox reads hundreds of reports at once.
    await transaction(this.pool, async (client) => {
      await run(client, 'auditLock')
      for (const e of entries) await this.append(client, e)
    })
  }

  async listAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 200)), 1000)
    const r = await run<AuditRow>(this.pool, query.newestFirst !== false ? 'auditNewest' : 'auditOldest', [
      query.caseId ?? null, query.tokenId ?? null, query.after ?? null, limit,
    ])
    return r.rows.map(toAudit)
  }

  async addNote(note: BureauNote): Promise<BureauNote> {
    await run(this.pool, 'insertNote', [note.id, note.caseId, note.tokenId, note.createdAt, note.header, note.object])
    return note
  }

  async listNotes(caseId: string): Promise<BureauNote[]> {
    const rows = (await run<NoteRow>(this.pool, 'notes', [caseId])).rows
    return rows.map(toNote)
  }

  async markRead(caseId: string, now: number): Promise<number | undefined> {
    await run(this.pool, 'markRead', [caseId, toMinute(now)])
    return (await run<{ bureau_read_at: number | null }>(this.pool, 'readAt', [caseId])).rows[0]?.bureau_read_at ?? undefined
  }

  async caseBureauStates(caseIds: readonly string[]): Promise<Map<string, CaseBureauState>> {
    const out = new Map<string, CaseBureauState>()
    if (caseIds.length === 0) return out
    const rows = (await run<{ id: string; read_at: number | null; notes: number }>(this.pool, 'states', [[...caseIds]])).rows
    for (const r of rows) out.set(r.id, { readAt: r.read_at, notes: r.notes })
    return out
  }
}
