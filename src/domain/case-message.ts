/**
 * The plaintext of a case message, `clue-report/case-message@1` (docs/protocol.md): a reply from
 * the bureau or a message (text, added files, or both) from the resident. Both objects of a
 * message (the recipient's and the sender's own copy) carry the same plaintext. Pure: the outbox
 * encodes it, the case page parses what it decrypted, strictly, since it came through the server.
 */
import type { AttachmentLabel } from './types'
import { utf8Decode, utf8Encode } from '../crypto/bytes'

export const CASE_MESSAGE_SCHEMA = 'clue-report/case-message@1' as const

/** A message's text, in characters (the phone enforces it; the server bounds the object). */
export const MAX_MESSAGE_CHARS = 2000

const LABELS: readonly AttachmentLabel[] = ['截图', '交易记录', '其他']
const HEX32 = /^[0-9a-f]{32}$/

export interface CaseMessageAttachment {
  n: number
  label: AttachmentLabel
  name: string
  mime: string
  size: number
  /** The type the phone found from the file's first bytes. */
  detectedType: string
}

export interface CaseMessagePlaintext {
  schema: typeof CASE_MESSAGE_SCHEMA
  caseId: string
  msgId: string
  from: 'resident' | 'bureau'
  /** ISO 8601. */
  writtenAt: string
  text: string
  /** The bureau asks for more material (always false from the resident). */
  requestsMaterial: boolean
  /** msgId of the latest message the writer had seen, or null. */
  inReplyTo: string | null
  attachments: CaseMessageAttachment[]
}

/** Characters as a resident counts them (code points, so an emoji is one). */
export function messageLength(text: string): number {
  return Array.from(text).length
}

/** UTF-8 JSON of a message, checked first: what is encrypted is always something the other side can read. */
export function encodeCaseMessage(message: CaseMessagePlaintext): Uint8Array {
  const check = parseCaseMessage(utf8Encode(JSON.stringify(message)), { caseId: message.caseId, msgId: message.msgId })
  return utf8Encode(JSON.stringify(check))
}

export class CaseMessageFormatError extends Error {
  constructor(what: string) {
    super(`case message: ${what}`)
    this.name = 'CaseMessageFormatError'
  }
}

/**
 * Parses a decrypted message and checks it belongs where it was found (its case and msgId, which
 * the object's label already bound). Unknown members are refused, so a newer format is not half read.
 */
export function parseCaseMessage(bytes: Uint8Array, expected: { caseId: string; msgId: string }): CaseMessagePlaintext {
  let m: Record<string, unknown>
  try {
    m = JSON.parse(utf8Decode(bytes)) as Record<string, unknown>
  } catch {
    throw new CaseMessageFormatError('not JSON')
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw new CaseMessageFormatError('not an object')
  const allowed = ['schema', 'caseId', 'msgId', 'from', 'writtenAt', 'text', 'requestsMaterial', 'inReplyTo', 'attachments']
  for (const key of Object.keys(m)) if (!allowed.includes(key)) throw new CaseMessageFormatError(`unknown member ${key}`)
  if (m.schema !== CASE_MESSAGE_SCHEMA) throw new CaseMessageFormatError('unknown schema')
  if (m.caseId !== expected.caseId || m.msgId !== expected.msgId) throw new CaseMessageFormatError('belongs to another case or message')
  if (m.from !== 'resident' && m.from !== 'bureau') throw new CaseMessageFormatError('bad sender')
  if (typeof m.writtenAt !== 'string' || m.writtenAt.length > 40 || Number.isNaN(Date.parse(m.writtenAt))) throw new CaseMessageFormatError('bad time')
  if (typeof m.text !== 'string' || messageLength(m.text) > MAX_MESSAGE_CHARS) throw new CaseMessageFormatError('bad text')
  if (typeof m.requestsMaterial !== 'boolean') throw new CaseMessageFormatError('bad requestsMaterial')
  if (m.inReplyTo !== null && (typeof m.inReplyTo !== 'string' || !HEX32.test(m.inReplyTo))) throw new CaseMessageFormatError('bad inReplyTo')
  if (!Array.isArray(m.attachments) || m.attachments.length > 20) throw new CaseMessageFormatError('bad attachments')
  const attachments = m.attachments.map((a: unknown, i: number) => {
    const x = a as Record<string, unknown>
    if (
      !x ||
      typeof x !== 'object' ||
      x.n !== i ||
      !LABELS.includes(x.label as AttachmentLabel) ||
      typeof x.name !== 'string' ||
      x.name.length > 255 ||
      typeof x.mime !== 'string' ||
      x.mime.length > 100 ||
      !Number.isSafeInteger(x.size) ||
      (x.size as number) < 0 ||
      typeof x.detectedType !== 'string' ||
      x.detectedType.length > 100
    ) {
      throw new CaseMessageFormatError(`bad attachment ${i}`)
    }
    return { n: i, label: x.label as AttachmentLabel, name: x.name, mime: x.mime, size: x.size as number, detectedType: x.detectedType }
  })
  if (m.text.trim() === '' && attachments.length === 0) throw new CaseMessageFormatError('empty')
  return {
    schema: CASE_MESSAGE_SCHEMA,
    caseId: m.caseId as string,
    msgId: m.msgId as string,
    from: m.from,
    writtenAt: m.writtenAt,
    text: m.text,
    requestsMaterial: m.requestsMaterial,
    inReplyTo: m.inReplyTo as string | null,
    attachments,
  }
}
