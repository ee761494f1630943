/**
 * Constants and labels of the case channel (docs/protocol.md §18–§21). Changing any of these
 * changes every derived key or breaks every reader, so they are part of the format.
 *
 * Object labels bind a case message object to its case, its message and its position:
 *   case/<caseId>/message/<msgId>                the message, for its recipient
 *   case/<caseId>/message/<msgId>/copy           the sender's own copy
 *   case/<caseId>/message/<msgId>/attachment/<n> an added file (resident → bureau only)
 * caseId is the submission id, msgId 16 random bytes chosen by the sender; both 32 lowercase hex.
 */

/** The salt of the case KDF is UTF-8(CASE_SALT_PREFIX ‖ campaign id). */
export const CASE_SALT_PREFIX = 'clue-report/case/v1/' as const

/** HKDF info deriving the reply key from the seed. */
export const REPLY_KEY_INFO = 'clue-report/case/v1/reply-key' as const

/** scrypt parameters of the case KDF (measured: docs/protocol.md §18.3, npm run bench:crypto). */
export const CASE_KDF = { N: 1 << 14, r: 8, p: 1, dkLen: 64 } as const

/** The server's receipt hash of reports made before the case channel (server/src/receipts.ts), as 64 bytes. */
export const LEGACY_KDF = { N: 1 << 14, r: 8, p: 1, dkLen: 64 } as const

/** Header type and version of a case message (a report header has neither `t` nor `rkid`). */
export const CASE_HEADER_TYPE = 'case-message' as const
export const CASE_HEADER_VERSION = 1 as const

/** Plaintext schema of a case message. */
export const CASE_MESSAGE_SCHEMA = 'clue-report/case-message@1' as const

/** Message text, in characters (Unicode code points). The server bounds the object size accordingly. */
export const MAX_MESSAGE_TEXT = 2000
/** The UTF-8 plaintext of a message object, at most (the server bounds the object to this size's). */
export const MAX_MESSAGE_PLAINTEXT_BYTES = 64 * 1024
/** Added files in one message (as in a report). */
export const MAX_MESSAGE_ATTACHMENTS = 20

export type CaseRole = 'resident' | 'bureau'

/** Submission ids and message ids: 32 lowercase hex digits. */
export const CASE_ID_PATTERN = /^[0-9a-f]{32}$/
export const MESSAGE_ID_PATTERN = /^[0-9a-f]{32}$/

function checkIds(caseId: string, msgId: string): void {
  if (typeof caseId !== 'string' || !CASE_ID_PATTERN.test(caseId)) throw new Error(`invalid case id ${String(caseId)}`)
  if (typeof msgId !== 'string' || !MESSAGE_ID_PATTERN.test(msgId)) throw new Error(`invalid message id ${String(msgId)}`)
}

export function messageLabel(caseId: string, msgId: string): string {
  checkIds(caseId, msgId)
  return `case/${caseId}/message/${msgId}`
}

export function copyLabel(caseId: string, msgId: string): string {
  return `${messageLabel(caseId, msgId)}/copy`
}

export function caseAttachmentLabel(caseId: string, msgId: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n >= MAX_MESSAGE_ATTACHMENTS) throw new Error(`invalid attachment number ${n}`)
  return `${messageLabel(caseId, msgId)}/attachment/${n}`
}

export type CaseObjectKind = 'message' | 'copy' | 'attachment'

export interface ParsedCaseLabel {
  caseId: string
  msgId: string
  kind: CaseObjectKind
  /** Attachment number (kind 'attachment'). */
  n?: number
}

const LABEL = /^case\/([0-9a-f]{32})\/message\/([0-9a-f]{32})(?:\/(copy)|\/attachment\/(0|1[0-9]?|[2-9]))?$/

/** The parts of a case label, or undefined for anything else. */
export function parseCaseLabel(label: string): ParsedCaseLabel | undefined {
  const m = typeof label === 'string' ? LABEL.exec(label) : null
  if (!m) return undefined
  if (m[3]) return { caseId: m[1], msgId: m[2], kind: 'copy' }
  if (m[4] !== undefined) return { caseId: m[1], msgId: m[2], kind: 'attachment', n: Number(m[4]) }
  return { caseId: m[1], msgId: m[2], kind: 'message' }
}

/**
 * Who an object is for: the message and its files go to the other side, the copy back to the
 * sender. Bureau messages carry no files.
 */
export function recipientOf(from: CaseRole, kind: CaseObjectKind): CaseRole {
  if (kind === 'attachment' && from !== 'resident') throw new Error('only resident messages carry files')
  const other: CaseRole = from === 'resident' ? 'bureau' : 'resident'
  return kind === 'copy' ? from : other
}
