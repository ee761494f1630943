/**
 * The case channel's storage (issue 14, docs/protocol.md §18–§21): a case is an accepted
 * submission found by its verifier V = HMAC(pepper, A); its messages are ciphertext objects with
 * the envelope header in the clear, and a resident message's added files are blobs in the case
 * blob store (one object per (msgId, n)). No plaintext, no client fingerprint.
 *
 * Bureau operations (postBureauMessage, markRead, listActivity) run at the trust level of the data
 * directory (the bureau CLI); issue 15 may put them behind an authenticated bureau API.
 */
import type { PublicStatus } from './types'

export type CaseSender = 'resident' | 'bureau'
export type CaseKind = 'legacy' | 'case'
export type MessageState = 'open' | 'accepted'

/** The message header as stored and served (docs/protocol.md §19.2; checked by the route). */
export interface StoredCaseHeader {
  t: 'case-message'
  v: 1
  suite: string
  kid: string
  rkid: string
  epk: string
}

export interface CaseRecord {
  caseId: string
  /** How the verifier was made: 'legacy' cases were finalized with the receipt itself. */
  kind: CaseKind
  status: PublicStatus
  changedAt: number
  publicNote: string | null
  /** When the status last became closed (null unless closed). */
  closedAt: number | null
  /** Legacy cases: D' as registered by the phone (the server's word); null otherwise. */
  replyKey: Buffer | null
  acceptedAt: number
}

export interface CaseAttachment {
  n: number
  size: number
  crc32: string
}

export interface CaseMessage {
  msgId: string
  caseId: string
  from: CaseSender
  header: StoredCaseHeader
  state: MessageState
  /** Order in the case from 1, given when accepted. */
  seq: number | null
  messageSize: number
  copySize: number
  attachments: CaseAttachment[]
  createdAt: number
  expiresAt: number | null
  acceptedAt: number | null
  /** Resident messages: when the bureau marked it read. */
  readAt: number | null
  requestHash: string
}

export interface NewCaseMessage {
  caseId: string
  msgId: string
  from: CaseSender
  header: StoredCaseHeader
  message: Buffer
  copy: Buffer
  attachments: CaseAttachment[]
  requestHash: string
}

export interface ResidentQuota {
  /** Resident messages per case in the last 24 hours. */
  messagesPerDay: number
  /** Ciphertext bytes of added files per case (all messages, open ones included). */
  materialBytes: number
  /** Lifetime of an open message (its uploads unfinished). */
  ttlMs: number
}

export type CreateMessageResult =
  | { outcome: 'created'; message: CaseMessage }
  | { outcome: 'existing'; message: CaseMessage }
  | { outcome: 'conflict' }
  | { outcome: 'quota'; retryAfterMs: number }
  | { outcome: 'material' }

export type ReplyKeyResult = 'set' | 'same' | 'other' | 'not-legacy' | 'not-found'

/** Per case with any accepted message (either direction): for the bureau's list. */
export interface CaseActivity {
  caseId: string
  /** Accepted resident messages not yet marked read. */
  unread: number
  /** Added files in those messages. */
  unreadAttachments: number
  /** Accepted messages in all, both directions. */
  messages: number
  lastAt: number | null
}

export interface CaseRepository {
  /** The accepted submission whose verifier is `verifier` (hex), if any. */
  findCase(verifier: string): Promise<CaseRecord | undefined>
  getCase(caseId: string): Promise<CaseRecord | undefined>
  /** Legacy cases only, once: registers D'. */
  setReplyKey(caseId: string, replyKey: Buffer): Promise<ReplyKeyResult>
  /** Accepted messages in seq order, then the case's live open ones. */
  listMessages(caseId: string, now: number): Promise<CaseMessage[]>
  /** A message of this case (an open one past its expiry counts as absent). */
  getMessage(caseId: string, msgId: string, now: number): Promise<CaseMessage | undefined>
  /** The object of a message: 'message' (for its recipient) or 'copy' (for its sender). */
  getObject(msgId: string, which: 'message' | 'copy'): Promise<Buffer | undefined>
  /**
   * A resident message, idempotent by msgId (same request hash: existing; other: conflict), within
   * the quota; accepted at once when it declares no files.
   */
  createResidentMessage(input: NewCaseMessage, quota: ResidentQuota, now: number): Promise<CreateMessageResult>
  /** Accepts an open message (its files complete and checked by the caller): gives it the next seq. Idempotent. */
  acceptMessage(caseId: string, msgId: string, now: number): Promise<CaseMessage | undefined>
  /** Bureau: a reply, accepted at once (same msgId and body again: existing). */
  postBureauMessage(input: NewCaseMessage, now: number): Promise<CreateMessageResult>
  /** Bureau: marks the case's accepted resident messages read (up to seq, or all). Returns how many changed. */
  markRead(caseId: string, now: number, upToSeq?: number): Promise<number>
  /**
   * Bureau: of the cases `caseIds`, those with any accepted message, with their unread counts, in
   * case id order; ids without such a message, or of no case, are left out (none asked: none).
   * Reads only those cases' messages (by index), whatever the number of ids.
   */
  listActivity(caseIds: readonly string[]): Promise<CaseActivity[]>
  /** Open messages past their expiry. */
  listExpiredMessages(now: number, limit?: number): Promise<string[]>
  deleteMessage(msgId: string): Promise<boolean>
  /** The sweep's delete: only while the message is still open and expired at `now`, atomically. */
  deleteMessageIfExpired(msgId: string, now: number): Promise<boolean>
  messageExists(msgId: string): Promise<boolean>
  /** Message ids of a case (for purge: their blobs). */
  messageIds(caseId: string): Promise<string[]>
  /** Open messages with their declared bytes, for the admission caps at boot. */
  listOpenMessageSizes(): Promise<{ id: string; bytes: number }[]>
  /**
   * Rewrites every scheme-1 receipt hash hex(scrypt(R, salt)) as scheme 2 with `toScheme2`
   * (HMAC(pepper, ·)), so that the database holds no usable authenticator. Returns how many.
   */
  upgradeLegacyReceipts(toScheme2: (scheme1Hex: string) => string): Promise<number>
}
