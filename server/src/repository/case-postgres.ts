/**
 * PostgreSQL implementation of the case repository, on the same database as the submissions.
 * Writes that decide a quota or a seq lock the case's submission row first (SELECT … FOR UPDATE),
 * so that two instances can never both take the last slot or the same seq; UNIQUE (case_id, seq)
 * guards the seq as well.
 */
import type pg from 'pg'
import { q, transaction } from '../postgres/pool'
import { CASE_COLUMNS, isLiveMessage, messageColumns, toCase, toMessage, toMinute, type CaseRow, type MessageRow } from './rows'
import type {
  CaseActivity,
  CaseAttachment,
  CaseMessage,
  CaseRecord,
  CaseRepository,
  CreateMessageResult,
  NewCaseMessage,
  ReplyKeyResult,
  ResidentQuota,
} from './case-types'

const DAY_MS = 24 * 60 * 60 * 1000

const MESSAGE_COLUMNS = messageColumns('octet_length')

const SQL = {
  byVerifier: `SELECT ${CASE_COLUMNS} FROM submissions WHERE receipt_hash = $1 AND receipt_scheme = 2 AND state = 'accepted'`,
  caseById: `SELECT ${CASE_COLUMNS} FROM submissions WHERE id = $1 AND state = 'accepted'`,
  lockCase: `SELECT ${CASE_COLUMNS} FROM submissions WHERE id = $1 AND state = 'accepted' FOR UPDATE`,
  setReplyKey: 'UPDATE submissions SET reply_key = $1 WHERE id = $2 AND reply_key IS NULL',
  message: `SELECT ${MESSAGE_COLUMNS} FROM case_messages WHERE msg_id = $1`,
  messages: `SELECT ${MESSAGE_COLUMNS} FROM case_messages WHERE case_id = $1 AND (state = 'accepted' OR expires_at > $2)
    ORDER BY seq IS NULL, seq, created_at, msg_id`,
  attachments: 'SELECT n, size, crc32 FROM case_attachments WHERE msg_id = $1 ORDER BY n',
  messageObject: 'SELECT message AS object FROM case_messages WHERE msg_id = $1',
  copyObject: 'SELECT copy AS object FROM case_messages WHERE msg_id = $1',
  insert: `INSERT INTO case_messages (msg_id, case_id, sender, header, message, copy, request_hash, state, seq, created_at, expires_at, accepted_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
  insertAttachments: `INSERT INTO case_attachments (msg_id, n, size, crc32)
    SELECT $1, n, size, crc32 FROM unnest($2::smallint[], $3::bigint[], $4::text[]) AS a(n, size, crc32)`,
  nextSeq: 'SELECT (COALESCE(MAX(seq), 0) + 1)::int AS next FROM case_messages WHERE case_id = $1',
  accept: `UPDATE case_messages SET state = 'accepted', seq = $2, accepted_at = $3, expires_at = NULL WHERE msg_id = $1 AND state = 'open'`,
  recentResident: `SELECT COUNT(*)::int AS n, MIN(created_at) AS oldest FROM case_messages
    WHERE case_id = $1 AND sender = 'resident' AND created_at > $2 AND (state = 'accepted' OR expires_at > $3)`,
  material: `SELECT COALESCE(SUM(a.size), 0)::bigint AS bytes FROM case_attachments a JOIN case_messages m ON m.msg_id = a.msg_id
    WHERE m.case_id = $1 AND m.sender = 'resident' AND (m.state = 'accepted' OR m.expires_at > $2)`,
  markAll: `UPDATE case_messages SET read_at = $2 WHERE case_id = $1 AND sender = 'resident' AND state = 'accepted' AND read_at IS NULL`,
  markUpTo: `UPDATE case_messages SET read_at = $2 WHERE case_id = $1 AND sender = 'resident' AND state = 'accepted' AND read_at IS NULL AND seq <= $3`,
  activity: `SELECT m.case_id,
      COUNT(*) FILTER (WHERE m.sender = 'resident' AND m.read_at IS NULL)::int AS unread,
      COALESCE(SUM(CASE WHEN m.sender = 'resident' AND m.read_at IS NULL
        THEN (SELECT COUNT(*) FROM case_attachments a WHERE a.msg_id = m.msg_id) END), 0)::int AS unread_attachments,
      COUNT(*)::int AS messages, MAX(m.accepted_at) AS last_at
    FROM case_messages m WHERE m.case_id = ANY($1::text[]) AND m.state = 'accepted' GROUP BY m.case_id ORDER BY m.case_id`,
  expired: `SELECT msg_id FROM case_messages WHERE state = 'open' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
  delete: 'DELETE FROM case_messages WHERE msg_id = $1',
  deleteExpired: `DELETE FROM case_messages WHERE msg_id = $1 AND state = 'open' AND expires_at <= $2`,
  ids: 'SELECT msg_id FROM case_messages WHERE case_id = $1',
  openSizes: `SELECT m.msg_id AS id, COALESCE((SELECT SUM(a.size) FROM case_attachments a WHERE a.msg_id = m.msg_id), 0)::bigint AS bytes
    FROM case_messages m WHERE m.state = 'open'`,
  scheme1: 'SELECT id, receipt_hash FROM submissions WHERE receipt_scheme = 1 AND receipt_hash IS NOT NULL FOR UPDATE',
  toScheme2: 'UPDATE submissions SET receipt_hash = $1, receipt_scheme = 2 WHERE id = $2 AND receipt_scheme = 1',
} as const

type Db = pg.Pool | pg.PoolClient

function run<R extends pg.QueryResultRow>(db: Db, name: keyof typeof SQL, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  return db.query<R>(q(`clue_case_${name}`, SQL[name], values))
}

export class PgCaseRepository implements CaseRepository {
  constructor(private readonly pool: pg.Pool) {}

  private async toMessage(db: Db, row: MessageRow): Promise<CaseMessage> {
    return toMessage(row, (await run<CaseAttachment>(db, 'attachments', [row.msg_id])).rows)
  }

  async findCase(verifier: string): Promise<CaseRecord | undefined> {
    const row = (await run<CaseRow>(this.pool, 'byVerifier', [verifier])).rows[0]
    return row ? toCase(row) : undefined
  }

  async getCase(caseId: string): Promise<CaseRecord | undefined> {
    const row = (await run<CaseRow>(this.pool, 'caseById', [caseId])).rows[0]
    return row ? toCase(row) : undefined
  }

  setReplyKey(caseId: string, replyKey: Buffer): Promise<ReplyKeyResult> {
    return transaction(this.pool, async (client): Promise<ReplyKeyResult> => {
      const row = (await run<CaseRow>(client, 'lockCase', [caseId])).rows[0]
      if (!row) return 'not-found'
      if ((row.case_kind ?? 'legacy') !== 'legacy') return 'not-legacy'
      if (row.reply_key) return row.reply_key.equals(replyKey) ? 'same' : 'other'
      await run(client, 'setReplyKey', [replyKey, caseId])
      return 'set'
    })
  }

  async listMessages(caseId: string, now: number): Promise<CaseMessage[]> {
    const rows = (await run<MessageRow>(this.pool, 'messages', [caseId, now])).rows
    return Promise.all(rows.map((r) => this.toMessage(this.pool, r)))
  }

  async getMessage(caseId: string, msgId: string, now: number): Promise<CaseMessage | undefined> {
    const row = (await run<MessageRow>(this.pool, 'message', [msgId])).rows[0]
    return row && row.case_id === caseId && isLiveMessage(row, now) ? this.toMessage(this.pool, row) : undefined
  }

  async getObject(msgId: string, which: 'message' | 'copy'): Promise<Buffer | undefined> {
    return (await run<{ object: Buffer }>(this.pool, which === 'message' ? 'messageObject' : 'copyObject', [msgId])).rows[0]?.object
  }

  /** The existing message with this id: the same request (existing), or not (conflict); undefined when free. */
  private async existing(client: pg.PoolClient, input: NewCaseMessage, now: number): Promise<CreateMessageResult | undefined> {
    const row = (await run<MessageRow>(client, 'message', [input.msgId])).rows[0]
    if (!row) return undefined
    if (!isLiveMessage(row, now)) {
      // Expired and not yet swept: gone for the client (its blobs become orphans the sweeper removes).
      await run(client, 'delete', [row.msg_id])
      return undefined
    }
    if (row.case_id !== input.caseId || row.request_hash !== input.requestHash || row.sender !== input.from) return { outcome: 'conflict' }
    return { outcome: 'existing', message: await this.toMessage(client, row) }
  }

  private async insert(client: pg.PoolClient, input: NewCaseMessage, now: number, open: boolean, ttlMs: number): Promise<CaseMessage> {
    const minute = toMinute(now)
    const seq = open ? null : (await run<{ next: number }>(client, 'nextSeq', [input.caseId])).rows[0].next
    await run(client, 'insert', [
      input.msgId, input.caseId, input.from, JSON.stringify(input.header), input.message, input.copy, input.requestHash,
      open ? 'open' : 'accepted', seq, minute, open ? toMinute(now + ttlMs) : null, open ? null : minute,
    ])
    const a = input.attachments
    if (a.length > 0) await run(client, 'insertAttachments', [input.msgId, a.map((x) => x.n), a.map((x) => x.size), a.map((x) => x.crc32)])
    return this.toMessage(client, (await run<MessageRow>(client, 'message', [input.msgId])).rows[0])
  }

  createResidentMessage(input: NewCaseMessage, quota: ResidentQuota, now: number): Promise<CreateMessageResult> {
    return transaction(this.pool, async (client): Promise<CreateMessageResult> => {
      // One writer per case at a time, on every instance: the quota and the seq are decided here.
      await run(client, 'lockCase', [input.caseId])
      const seen = await this.existing(client, input, now)
      if (seen) return seen
      const recent = (await run<{ n: number; oldest: number | null }>(client, 'recentResident', [input.caseId, now - DAY_MS, now])).rows[0]
      if (recent.n >= quota.messagesPerDay) {
        return { outcome: 'quota', retryAfterMs: Math.max(60_000, (recent.oldest ?? now) + DAY_MS - now) }
      }
      const adding = input.attachments.reduce((sum, a) => sum + a.size, 0)
      if (adding > 0 && (await run<{ bytes: number }>(client, 'material', [input.caseId, now])).rows[0].bytes + adding > quota.materialBytes) {
        return { outcome: 'material' }
      }
      return { outcome: 'created', message: await this.insert(client, input, now, input.attachments.length > 0, quota.ttlMs) }
    })
  }

  acceptMessage(caseId: string, msgId: string, now: number): Promise<CaseMessage | undefined> {
    return transaction(this.pool, async (client): Promise<CaseMessage | undefined> => {
      await run(client, 'lockCase', [caseId])
      const row = (await run<MessageRow>(client, 'message', [msgId])).rows[0]
      if (!row || row.case_id !== caseId || !isLiveMessage(row, now)) return undefined
      if (row.state === 'open') {
        const seq = (await run<{ next: number }>(client, 'nextSeq', [caseId])).rows[0].next
        await run(client, 'accept', [msgId, seq, toMinute(now)])
      }
      return this.toMessage(client, (await run<MessageRow>(client, 'message', [msgId])).rows[0])
    })
  }

  postBureauMessage(input: NewCaseMessage, now: number): Promise<CreateMessageResult> {
    return transaction(this.pool, async (client): Promise<CreateMessageResult> => {
      await run(client, 'lockCase', [input.caseId])
      const seen = await this.existing(client, input, now)
      if (seen) return seen
      return { outcome: 'created', message: await this.insert(client, input, now, false, 0) }
    })
  }

  async markRead(caseId: string, now: number, upToSeq?: number): Promise<number> {
    const r = upToSeq === undefined ? await run(this.pool, 'markAll', [caseId, toMinute(now)]) : await run(this.pool, 'markUpTo', [caseId, toMinute(now), upToSeq])
    return r.rowCount ?? 0
  }

  async listActivity(caseIds: readonly string[]): Promise<CaseActivity[]> {
    if (caseIds.length === 0) return []
    const rows = (await run<{ case_id: string; unread: number; unread_attachments: number; messages: number; last_at: number | null }>(this.pool, 'activity', [[...caseIds]])).rows
    return rows.map((r) => ({ caseId: r.case_id, unread: r.unread, unreadAttachments: r.unread_attachments, messages: r.messages, lastAt: r.last_at }))
  }

  async listExpiredMessages(now: number, limit = 1000): Promise<string[]> {
    return (await run<{ msg_id: string }>(this.pool, 'expired', [now, limit])).rows.map((r) => r.msg_id)
  }

  async deleteMessage(msgId: string): Promise<boolean> {
    return ((await run(this.pool, 'delete', [msgId])).rowCount ?? 0) > 0
  }

  async deleteMessageIfExpired(msgId: string, now: number): Promise<boolean> {
    return ((await run(this.pool, 'deleteExpired', [msgId, now])).rowCount ?? 0) > 0
  }

  async messageExists(msgId: string): Promise<boolean> {
    return ((await run(this.pool, 'message', [msgId])).rowCount ?? 0) > 0
  }

  async messageIds(caseId: string): Promise<string[]> {
    return (await run<{ msg_id: string }>(this.pool, 'ids', [caseId])).rows.map((r) => r.msg_id)
  }

  async listOpenMessageSizes(): Promise<{ id: string; bytes: number }[]> {
    return (await run<{ id: string; bytes: number }>(this.pool, 'openSizes')).rows
  }

  upgradeLegacyReceipts(toScheme2: (scheme1Hex: string) => string): Promise<number> {
    return transaction(this.pool, async (client) => {
      let n = 0
      for (const row of (await run<{ id: string; receipt_hash: string }>(client, 'scheme1')).rows) {
        n += (await run(client, 'toScheme2', [toScheme2(row.receipt_hash), row.id])).rowCount ?? 0
      }
      return n
    })
  }
}
