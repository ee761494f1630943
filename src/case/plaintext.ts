/**
 * The plaintext of a case message, `clue-report/case-message@1` (docs/protocol.md §20): its
 * members, their rules, and its bytes. Pure and crypto-free, so the bureau tools check replies and
 * resident messages with the same rules the phone writes them by.
 */
import { utf8Decode, utf8Encode } from '@/crypto/bytes'
import type { AttachmentLabel } from '@/domain/types'
import {
  CASE_ID_PATTERN,
  CASE_MESSAGE_SCHEMA,
  MAX_MESSAGE_ATTACHMENTS,
  MAX_MESSAGE_PLAINTEXT_BYTES,
  MAX_MESSAGE_TEXT,
  MESSAGE_ID_PATTERN,
  type CaseRole,
} from './labels'

export interface CaseMessageAttachment {
  /** Its object is …/attachment/<n>; entries in order of n from 0. */
  n: number
  label: AttachmentLabel
  /** The file name the resident chose, as given. */
  name: string
  /** MIME type the magic-number check found (as in a report). */
  mime: string
  /** Plaintext bytes. */
  size: number
  /** The file-type check's kind (src/domain/file-type.ts FileKind), e.g. "png". */
  detectedType: string
}

export interface CaseMessagePlaintext {
  schema: typeof CASE_MESSAGE_SCHEMA
  caseId: string
  msgId: string
  from: CaseRole
  /** When it was written, ISO 8601 with offset (minute precision is enough). */
  writtenAt: string
  /** At most 2000 characters; may be empty when files are added. */
  text: string
  /** Bureau messages only: the reply asks for more material. Always false from the resident. */
  requestsMaterial: boolean
  /** msgId of the latest message the writer had seen, or null. */
  inReplyTo: string | null
  /** Resident messages only (bureau messages carry none). */
  attachments: CaseMessageAttachment[]
}

export class CaseMessageError extends Error {
  constructor(message: string) {
    super(`BAD_MESSAGE: ${message}`)
    this.name = 'CaseMessageError'
  }
}

const LABELS: readonly string[] = ['截图', '交易记录', '其他']
const MEMBERS = 'attachments,caseId,from,inReplyTo,msgId,requestsMaterial,schema,text,writtenAt'
const ATTACHMENT_MEMBERS = 'detectedType,label,mime,n,name,size'
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/
/** Attachment plaintext at most 20 MiB, as in a report. */
const MAX_FILE = 20 * 1024 * 1024

/** Characters as the limit counts them: Unicode code points. */
export function textLength(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
    n++
  }
  return n
}

/** Every rule of §20; throws CaseMessageError naming the first one broken. */
export function checkCaseMessage(value: unknown): CaseMessagePlaintext {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CaseMessageError('not a JSON object')
  const m = value as Record<string, unknown>
  if (Object.keys(m).sort().join(',') !== MEMBERS) throw new CaseMessageError(`members must be exactly ${MEMBERS}`)
  if (m.schema !== CASE_MESSAGE_SCHEMA) throw new CaseMessageError(`unknown schema ${JSON.stringify(m.schema)}`)
  if (typeof m.caseId !== 'string' || !CASE_ID_PATTERN.test(m.caseId)) throw new CaseMessageError('caseId must be 32 lowercase hex digits')
  if (typeof m.msgId !== 'string' || !MESSAGE_ID_PATTERN.test(m.msgId)) throw new CaseMessageError('msgId must be 32 lowercase hex digits')
  if (m.from !== 'resident' && m.from !== 'bureau') throw new CaseMessageError('from must be "resident" or "bureau"')
  if (typeof m.writtenAt !== 'string' || !ISO_TIME.test(m.writtenAt) || Number.isNaN(Date.parse(m.writtenAt))) throw new CaseMessageError('writtenAt must be an ISO 8601 time')
  if (typeof m.text !== 'string') throw new CaseMessageError('text must be a string')
  if (textLength(m.text) > MAX_MESSAGE_TEXT) throw new CaseMessageError(`text is longer than ${MAX_MESSAGE_TEXT} characters`)
  if (typeof m.requestsMaterial !== 'boolean') throw new CaseMessageError('requestsMaterial must be true or false')
  if (m.requestsMaterial && m.from !== 'bureau') throw new CaseMessageError('only the bureau requests material')
  if (m.inReplyTo !== null && (typeof m.inReplyTo !== 'string' || !MESSAGE_ID_PATTERN.test(m.inReplyTo))) throw new CaseMessageError('inReplyTo must be a message id or null')
  if (!Array.isArray(m.attachments) || m.attachments.length > MAX_MESSAGE_ATTACHMENTS) throw new CaseMessageError(`attachments must be a list of at most ${MAX_MESSAGE_ATTACHMENTS}`)
  if (m.from === 'bureau' && m.attachments.length > 0) throw new CaseMessageError('bureau messages carry no files')
  if (m.text === '' && m.attachments.length === 0) throw new CaseMessageError('a message needs text or files')
  m.attachments.forEach((a: unknown, i) => {
    if (typeof a !== 'object' || a === null || Array.isArray(a)) throw new CaseMessageError(`attachment ${i} is not an object`)
    const e = a as Record<string, unknown>
    if (Object.keys(e).sort().join(',') !== ATTACHMENT_MEMBERS) throw new CaseMessageError(`attachment ${i}: members must be exactly ${ATTACHMENT_MEMBERS}`)
    if (e.n !== i) throw new CaseMessageError(`attachment ${i} has number ${JSON.stringify(e.n)}`)
    if (typeof e.label !== 'string' || !LABELS.includes(e.label)) throw new CaseMessageError(`attachment ${i} has label ${JSON.stringify(e.label)}`)
    if (typeof e.name !== 'string' || e.name === '' || e.name.length > 255) throw new CaseMessageError(`attachment ${i} needs a name of 1 to 255 characters`)
    if (typeof e.mime !== 'string' || e.mime.length > 100) throw new CaseMessageError(`attachment ${i} has no MIME type`)
    if (!Number.isSafeInteger(e.size) || (e.size as number) < 0 || (e.size as number) > MAX_FILE) throw new CaseMessageError(`attachment ${i} has an impossible size`)
    if (typeof e.detectedType !== 'string' || !/^[a-z0-9]{1,16}$/.test(e.detectedType)) throw new CaseMessageError(`attachment ${i} has no detected type`)
  })
  return m as unknown as CaseMessagePlaintext
}

/** UTF-8 JSON of a checked plaintext: the bytes of both message objects. */
export function encodeCaseMessage(message: CaseMessagePlaintext): Uint8Array {
  const m = checkCaseMessage(message)
  const ordered: CaseMessagePlaintext = {
    schema: m.schema,
    caseId: m.caseId,
    msgId: m.msgId,
    from: m.from,
    writtenAt: m.writtenAt,
    text: m.text,
    requestsMaterial: m.requestsMaterial,
    inReplyTo: m.inReplyTo,
    attachments: m.attachments.map(({ n, label, name, mime, size, detectedType }) => ({ n, label, name, mime, size, detectedType })),
  }
  const bytes = utf8Encode(JSON.stringify(ordered))
  if (bytes.length > MAX_MESSAGE_PLAINTEXT_BYTES) throw new CaseMessageError(`the message is ${bytes.length} bytes, more than ${MAX_MESSAGE_PLAINTEXT_BYTES}`)
  return bytes
}

export interface ExpectedMessage {
  caseId: string
  msgId: string
  from: CaseRole
}

/** Parses decrypted bytes strictly, and checks they name the case, message and sender they were opened as. */
export function parseCaseMessage(bytes: Uint8Array, expected: ExpectedMessage): CaseMessagePlaintext {
  let value: unknown
  if (bytes.length > MAX_MESSAGE_PLAINTEXT_BYTES) throw new CaseMessageError('the message is too large')
  try {
    value = JSON.parse(utf8Decode(bytes))
  } catch {
    throw new CaseMessageError('not UTF-8 JSON')
  }
  const m = checkCaseMessage(value)
  if (m.caseId !== expected.caseId || m.msgId !== expected.msgId) throw new CaseMessageError('the plaintext names another case or message')
  if (m.from !== expected.from) throw new CaseMessageError(`the plaintext says it is from the ${m.from}, the server says the ${expected.from}`)
  return m
}

