/**
 * SQLite implementation of the case repository, on the submissions database (same file, same
 * durability: WAL with synchronous=FULL). Writes that decide a quota or a seq run in IMMEDIATE
 * transactions, so two requests can never both take the last slot or the same seq.
 */
import type Database from 'better-sqlite3'
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

const MESSAGE_COLUMNS = messageColumns('length')

export class SqliteCaseRepository implements CaseRepository {
  private readonly stmts

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      byVerifier: db.prepare<[string], CaseRow>(
        `SELECT ${CASE_COLUMNS} FROM submissions WHERE receipt_hash = ? AND receipt_scheme = 2 AND state = 'accepted'`,
      ),
      caseById: db.prepare<[string], CaseRow>(`SELECT ${CASE_COLUMNS} FROM submissions WHERE id = ? AND state = 'accepted'`),
      setReplyKey: db.prepare('UPDATE submissions SET reply_key = ? WHERE id = ? AND reply_key IS NULL'),
      message: db.prepare<[string], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM case_messages WHERE msg_id = ?`),
      messages: db.prepare<[string, number], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM case_messages WHERE case_id = ? AND (state = 'accepted' OR expires_at > ?)
          ORDER BY seq IS NULL, seq, created_at, msg_id`,
      ),
      attachments: db.prepare<[string], CaseAttachment>('SELECT n, size, crc32 FROM case_attachments WHERE msg_id = ? ORDER BY n'),
      messageObject: db.prepare<[string], { object: Buffer }>('SELECT message AS object FROM case_messages WHERE msg_id = ?'),
      copyObject: db.prepare<[string], { object: Buffer }>('SELECT copy AS object FROM case_messages WHERE msg_id = ?'),
      insert: db.prepare(
        `INSERT INTO case_messages (msg_id, case_id, sender, header, message, copy, request_hash, state, seq, created_at, expires_at, accepted_at)
          VALUES (@msgId, @caseId, @from, @header, @message, @copy, @requestHash, @state, @seq, @createdAt, @expiresAt, @acceptedAt)`,
      ),
      insertAttachment: db.prepare('INSERT INTO case_attachments (msg_id, n, size, crc32) VALUES (?, ?, ?, ?)'),
      nextSeq: db.prepare<[string], { next: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM case_messages WHERE case_id = ?'),
      accept: db.prepare(
        `UPDATE case_messages SET state = 'accepted', seq = @seq, accepted_at = @now, expires_at = NULL WHERE msg_id = @msgId AND state = 'open'`,
      ),
      // Messages written in the last day, open ones that expired excepted (they never arrived).
      recentResident: db.prepare<[string, number, number], { n: number; oldest: number | null }>(
        `SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM case_messages
          WHERE case_id = ? AND sender = 'resident' AND created_at > ? AND (state = 'accepted' OR expires_at > ?)`,
      ),
      material: db.prepare<[string, number], { bytes: number }>(
        `SELECT COALESCE(SUM(a.size), 0) AS bytes FROM case_attachments a JOIN case_messages m ON m.msg_id = a.msg_id
          WHERE m.case_id = ? AND m.sender = 'resident' AND (m.state = 'accepted' OR m.expires_at > ?)`,
      ),
      markAll: db.prepare(
        `UPDATE case_messages SET read_at = @now WHERE case_id = @caseId AND sender = 'resident' AND state = 'accepted' AND read_at IS NULL`,
      ),
      markUpTo: db.prepare(
        `UPDATE case_messages SET read_at = @now WHERE case_id = @caseId AND sender = 'resident' AND state = 'accepted' AND read_at IS NULL AND seq <= @upTo`,
      ),
      // The cases asked for, as one JSON array parameter (json_each): any number of ids in one
      // bound parameter, looked up through case_messages_case.
      activity: db.prepare<[string], { case_id: string; unread: number; unread_attachments: number; messages: number; last_at: number | null }>(
        `SELECT m.case_id,
            SUM(m.sender = 'resident' AND m.read_at IS NULL) AS unread,
            COALESCE(SUM(CASE WHEN m.sender = 'resident' AND m.read_at IS NULL
              THEN (SELECT COUNT(*) FROM case_attachments a WHERE a.msg_id = m.msg_id) END), 0) AS unread_attachments,
            COUNT(*) AS messages, MAX(m.accepted_at) AS last_at
          FROM case_messages m WHERE m.case_id IN (SELECT value FROM json_each(?)) AND m.state = 'accepted'
          GROUP BY m.case_id ORDER BY m.case_id`,
      ),
      expired: db.prepare<[number, number], { msg_id: string }>(
        `SELECT msg_id FROM case_messages WHERE state = 'open' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
      ),
      delete: db.prepare('DELETE FROM case_messages WHERE msg_id = ?'),
      deleteExpired: db.prepare<[string, number]>("DELETE FROM case_messages WHERE msg_id = ? AND state = 'open' AND expires_at <= ?"),
      ids: db.prepare<[string], { msg_id: string }>('SELECT msg_id FROM case_messages WHERE case_id = ?'),
      openSizes: db.prepare<[], { id: string; bytes: number }>(
        `SELECT m.msg_id AS id, COALESCE((SELECT SUM(a.size) FROM case_attachments a WHERE a.msg_id = m.msg_id), 0) AS bytes
          FROM case_messages m WHERE m.state = 'open'`,
      ),
      scheme1: db.prepare<[], { id: string; receipt_hash: string }>(
        'SELECT id, receipt_hash FROM submissions WHERE receipt_scheme = 1 AND receipt_hash IS NOT NULL',
      ),
      toScheme2: db.prepare('UPDATE submissions SET receipt_hash = ?, receipt_scheme = 2 WHERE id = ? AND receipt_scheme = 1'),
    }
  }

  private toMessage(row: MessageRow): CaseMessage {
    return toMessage(row, this.stmts.attachments.all(row.msg_id))
  }

  async findCase(verifier: string): Promise<CaseRecord | undefined> {
    const row = this.stmts.byVerifier.get(verifier)
    return row ? toCase(row) : undefined
  }

  async getCase(caseId: string): Promise<CaseRecord | undefined> {
    const row = this.stmts.caseById.get(caseId)
    return row ? toCase(row) : undefined
  }

  async setReplyKey(caseId: string, replyKey: Buffer): Promise<ReplyKeyResult> {
    return this.db.transaction((): ReplyKeyResult => {
      const row = this.stmts.caseById.get(caseId)
      if (!row) return 'not-found'
      if ((row.case_kind ?? 'legacy') !== 'legacy') return 'not-legacy'
      if (row.reply_key) return row.reply_key.equals(replyKey) ? 'same' : 'other'
      this.stmts.setReplyKey.run(replyKey, caseId)
      return 'set'
    }).immediate()
  }

  async listMessages(caseId: string, now: number): Promise<CaseMessage[]> {
    return this.stmts.messages.all(caseId, now).map((r) => this.toMessage(r))
  }

  async getMessage(caseId: string, msgId: string, now: number): Promise<CaseMessage | undefined> {
    const row = this.stmts.message.get(msgId)
    return row && row.case_id === caseId && isLiveMessage(row, now) ? this.toMessage(row) : undefined
  }

  async getObject(msgId: string, which: 'message' | 'copy'): Promise<Buffer | undefined> {
    return (which === 'message' ? this.stmts.messageObject : this.stmts.copyObject).get(msgId)?.object
  }

  /** The existing message with this id: the same request (existing), or not (conflict); undefined when free. */
  private existing(input: NewCaseMessage, now: number): CreateMessageResult | undefined {
    const row = this.stmts.message.get(input.msgId)
    if (!row) return undefined
    if (!isLiveMessage(row, now)) {
      // Expired and not yet swept: gone for the client (its blobs become orphans the sweeper removes).
      this.stmts.delete.run(row.msg_id)
      return undefined
    }
    if (row.case_id !== input.caseId || row.request_hash !== input.requestHash || row.sender !== input.from) return { outcome: 'conflict' }
    return { outcome: 'existing', message: this.toMessage(row) }
  }

  private insert(input: NewCaseMessage, now: number, open: boolean, ttlMs: number): CaseMessage {
    const minute = toMinute(now)
    this.stmts.insert.run({
      msgId: input.msgId,
      caseId: input.caseId,
      from: input.from,
      header: JSON.stringify(input.header),
      message: input.message,
      copy: input.copy,
      requestHash: input.requestHash,
      state: open ? 'open' : 'accepted',
      seq: open ? null : this.stmts.nextSeq.get(input.caseId)!.next,
      createdAt: minute,
      expiresAt: open ? toMinute(now + ttlMs) : null,
      acceptedAt: open ? null : minute,
    })
    for (const a of input.attachments) this.stmts.insertAttachment.run(input.msgId, a.n, a.size, a.crc32)
    return this.toMessage(this.stmts.message.get(input.msgId)!)
  }

  async createResidentMessage(input: NewCaseMessage, quota: ResidentQuota, now: number): Promise<CreateMessageResult> {
    return this.db.transaction((): CreateMessageResult => {
      const seen = this.existing(input, now)
      if (seen) return seen
      const recent = this.stmts.recentResident.get(input.caseId, now - DAY_MS, now)!
      if (recent.n >= quota.messagesPerDay) {
        return { outcome: 'quota', retryAfterMs: Math.max(60_000, (recent.oldest ?? now) + DAY_MS - now) }
      }
      const adding = input.attachments.reduce((sum, a) => sum + a.size, 0)
      if (adding > 0 && this.stmts.material.get(input.caseId, now)!.bytes + adding > quota.materialBytes) return { outcome: 'material' }
      return { outcome: 'created', message: this.insert(input, now, input.attachments.length > 0, quota.ttlMs) }
    }).immediate()
  }

  async acceptMessage(caseId: string, msgId: string, now: number): Promise<CaseMessage | undefined> {
    return this.db.transaction((): CaseMessage | undefined => {
      const row = this.stmts.message.get(msgId)
      if (!row || row.case_id !== caseId || !isLiveMessage(row, now)) return undefined
      if (row.state === 'open') this.stmts.accept.run({ msgId, seq: this.stmts.nextSeq.get(caseId)!.next, now: toMinute(now) })
      return this.toMessage(this.stmts.message.get(msgId)!)
    }).immediate()
  }

  async postBureauMessage(input: NewCaseMessage, now: number): Promise<CreateMessageResult> {
    return this.db.transaction((): CreateMessageResult => {
      const seen = this.existing(input, now)
      if (seen) return seen
      return { outcome: 'created', message: this.insert(input, now, false, 0) }
    }).immediate()
  }

  async markRead(caseId: string, now: number, upToSeq?: number): Promise<number> {
    const params = { caseId, now: toMinute(now), upTo: upToSeq }
    return (upToSeq === undefined ? this.stmts.markAll.run(params) : this.stmts.markUpTo.run(params)).changes
  }

  async listActivity(caseIds: readonly string[]): Promise<CaseActivity[]> {
    if (caseIds.length === 0) return []
    return this.stmts.activity.all(JSON.stringify(caseIds)).map((r) => ({
      caseId: r.case_id,
      unread: r.unread,
      unreadAttachments: r.unread_attachments,
      messages: r.messages,
      lastAt: r.last_at,
    }))
  }

  async listExpiredMessages(now: number, limit = 1000): Promise<string[]> {
    return this.stmts.expired.all(now, limit).map((r) => r.msg_id)
  }

  async deleteMessage(msgId: string): Promise<boolean> {
    return this.stmts.delete.run(msgId).changes > 0
  }

  async deleteMessageIfExpired(msgId: string, now: number): Promise<boolean> {
    return this.stmts.deleteExpired.run(msgId, now).changes > 0
  }

  async messageExists(msgId: string): Promise<boolean> {
    return this.stmts.message.get(msgId) !== undefined
  }

  async messageIds(caseId: string): Promise<string[]> {
    return this.stmts.ids.all(caseId).map((r) => r.msg_id)
  }

  async listOpenMessageSizes(): Promise<{ id: string; bytes: number }[]> {
    return this.stmts.openSizes.all()
  }

  async upgradeLegacyReceipts(toScheme2: (scheme1Hex: string) => string): Promise<number> {
    return this.db.transaction(() => {
      let n = 0
      for (const row of this.stmts.scheme1.all()) n += this.stmts.toScheme2.run(toScheme2(row.receipt_hash), row.id).changes
      return n
    }).immediate()
  }
}
