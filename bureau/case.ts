/**
 * The case channel for the bureau tools (messages, reply, list, export): the case's reply key D
 * from inside the decrypted report (or, for a legacy case, the server's registration, marked
 * unverified), and the conversation decrypted message by message. Everything read from the data
 * directory is hostile (bureau/untrusted.ts): ids, seq, times, sizes and headers are checked
 * before use, every object is authenticated by its AEAD under a label naming the case, the
 * message and the object, and a message that fails is reported, never shown as if it were fine.
 */
import { bureauReplyRecord } from '../server/src/case/messages'
import { EnvelopeError, decodeReplyKey, openCaseObject, openObject, parseCaseHeader, sealCaseReply, type BureauKeyPair, type EnvelopeHeader } from '../server/src/envelope'
import { LIMITS, isCiphertextSize } from '../server/src/limits'
import type { CaseMessage, CaseRecord, NewCaseMessage, Submission } from '../server/src/repository'
import { CASE_MESSAGE_SCHEMA } from '../src/case/labels'
import { encodeCaseMessage, parseCaseMessage, type CaseMessagePlaintext } from '../src/case/plaintext'
import type { DataSource } from './data-dir'
import { CliError } from './errors'
import { checkedSubmission, printable } from './untrusted'

const MSG_ID = /^[0-9a-f]{32}$/
const isTime = (t: unknown): t is number => typeof t === 'number' && Number.isSafeInteger(t) && t >= 946_684_800_000 && t < 7_258_118_400_000

export interface ReplyKeyInfo {
  D: Buffer
  /** True when D came from inside the report; false for a legacy case (the server's word). */
  verified: boolean
}

export interface CaseContext {
  submission: Submission
  record: CaseRecord
  replyKey: ReplyKeyInfo | undefined
  /** The decrypted report (parsed JSON, unchecked: what the sender wrote). */
  report: unknown
}

export interface ConversationEntry {
  stored: CaseMessage
  /** The decrypted plaintext, when it opened and passed its checks. */
  plaintext?: CaseMessagePlaintext
  /** Why it did not (altered, moved, not this case, broken sender). */
  error?: string
}

/** Why a stored message cannot be used, or undefined. */
export function storedMessageProblem(m: CaseMessage, caseId: string): string | undefined {
  if (typeof m.msgId !== 'string' || !MSG_ID.test(m.msgId)) return 'its id is not 32 lowercase hex digits'
  if (m.caseId !== caseId) return 'it belongs to another case'
  if (m.from !== 'resident' && m.from !== 'bureau') return 'its sender is unknown'
  if (m.state !== 'accepted' && m.state !== 'open') return 'its state is unknown'
  if (m.state === 'accepted' && (!Number.isSafeInteger(m.seq) || (m.seq as number) < 1)) return 'its sequence number is invalid'
  if (!isTime(m.createdAt) || (m.acceptedAt !== null && !isTime(m.acceptedAt))) return 'its times are invalid'
  try {
    parseCaseHeader(m.header)
  } catch {
    return 'its header is malformed'
  }
  if (!Array.isArray(m.attachments) || m.attachments.length > LIMITS.maxAttachments) return 'its file list is malformed'
  for (let i = 0; i < m.attachments.length; i++) {
    const a = m.attachments[i]
    if (a.n !== i || !isCiphertextSize(a.size, 2) || a.size > LIMITS.maxAttachmentBytes) return `file ${i} is malformed`
  }
  if (m.from === 'bureau' && m.attachments.length > 0) return 'a bureau message with files'
  return undefined
}

function openReport(s: Submission, keys: readonly BureauKeyPair[], object: Buffer): unknown {
  let report: unknown
  try {
    report = JSON.parse(openObject({ header: s.header as EnvelopeHeader, privateKey: keys, label: 'report', object }).toString('utf8'))
  } catch (e) {
    if (e instanceof EnvelopeError) {
      throw new CliError(`举报内容无法解密（${e.code}）：${e.message}`, `The report cannot be decrypted (${e.code}): ${e.message}`)
    }
    throw new CliError('解密后的举报内容不是有效的 JSON。', 'The decrypted report is not JSON.')
  }
  return report
}

/** D from a decrypted report (its replyKey), undefined when it has none; a CliError when malformed. */
export function replyKeyOfReport(report: unknown): Buffer | undefined {
  const value = typeof report === 'object' && report !== null ? (report as { replyKey?: unknown }).replyKey : undefined
  if (value === undefined) return undefined
  try {
    return decodeReplyKey(value)
  } catch {
    throw new CliError('举报中的回复公钥（replyKey）格式错误（发送方程序有缺陷）。', "The report's replyKey is malformed (broken sender).")
  }
}

/** The case with its reply key; a CliError when it is not an accepted submission or the key cannot open it. */
export async function openCase(data: DataSource, caseId: string, keys: readonly BureauKeyPair[]): Promise<CaseContext> {
  const found = await data.repository.getSubmission(caseId)
  const submission = found && checkedSubmission(found)
  const record = submission && (await data.repository.cases.getCase(caseId))
  if (!submission || !record || submission.state !== 'accepted') {
    throw new CliError(
      `服务器上没有编号为 ${caseId} 的已提交举报（远程模式下也可能是此令牌只限其他受理单位，无权查看）。`,
      `No finalized submission ${caseId} on the server (remotely: or the token is limited to other branches).`,
    )
  }
  const kid = submission.header.kid
  if (!keys.some((k) => k.kid === kid)) {
    throw new CliError(`这条举报是用 kid 为 ${kid} 的密钥加密的，请用 --key 给出对应的私钥文件。`, `It is encrypted to key ${kid}: give that key file with --key.`)
  }
  const object = await data.repository.getReport(caseId)
  if (!object) throw new CliError('服务器上找不到举报内容。', 'The report object is missing.')
  const report = openReport(submission, keys, object)
  const fromReport = replyKeyOfReport(report)
  if (fromReport) return { submission, record, report, replyKey: { D: fromReport, verified: true } }
  // No replyKey inside: a report made before the case channel. Its D' is the server's word.
  if (record.replyKey && record.replyKey.length === 32) {
    try {
      return { submission, record, report, replyKey: { D: decodeReplyKey(record.replyKey.toString('base64')), verified: false } }
    } catch {
      return { submission, record, report, replyKey: undefined }
    }
  }
  return { submission, record, report, replyKey: undefined }
}

/** The accepted messages of the case in seq order, each opened (or with the reason it did not open). */
export async function readConversation(data: DataSource, ctx: CaseContext, keys: readonly BureauKeyPair[]): Promise<ConversationEntry[]> {
  const stored = await data.repository.cases.listMessages(ctx.submission.id, Date.now())
  return openConversation(ctx.submission.id, ctx.replyKey, keys, stored, (msgId, kind) => data.repository.cases.getObject(msgId, kind))
}

/** Which object of a message is addressed to the bureau: the resident's message, or the bureau's own copy of a reply. */
export const bureauObjectKind = (from: CaseMessage['from']): 'message' | 'copy' => (from === 'resident' ? 'message' : 'copy')

/**
 * The accepted messages among `stored`, each opened with its object from `objectOf` (the data
 * directory for the CLI, the bureau API for the workstation), or with the reason it did not open.
 */
export async function openConversation(
  caseId: string,
  replyKey: ReplyKeyInfo | undefined,
  keys: readonly BureauKeyPair[],
  all: readonly CaseMessage[],
  objectOf: (msgId: string, kind: 'message' | 'copy') => Promise<Buffer | undefined>,
): Promise<ConversationEntry[]> {
  const out: ConversationEntry[] = []
  for (const message of all.filter((m) => m.state === 'accepted')) {
    const stored = message
    const problem = storedMessageProblem(stored, caseId)
    if (problem) {
      out.push({ stored, error: `数据库记录无效 invalid record (${problem})` })
      continue
    }
    if (!replyKey) {
      out.push({ stored, error: '没有此案件的回复公钥，无法验证 no reply key for this case: cannot be opened' })
      continue
    }
    // The resident's message is addressed to B; of the bureau's own reply, its copy is.
    const kind = bureauObjectKind(stored.from)
    const object = await objectOf(stored.msgId, kind)
    if (!object) {
      out.push({ stored, error: '服务器上缺少消息内容 the message object is missing' })
      continue
    }
    try {
      const plain = openCaseObject({ header: stored.header, reader: { keys, replyPublicKey: replyKey.D }, caseId, msgId: stored.msgId, from: stored.from, kind, object })
      const plaintext = parseCaseMessage(new Uint8Array(plain), { caseId, msgId: stored.msgId, from: stored.from })
      if (plaintext.attachments.length !== stored.attachments.length) {
        out.push({ stored, plaintext, error: `消息列出 ${plaintext.attachments.length} 个文件，服务器上有 ${stored.attachments.length} 个 the message lists ${plaintext.attachments.length} files, the server holds ${stored.attachments.length}` })
        continue
      }
      out.push({ stored, plaintext })
    } catch (e) {
      const code = e instanceof EnvelopeError ? e.code : 'BAD_MESSAGE'
      out.push({ stored, error: `无法通过完整性校验（被改动、移动或不属于此案件）fails authentication: altered, moved or not this case's (${code}: ${printable((e as Error).message, 120)})` })
    }
  }
  return out
}

/** An added file of an opened resident message, in memory: authenticated (AEAD under its label) and checked against the size the message declares. */
export function openAddedFile(caseId: string, entry: ConversationEntry, replyKey: ReplyKeyInfo, keys: readonly BureauKeyPair[], n: number, object: Uint8Array): { bytes: Buffer; sizeMatches: boolean } {
  const bytes = openCaseObject({ header: entry.stored.header, reader: { keys, replyPublicKey: replyKey.D }, caseId, msgId: entry.stored.msgId, from: entry.stored.from, kind: 'attachment', n, object })
  const declared = entry.plaintext?.attachments.find((a) => a.n === n)
  return { bytes, sizeMatches: declared !== undefined && declared.size === bytes.length }
}

export interface ReplyDraft {
  caseId: string
  /** Chosen once per reply (random): a retry posts the same msgId and ciphertext. */
  msgId: string
  text: string
  requestsMaterial: boolean
  /** The last message the sender saw opened. */
  inReplyTo: string | null
  now: number
}

/** A reply sealed to D with the bureau's copy to `bureauKey`, as the repository (or the bureau API) stores it. */
export function sealBureauReply(draft: ReplyDraft, bureauKey: BureauKeyPair, replyKey: ReplyKeyInfo): NewCaseMessage {
  const plaintext = encodeCaseMessage({
    schema: CASE_MESSAGE_SCHEMA,
    caseId: draft.caseId,
    msgId: draft.msgId,
    from: 'bureau',
    writtenAt: new Date(draft.now).toISOString().slice(0, 16) + 'Z',
    text: draft.text,
    requestsMaterial: draft.requestsMaterial,
    inReplyTo: draft.inReplyTo,
    attachments: [],
  })
  const sealed = sealCaseReply({ caseId: draft.caseId, msgId: draft.msgId, bureauKey, replyPublicKey: replyKey.D, plaintext })
  return bureauReplyRecord(draft.caseId, draft.msgId, sealed)
}
