/**
 * Typed endpoints of the case channel (issue 14, docs/protocol.md and docs/server.md): every
 * request carries the case authenticator A in the `Case-Auth` header (never in a URL), and every
 * answer is checked strictly, since the server is hostile input too.
 */
import type { PublicStatus } from '@/domain/status'
import { badResponse, isCount, isObject, type UploadTarget } from './api'
import { request, type Cancellation } from './request'

export const CASE_AUTH_HEADER = 'Case-Auth'

/** The case authenticator as the header carries it: base64url of the 32 bytes, no padding (43 characters). */
export type CaseAuth = string

export interface CaseMessageMeta {
  msgId: string
  /** The server's order of the conversation, from 1; null while a resident message is still open. */
  seq: number | null
  from: 'resident' | 'bureau'
  at: string
  /** open: a resident message whose added files are still uploading. */
  state: 'open' | 'accepted'
  /** Bytes of the object addressed to the resident. */
  size: number
  /** Number of added files. */
  attachments: number
}

export interface CaseView {
  caseId: string
  status: PublicStatus
  changedAt: string
  note?: string
  closedAt?: string
  writableUntil?: string
  canWrite: boolean
  /** Opened with the legacy salt: a report made before the case channel. */
  legacy: boolean
  /** Legacy cases: whether the phone has registered its reply key yet (new cases: always true). */
  replyKeyKnown: boolean
  /** In seq order, open messages last. */
  messages: CaseMessageMeta[]
}

export interface CaseMessageObjects {
  msgId: string
  from: 'resident' | 'bureau'
  /** The case message header (both recipients' key ids), checked again when the object is opened. */
  header: unknown
  /** base64 of the object addressed to the resident: a bureau message's main object, or a resident message's own copy. */
  object: string
  /** Ciphertext sizes of the added files. */
  attachments: { n: number; size: number }[]
}

export interface LegacySalt {
  /** The server's receipt salt (32 bytes). */
  salt: Uint8Array
  params: { N: number; r: number; p: number; dkLen: number }
}

export interface NewCaseMessage {
  msgId: string
  header: unknown
  /** base64 of the object for the other side. */
  message: string
  /** base64 of the sender's own copy. */
  copy: string
  attachments: { size: number; crc32: string }[]
}

export interface CaseMessageUpload {
  msgId: string
  state: 'open' | 'accepted'
  attachments: { n: number; size: number; offset: number }[]
}

const STATUSES: readonly PublicStatus[] = ['received', 'reviewing', 'closed']
const HEX32 = /^[0-9a-f]{32}$/
const isDate = (x: unknown): x is string => typeof x === 'string' && x.length <= 40 && !Number.isNaN(Date.parse(x))
const optionalDate = (x: unknown) => x === undefined || x === null || isDate(x)

function auth(a: CaseAuth): Record<string, string> {
  return { [CASE_AUTH_HEADER]: a }
}

function checkMessageMeta(m: unknown): CaseMessageMeta {
  if (
    !isObject(m) ||
    typeof m.msgId !== 'string' ||
    !HEX32.test(m.msgId) ||
    !(m.seq === null || isCount(m.seq)) ||
    (m.from !== 'resident' && m.from !== 'bureau') ||
    !isDate(m.at) ||
    (m.state !== 'open' && m.state !== 'accepted') ||
    !isCount(m.size) ||
    !isCount(m.attachments)
  ) {
    throw badResponse()
  }
  return { msgId: m.msgId, seq: m.seq, from: m.from, at: m.at, state: m.state, size: m.size, attachments: m.attachments }
}

export function checkCaseView(data: unknown): CaseView {
  if (
    !isObject(data) ||
    typeof data.caseId !== 'string' ||
    !HEX32.test(data.caseId) ||
    !STATUSES.includes(data.status as PublicStatus) ||
    !isDate(data.changedAt) ||
    !optionalDate(data.closedAt) ||
    !optionalDate(data.writableUntil) ||
    typeof data.canWrite !== 'boolean' ||
    typeof data.legacy !== 'boolean' ||
    typeof data.replyKeyKnown !== 'boolean' ||
    !Array.isArray(data.messages) ||
    (data.note !== undefined && data.note !== null && typeof data.note !== 'string')
  ) {
    throw badResponse()
  }
  const view: CaseView = {
    caseId: data.caseId,
    status: data.status as PublicStatus,
    changedAt: data.changedAt,
    canWrite: data.canWrite,
    legacy: data.legacy,
    replyKeyKnown: data.replyKeyKnown,
    // In the server's order; open messages (no seq yet) last.
    messages: data.messages.map(checkMessageMeta).sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity)),
  }
  if (typeof data.note === 'string' && data.note.trim() !== '') view.note = data.note
  if (isDate(data.closedAt)) view.closedAt = data.closedAt
  if (isDate(data.writableUntil)) view.writableUntil = data.writableUntil
  return view
}

/** POST /api/v1/case: the case's status and its message list (no plaintext). */
export async function fetchCase(a: CaseAuth, cancel?: Cancellation): Promise<CaseView> {
  const res = await request<unknown>({ method: 'POST', path: '/api/v1/case', headers: auth(a), json: {}, cancel })
  return checkCaseView(res.data)
}

const messagePath = (msgId: string) => `/api/v1/case/messages/${encodeURIComponent(msgId)}`

/** GET /api/v1/case/messages/<msgId>: the header and the object meant for this side. */
export async function fetchCaseMessage(a: CaseAuth, msgId: string, cancel?: Cancellation): Promise<CaseMessageObjects> {
  const res = await request<unknown>({ path: messagePath(msgId), headers: auth(a), cancel, timeoutMs: 60000 })
  const d = res.data
  if (!isObject(d) || d.msgId !== msgId || (d.from !== 'resident' && d.from !== 'bureau') || !isObject(d.header) || typeof d.object !== 'string' || !Array.isArray(d.attachments)) {
    throw badResponse()
  }
  const attachments = d.attachments.map((x) => {
    if (!isObject(x) || !isCount(x.n) || !isCount(x.size)) throw badResponse()
    return { n: x.n, size: x.size }
  })
  return { msgId, from: d.from, header: d.header, object: d.object, attachments }
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/

/** GET /api/v1/case/legacy-salt: the server's old receipt salt, to open a case made before the channel. */
export async function fetchLegacySalt(decode: (b64: string) => Uint8Array, cancel?: Cancellation): Promise<LegacySalt> {
  const res = await request<unknown>({ path: '/api/v1/case/legacy-salt', cancel })
  const d = res.data
  // The parameters are the protocol's (docs/protocol.md §18.5); a server asking for others is refused.
  if (!isObject(d) || typeof d.salt !== 'string' || d.salt.length > 64 || !B64.test(d.salt) || d.N !== 16384 || d.r !== 8 || d.p !== 1 || d.dkLen !== 64) throw badResponse()
  const salt = decode(d.salt)
  if (salt.length !== 32) throw badResponse()
  return { salt, params: { N: 16384, r: 8, p: 1, dkLen: 64 } }
}

function checkUpload(data: unknown): CaseMessageUpload {
  if (!isObject(data) || typeof data.msgId !== 'string' || (data.state !== 'open' && data.state !== 'accepted')) throw badResponse()
  const list = Array.isArray(data.attachments) ? data.attachments : []
  for (const a of list) if (!isObject(a) || !isCount(a.n) || !isCount(a.size) || !isCount(a.offset)) throw badResponse()
  return { msgId: data.msgId, state: data.state, attachments: list as CaseMessageUpload['attachments'] }
}

/** POST /api/v1/case/messages (idempotent by msgId): `created` is false for a replay. */
export async function postCaseMessage(a: CaseAuth, body: NewCaseMessage, cancel?: Cancellation): Promise<{ created: boolean; upload: CaseMessageUpload }> {
  const res = await request<unknown>({ method: 'POST', path: '/api/v1/case/messages', headers: auth(a), json: body, cancel, timeoutMs: 60000 })
  return { created: res.status === 201, upload: checkUpload(res.data) }
}

/** Where added file n of message msgId is uploaded (HEAD/PUT, the submission upload rules). */
export function caseAttachment(a: CaseAuth, msgId: string, n: number): UploadTarget {
  return { path: `${messagePath(msgId)}/attachments/${n}`, headers: auth(a) }
}

/** POST …/finalize: every added file is uploaded; the message is accepted. */
export async function finalizeCaseMessage(a: CaseAuth, msgId: string, cancel?: Cancellation): Promise<{ state: 'accepted' }> {
  const res = await request<unknown>({ method: 'POST', path: `${messagePath(msgId)}/finalize`, headers: auth(a), json: {}, cancel, timeoutMs: 60000 })
  if (!isObject(res.data) || res.data.state !== 'accepted' || !isCount(res.data.seq)) throw badResponse()
  return { state: 'accepted' }
}

/** POST /api/v1/case/reply-key: a legacy case's reply public key D' (base64), once. */
export async function registerReplyKey(a: CaseAuth, replyKey: string, cancel?: Cancellation): Promise<void> {
  await request<unknown>({ method: 'POST', path: '/api/v1/case/reply-key', headers: auth(a), json: { replyKey }, cancel })
}
