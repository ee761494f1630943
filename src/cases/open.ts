/**
 * Opening a case on the phone (docs/protocol.md §18–§21): the 查询码 goes through the case KDF in
 * the encryption worker, only A (the Case-Auth value) is sent; a receipt made before the case
 * channel is tried the legacy way when the new A is unknown. Then each message is fetched and
 * opened in the worker with the seed and the bureau key of its header's kid from the accepted
 * signed key list (never a key the server names). The case page's chunk only: crypto inside.
 */
import { CASE_KDF, caseSalt, encodeCaseAuth, encodeReplyKey, LEGACY_KDF, parseCaseHeader, type CaseMessagePlaintext } from '@/case'
import { fromBase64, toBase64 } from '@/crypto/bytes'
import { CaseOpenFailedError } from '@/crypto-worker/client'
import { FileSealer } from '@/crypto-worker/sealer'
import { bundledConfig } from '@/domain/campaign'
import { acceptedKeySet } from '@/keys/store'
import { fileSealer } from '@/outbox/sealer-slot'
import { fetchCase, fetchCaseMessage, fetchLegacySalt, registerReplyKey, type CaseMessageMeta, type CaseView } from '@/services/case-api'
import { refreshKeyList } from '@/services/key-list'
import { ApiError } from '@/services/request'
import type { CaseKeyMaterial } from './keys'

export const CASE_NOT_FOUND_MESSAGE = '查询码不正确或举报不存在。请核对 16 位数字后重试。'

/** The case could not be opened for a reason the resident should read as is. */
export class CaseOpenError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CaseOpenError'
  }
}

function sealer(): FileSealer {
  return fileSealer(() => new FileSealer())
}

function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && (e.code === 'CASE_NOT_FOUND' || e.code === 'INVALID_CASE_AUTH')
}

/** A and the seed from the 查询码, in the worker; `onProgress` gets 0 … 1. */
async function derive(receipt: string, salt: Uint8Array, params: typeof CASE_KDF, onProgress?: (fraction: number) => void) {
  const derived = await sealer().deriveCaseSecrets({ receipt, salt, params, onProgress })
  const keys = { auth: encodeCaseAuth(derived.authenticator), seed: toBase64(derived.seed), replyKey: encodeReplyKey(derived.replyKey) }
  derived.seed.fill(0)
  derived.authenticator.fill(0)
  return keys
}

export interface OpenedCase {
  keys: CaseKeyMaterial
  view: CaseView
}

/**
 * The case of this 查询码. Throws CaseOpenError (CASE_NOT_FOUND_MESSAGE) when neither the new nor
 * the legacy A is known, and ApiError for the network.
 */
export async function openCaseWithReceipt(receipt: string, onProgress?: (fraction: number) => void): Promise<OpenedCase> {
  const id = bundledConfig.campaign.id
  if (!id) throw new CaseOpenError('这个版本的小程序缺少活动编号，无法打开案件。请更新小程序后再试。')
  // The legacy path costs a second KDF: progress runs to one half first, and on to the end only then.
  const fresh = await derive(receipt, caseSalt(id), CASE_KDF, (f) => onProgress?.(f))
  try {
    const view = await fetchCase(fresh.auth)
    return { keys: { caseId: view.caseId, auth: fresh.auth, seed: fresh.seed, legacy: false }, view }
  } catch (e) {
    if (!isNotFound(e)) throw e
  }
  const legacySalt = await fetchLegacySalt(fromBase64)
  const old = await derive(receipt, legacySalt.salt, LEGACY_KDF, (f) => onProgress?.(f))
  let view: CaseView
  try {
    view = await fetchCase(old.auth)
  } catch (e) {
    if (isNotFound(e)) throw new CaseOpenError(CASE_NOT_FOUND_MESSAGE)
    throw e
  }
  if (!view.replyKeyKnown) {
    // A report made before the channel has no reply key inside: register D' once (docs/protocol.md §18.5).
    await registerReplyKey(old.auth, old.replyKey)
    view = { ...view, replyKeyKnown: true }
  }
  return { keys: { caseId: view.caseId, auth: old.auth, seed: old.seed, legacy: true }, view }
}

/** One message of the conversation as the page shows it. */
export interface ConversationEntry {
  meta: CaseMessageMeta
  /** The opened plaintext; undefined when it could not be opened (`problem` says why). */
  message?: CaseMessagePlaintext
  problem?: string
}

export const ALTERED_MESSAGE = '这条消息无法解密：它可能在传输中损坏或被篡改。请稍后刷新；如果一直如此，请不要相信它的内容。'
export const UNKNOWN_KEY_MESSAGE = '这条消息使用了本机还不认识的公安机关密钥，暂时无法确认真伪，请联网后刷新。'

async function bureauKey(kid: string): Promise<Uint8Array | undefined> {
  const find = () => acceptedKeySet().keys.find((k) => k.kid === kid)
  let key = find()
  if (!key) {
    // A key the phone does not know yet: refresh the signed list (the server's word alone is never taken).
    await refreshKeyList().catch(() => undefined)
    key = find()
  }
  return key ? fromBase64(key.publicKey) : undefined
}

/** Fetches and opens one message; never throws for a message that fails its checks (it is shown as such). */
export async function openMessage(keys: CaseKeyMaterial, meta: CaseMessageMeta): Promise<ConversationEntry> {
  const fetched = await fetchCaseMessage(keys.auth, meta.msgId)
  let kid: string
  try {
    kid = parseCaseHeader(fetched.header).kid
  } catch {
    return { meta, problem: ALTERED_MESSAGE }
  }
  const bureauPublicKey = await bureauKey(kid)
  if (!bureauPublicKey) return { meta, problem: UNKNOWN_KEY_MESSAGE }
  const seed = fromBase64(keys.seed)
  try {
    const message = await sealer().openCaseMessage({ header: fetched.header, caseId: keys.caseId, msgId: meta.msgId, from: fetched.from, object: fromBase64(fetched.object), seed, bureauPublicKey })
    return { meta, message }
  } catch (e) {
    if (e instanceof CaseOpenFailedError || (e instanceof Error && !(e instanceof ApiError))) return { meta, problem: ALTERED_MESSAGE }
    throw e
  } finally {
    seed.fill(0)
  }
}

/**
 * The conversation: every accepted message opened, reusing what `known` already holds (a message
 * never changes once accepted), in the server's order.
 */
export async function openConversation(keys: CaseKeyMaterial, view: CaseView, known: ReadonlyMap<string, ConversationEntry>): Promise<ConversationEntry[]> {
  const out: ConversationEntry[] = []
  for (const meta of view.messages) {
    if (meta.state !== 'accepted') continue
    const had = known.get(meta.msgId)
    out.push(had?.message ? { ...had, meta } : await openMessage(keys, meta))
  }
  return out
}
