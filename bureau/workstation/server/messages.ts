/**
 * The conversation with the resident (issue 14's case channel) over the bureau API: messages
 * opened with the unlocked keys by the CLI's own code (bureau/case.ts: openConversation,
 * openAddedFile), the reply key D taken from INSIDE the decrypted report (never from the server),
 * replies sealed here (sealBureauReply) and posted as ciphertext. Every reply is put in the spool
 * (./spool.ts: sealed, on disk) before it is posted and taken out once the server acknowledges it;
 * one the server did not take stays listed as 待发送 with 重试 — the same msgId and ciphertext, so a
 * retry after a lost answer cannot post it twice. After a restart, the next load puts the spooled
 * replies back in their cases (their text read from the bureau's own copy) and sends them again —
 * only those whose bureau copy opens with the unlocked keys: one that does not (a damaged or
 * altered spool file, or one not of this case) is never sent, but set aside in the spool and
 * reported, for staff to write it again.
 */
import { randomBytes } from 'node:crypto'
import { LIMITS } from '../../../server/src/limits'
import type { NewCaseMessage } from '../../../server/src/repository'
import { decodeReplyKey, openCaseObject } from '../../../server/src/envelope'
import { parseCaseMessage } from '../../../src/case/plaintext'
import { openAddedFile, openConversation, replyKeyOfReport, sealBureauReply, type ConversationEntry, type ReplyKeyInfo } from '../../case'
import { checkReplyText } from '../../commands/reply'
import { CliError } from '../../errors'
import { RemoteError } from '../../remote'
import { messageFromApi } from '../../remote-data'
import type { MessageView } from '../shared/types'
import { WsError, type WorkstationContext } from './app'
import { unverifiedNotice } from './spool'
import type { CaseEntry } from './vault'

/** Why a legacy case's reply needs an explicit confirmation (the page shows it too). */
export const UNVERIFIED_KEY_WARNING =
  '这是旧版举报（对话功能上线前提交）：回复公钥不在举报内容里，是举报人的新版程序后来登记到服务器上的，与这份举报没有绑定，工作站无法验证。控制了服务器的人可以换成自己的公钥，读到这条回复。请确认回复中没有不能让对方看到的内容，并勾选“我已了解风险，仍要回复”。'

/** Whether this build can read and send case-channel messages. */
export const CASE_CHANNEL_AVAILABLE = true

interface PendingReply {
  record: NewCaseMessage
  text: string
  requestsMaterial: boolean
  at: number
  error: string
}

interface CaseState {
  /** Kept replies by msgId, in the order written. */
  pending: Map<string, PendingReply>
  entries: ConversationEntry[]
}

/** Keyed by the unlocked key list: Vault.lock() replaces it, so everything kept here goes with the keys. */
const states = new WeakMap<object, Map<string, CaseState>>()

function stateOf(ctx: WorkstationContext, caseId: string): CaseState {
  let all = states.get(ctx.vault.keys)
  if (!all) states.set(ctx.vault.keys, (all = new Map()))
  let s = all.get(caseId)
  if (!s) all.set(caseId, (s = { pending: new Map(), entries: [] }))
  return s
}

/**
 * D of the case: from inside the decrypted report (verified), else — a legacy report, made before
 * the channel — the key the resident's app registered with the server (its word only: unverified).
 */
export function replyKeyOf(entry: CaseEntry): ReplyKeyInfo | undefined {
  try {
    const D = replyKeyOfReport(entry.raw)
    if (D) return { D, verified: true }
  } catch {
    return undefined
  }
  return entry.serverReplyKey ? { D: entry.serverReplyKey, verified: false } : undefined
}

/** How the page may reply: with D from the report, only after accepting the risk of the server's D', or not at all. */
export function replyKeyState(entry: CaseEntry): 'verified' | 'unverified' | 'none' {
  const k = replyKeyOf(entry)
  return k ? (k.verified ? 'verified' : 'unverified') : 'none'
}

function view(e: ConversationEntry): MessageView {
  const p = e.plaintext
  return {
    msgId: e.stored.msgId,
    from: e.stored.from === 'bureau' ? 'bureau' : 'resident',
    at: e.stored.acceptedAt ?? e.stored.createdAt,
    ...(p ? { writtenAt: p.writtenAt.slice(0, 40) } : {}),
    text: p && !e.error ? p.text : '',
    requestsMaterial: !!p?.requestsMaterial,
    state: e.stored.state,
    attachments: (p && !e.error ? p.attachments : []).map((a) => ({ n: a.n, label: a.label.slice(0, 20), name: a.name.slice(0, 500), size: a.size })),
    readByBureau: e.stored.readAt !== null,
    ...(e.error ? { problem: `这条消息无法打开：${e.error.slice(0, 300)}` } : {}),
  }
}

function pendingView(msgId: string, p: PendingReply): MessageView {
  return { msgId, from: 'bureau', at: p.at, text: p.text, requestsMaterial: p.requestsMaterial, state: 'pending', attachments: [], readByBureau: true, pending: true, problem: `待发送：${p.error}` }
}

/** Acknowledged by the server (posted, or found in the conversation): no longer kept, in memory or on disk. */
function acknowledged(ctx: WorkstationContext, caseId: string, msgId: string): void {
  stateOf(ctx, caseId).pending.delete(msgId)
  ctx.spool.remove(msgId)
}

/** A legacy case's D' as the server gives it with the conversation (hostile: malformed is as if none). */
function setServerReplyKey(entry: CaseEntry, raw: unknown): void {
  entry.serverReplyKey = undefined
  if (typeof raw === 'string') {
    try {
      entry.serverReplyKey = decodeReplyKey(raw)
    } catch {
      // malformed: as if none was registered
    }
  }
}

/** The conversation, opened; the resident's messages shown are marked read. Kept replies come last. */
export async function loadMessages(ctx: WorkstationContext, entry: CaseEntry): Promise<MessageView[]> {
  const client = ctx.options.connection.client()
  const caseId = entry.meta.id
  const body = (await client.json(`/bureau/v1/cases/${caseId}/messages`)) as { messages?: unknown; replyKey?: unknown }
  setServerReplyKey(entry, body?.replyKey)
  const stored = (Array.isArray(body?.messages) ? body.messages.slice(0, 5000) : []).map((m) => messageFromApi(caseId, m))
  const objectLimit = LIMITS.maxCaseObjectBytes + 64 * 1024
  const entries = await openConversation(caseId, replyKeyOf(entry), ctx.vault.keys, stored, (msgId) =>
    client.bytes(`/bureau/v1/cases/${caseId}/messages/${msgId}/object`, objectLimit).catch(() => undefined),
  )
  const state = stateOf(ctx, caseId)
  state.entries = entries
  for (const e of entries) if (state.pending.has(e.stored.msgId)) acknowledged(ctx, caseId, e.stored.msgId)
  const unread = entries.filter((e) => e.plaintext && !e.error && e.stored.from === 'resident' && e.stored.readAt === null)
  if (unread.length > 0) {
    const upToSeq = Math.max(...unread.map((e) => e.stored.seq ?? 0))
    await client.json(`/bureau/v1/cases/${caseId}/messages/read`, { method: 'POST', body: { upToSeq } }).catch(() => undefined)
  }
  entry.unreadMessages = 0
  return [...entries.map(view), ...[...state.pending].map(([id, p]) => pendingView(id, p))]
}

async function post(ctx: WorkstationContext, caseId: string, msgId: string, p: PendingReply): Promise<void> {
  const r = p.record
  try {
    await ctx.options.connection.client().json(`/bureau/v1/cases/${caseId}/messages`, {
      method: 'POST',
      body: { msgId, header: r.header, message: r.message.toString('base64'), copy: r.copy.toString('base64') },
    })
    acknowledged(ctx, caseId, msgId)
  } catch (e) {
    p.error = e instanceof RemoteError ? e.zh : (e as Error).message
    throw new WsError(502, 'REPLY_NOT_SENT', `回复没有发出（${p.error}）。内容已保留在本工作站，可点“重试”再发。`)
  }
}

/** Seals a reply to D from the report and posts it; kept for 重试 when the server does not take it. */
export async function sendReply(ctx: WorkstationContext, entry: CaseEntry, input: { text: string; requestsMaterial: boolean; acceptUnverifiedKey?: boolean }): Promise<string> {
  const replyKey = replyKeyOf(entry)
  if (!replyKey) {
    throw new WsError(409, 'NO_REPLY_KEY', '这条举报是对话功能上线前提交的，举报内容里没有回复公钥，举报人也还没有用新版程序打开过案件，暂时不能回复。')
  }
  if (!replyKey.verified && input.acceptUnverifiedKey !== true) {
    throw new WsError(409, 'UNVERIFIED_REPLY_KEY', UNVERIFIED_KEY_WARNING)
  }
  let text: string
  try {
    text = checkReplyText(input.text)
  } catch (e) {
    throw new WsError(400, 'BAD_TEXT', e instanceof CliError ? e.zh : '回复内容无效。')
  }
  const state = stateOf(ctx, entry.meta.id)
  const lastSeen = [...state.entries].reverse().find((e) => e.plaintext && !e.error)?.stored.msgId ?? null
  const key = ctx.vault.keys.find((k) => k.kid === entry.meta.header.kid) ?? ctx.vault.keys[0]
  const msgId = randomBytes(16).toString('hex')
  const now = Date.now()
  const record = sealBureauReply({ caseId: entry.meta.id, msgId, text, requestsMaterial: input.requestsMaterial, inReplyTo: lastSeen, now }, key, replyKey)
  const pending: PendingReply = { record, text, requestsMaterial: input.requestsMaterial, at: now, error: '正在发送' }
  state.pending.set(msgId, pending)
  try {
    ctx.spool.write(entry.meta.id, record, now)
  } catch (e) {
    state.pending.delete(msgId)
    throw new WsError(507, 'SPOOL_FAILED', `回复没有发出：无法先把加密后的回复保存到本机（${(e as NodeJS.ErrnoException).code ?? (e as Error).message}），请检查磁盘空间后再发。`)
  }
  await post(ctx, entry.meta.id, msgId, pending)
  if (entry.firstReplyAt === null) entry.firstReplyAt = now
  return msgId
}

/** Posts a kept reply again (same msgId, same ciphertext). */
export async function retryReply(ctx: WorkstationContext, entry: CaseEntry, msgId: string): Promise<void> {
  const pending = stateOf(ctx, entry.meta.id).pending.get(msgId)
  if (!pending) throw new WsError(404, 'NO_SUCH_REPLY', '没有这条待发的回复（可能已经发出）。')
  await post(ctx, entry.meta.id, msgId, pending)
}

/**
 * After a load from the server: the replies kept on disk (the workstation was closed, killed or
 * crashed before the server took them) join their cases as 待发送 and are posted again, one by one.
 * Returns plain Chinese warnings for spool files that cannot be used, replies whose case is not
 * here, and replies not sent because their bureau copy cannot be verified.
 */
export async function resendSpooled(ctx: WorkstationContext): Promise<string[]> {
  const { replies, warnings } = ctx.spool.read()
  const restored: [string, string, PendingReply][] = []
  for (const r of replies) {
    const entry = ctx.vault.cases.get(r.caseId)
    if (!entry) {
      warnings.push(`一条待发送的回复（${r.msgId}）属于案件 ${r.caseId}，此工作站的列表中没有这个案件，没有发送。`)
      continue
    }
    const state = stateOf(ctx, r.caseId)
    if (state.pending.has(r.msgId)) continue
    // Written with a key not unlocked this time: it cannot be checked now, so it is not sent, and
    // stays as it is (unlocked with that key too, it verifies and goes out).
    if (!ctx.vault.keys.some((k) => k.kid === r.header.kid)) {
      warnings.push(`一条保留的回复（案件 ${r.caseId}）是用编号为 ${r.header.kid} 的私钥写的，这次解锁时没有选择这把私钥，无法验证，没有发送。请锁定后连同这把私钥的文件一起解锁，它会自动重新发送。`)
      continue
    }
    // A legacy case's D' comes with its conversation, not with the list: read it to open the copy.
    if (!replyKeyOf(entry)) {
      try {
        const body = (await ctx.options.connection.client().json(`/bureau/v1/cases/${r.caseId}/messages`)) as { replyKey?: unknown }
        setServerReplyKey(entry, body?.replyKey)
      } catch (e) {
        if (!(e instanceof RemoteError)) throw e
        warnings.push(`一条保留的回复（案件 ${r.caseId}）暂时无法验证（${e.zh}），没有发送。下次从服务器刷新时会再试。`)
        continue
      }
    }
    const record: NewCaseMessage = { caseId: r.caseId, msgId: r.msgId, from: 'bureau', header: r.header, message: r.message, copy: r.copy, attachments: [], requestHash: '' }
    const own = ownCopy(ctx, entry, r.msgId, record)
    if (!own) {
      // Damaged, altered, or not this case's: never sent, but not deleted either (what staff wrote
      // may be recoverable by an administrator): set aside under another name, and reported.
      try {
        warnings.push(unverifiedNotice(ctx.spool.dir, ctx.spool.quarantine(r.msgId), r.caseId))
      } catch (e) {
        warnings.push(
          `一条保留的回复（案件 ${r.caseId}）未通过验证：本机保存的加密副本无法打开，为安全起见没有发送。请打开这个案件重新撰写这条回复。` +
            `它的文件 reply-${r.msgId}.json 无法单独保留（${(e as NodeJS.ErrnoException).code ?? '未知错误'}），仍在 ${ctx.spool.dir}，请交管理员检查。`,
        )
      }
      continue
    }
    const pending: PendingReply = { record, text: own.text, requestsMaterial: own.requestsMaterial, at: r.at, error: '工作站上次关闭前没有发出，正在重新发送' }
    state.pending.set(r.msgId, pending)
    restored.push([r.caseId, r.msgId, pending])
  }
  for (const [caseId, msgId, pending] of restored) await post(ctx, caseId, msgId, pending).catch(() => undefined)
  return warnings
}

/** The text of a kept reply, from the bureau's own copy (sealed to the bureau key): the spool holds no plaintext. */
function ownCopy(ctx: WorkstationContext, entry: CaseEntry, msgId: string, r: NewCaseMessage): { text: string; requestsMaterial: boolean } | undefined {
  const replyKey = replyKeyOf(entry)
  if (!replyKey) return undefined
  try {
    const plain = openCaseObject({ header: r.header, reader: { keys: ctx.vault.keys, replyPublicKey: replyKey.D }, caseId: entry.meta.id, msgId, from: 'bureau', kind: 'copy', object: r.copy })
    const p = parseCaseMessage(new Uint8Array(plain), { caseId: entry.meta.id, msgId, from: 'bureau' })
    return { text: p.text, requestsMaterial: p.requestsMaterial }
  } catch {
    return undefined
  }
}

/** An added file of a resident message, decrypted and checked (AEAD, and its size against the message). */
export async function addedFile(ctx: WorkstationContext, entry: CaseEntry, msgId: string, n: number): Promise<{ bytes: Buffer; name: string; mime: string }> {
  const state = stateOf(ctx, entry.meta.id)
  const e = state.entries.find((x) => x.stored.msgId === msgId)
  const listed = e?.plaintext?.attachments.find((a) => a.n === n)
  const replyKey = replyKeyOf(entry)
  if (!e || e.error || !listed || !replyKey) throw new WsError(404, 'FILE_UNAVAILABLE', '没有这个补充材料，或它所在的消息无法打开。')
  const declared = e.stored.attachments.find((a) => a.n === n)
  let object: Buffer
  try {
    object = await ctx.options.connection.client().bytes(`/bureau/v1/cases/${entry.meta.id}/messages/${msgId}/attachments/${n}`, Math.min(declared?.size ?? 0, LIMITS.maxAttachmentBytes + 1024))
  } catch (err) {
    throw new WsError(502, 'FILE_UNAVAILABLE', `无法从服务器取得这个补充材料：${err instanceof RemoteError ? err.zh : (err as Error).message}`)
  }
  try {
    const opened = openAddedFile(entry.meta.id, e, replyKey, ctx.vault.keys, n, object)
    if (!opened.sizeMatches) throw new Error('size')
    return { bytes: opened.bytes, name: listed.name, mime: listed.mime }
  } catch {
    throw new WsError(422, 'INTEGRITY_FAILED', '这个补充材料未通过完整性校验（被改动、移动或不属于这条消息），不予显示。')
  }
}
