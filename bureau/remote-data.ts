/**
 * The server's cases through the bureau API, in the shape the commands already use on the data
 * directory (data-dir.ts CaseData): so list, export, status, messages and reply run the same code
 * locally and remotely, and an export over the API writes the same bytes as a local one.
 *
 * The server is hostile: every answer is coerced into the stored shapes without trusting it, and
 * the commands then check it exactly as they check a data directory (bureau/untrusted.ts
 * storedSubmissionProblem, bureau/case.ts storedMessageProblem). Here, besides: ids are checked
 * before they go into a URL, a case answered for another id is refused, paging that repeats is
 * stopped, and every object is size-bounded (BureauClient). The server writes the audit log.
 */
import { decodeReplyKey, type EnvelopeHeader } from '../server/src/envelope'
import { LIMITS } from '../server/src/limits'
import type { CaseActivity, CaseMessage, CaseRecord, PublicStatus, Submission } from '../server/src/repository'
import type { CaseData, DataSource } from './data-dir'
import { ciphertextTempFile } from './data-dir'
import { CliError } from './errors'
import { BureauClient, RemoteError } from './remote'
import { printable } from './untrusted'

const ID = /^[0-9a-f]{32}$/
const int = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v)
const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {})
/** Errors that end the command (the server cannot be used), as opposed to one object's problem. */
const FATAL = new Set(['UNREACHABLE', 'TOKEN_MISSING', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'TLS'])

function badResponse(what: string): CliError {
  return new CliError(`服务器返回的数据有误（${what}），已拒绝。服务器可能被篡改，请联系技术人员。`, `The bureau API answered malformed data (${what}); refused.`)
}

/** An id the server sent, before it becomes part of a URL. */
function checkedId(id: unknown, what: string): string {
  if (typeof id !== 'string' || !ID.test(id)) throw badResponse(`${what} ${printable(id, 40)}`)
  return id
}

/**
 * A case of GET /bureau/v1/cases as the repository's Submission, unchecked: partitionStored or
 * storedSubmissionProblem decide whether it is usable, as for a data directory's record.
 */
export function submissionFromApi(raw: unknown): Submission {
  const c = record(raw)
  const list = c.attachments
  return {
    id: c.id as string,
    state: 'accepted',
    header: record(c.header) as unknown as EnvelopeHeader,
    attachments: Array.isArray(list)
      ? list.slice(0, LIMITS.maxAttachments + 1).map((a) => {
          const x = record(a)
          return { n: x.n as number, size: x.size as number, ...(x.crc32 !== undefined ? { crc32: x.crc32 as string } : {}), ...(x.sha256 !== undefined ? { sha256: x.sha256 as string } : {}) }
        })
      : (list as Submission['attachments']),
    reportSize: c.reportSize as number,
    branch: c.branch as string | null,
    createdAt: c.createdAt as number,
    expiresAt: null,
    acceptedAt: c.receivedAt as number,
    status: c.status as PublicStatus,
    statusChangedAt: c.statusChangedAt as number,
    publicNote: c.publicNote as string | null,
    receiptHash: null,
    receiptScheme: null,
    requestHash: '',
  }
}

/** One entry of GET /bureau/v1/cases/:id/messages as the stored shape bureau/case.ts checks (storedMessageProblem). */
export function messageFromApi(caseId: string, raw: unknown): CaseMessage {
  const m = record(raw)
  const size = int(m.size) ? m.size : -1
  return {
    msgId: typeof m.msgId === 'string' ? m.msgId.slice(0, 64) : '',
    caseId,
    from: m.from as CaseMessage['from'],
    header: m.header as CaseMessage['header'],
    state: 'accepted',
    seq: int(m.seq) ? m.seq : null,
    messageSize: size,
    copySize: size,
    attachments: (Array.isArray(m.attachments) ? m.attachments.slice(0, LIMITS.maxAttachments + 1) : []).map((a) => ({ n: int(record(a).n) ? (record(a).n as number) : -1, size: int(record(a).size) ? (record(a).size as number) : -1, crc32: '' })),
    createdAt: m.createdAt as number,
    expiresAt: null,
    acceptedAt: int(m.acceptedAt) ? m.acceptedAt : null,
    readAt: int(m.readAt) ? m.readAt : null,
    requestHash: '',
  }
}

/** undefined for "no such case/message/file" (404), the error otherwise. */
async function orMissing<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p
  } catch (e) {
    if (e instanceof RemoteError && (e.code === 'CASE_NOT_FOUND' || e.status === 404)) return undefined
    throw e
  }
}

class RemoteCases implements CaseData {
  /** What the last answers said about each case: the case channel needs it (counts, the record). */
  private readonly meta = new Map<string, Submission>()
  private readonly counts = new Map<string, { unread: number; files: number; messages: number }>()
  /** The case each listed message belongs to (its object and files are addressed under the case). */
  private readonly caseOfMessage = new Map<string, string>()
  private readonly cursors = new Set<string>()
  private readonly listed = new Set<string>()
  /**
   * The reply key D′ a legacy case's resident registered, as the case's message list served it
   * (null: none, or malformed). The server's word: bureau/case.ts uses it only when the report holds
   * no replyKey, marked unverified, and `reply` sends to it only with --accept-unverified-key.
   */
  private readonly replyKeys = new Map<string, Buffer | null>()
  /** A message list getCase fetched (to learn D′), handed once to the next listMessages of that case: one request, not two. */
  private readonly fetchedLists = new Map<string, CaseMessage[]>()

  constructor(readonly client: BureauClient) {}

  private remember(raw: unknown): Submission {
    const s = submissionFromApi(raw)
    const c = record(raw)
    if (typeof s.id === 'string' && ID.test(s.id)) {
      this.meta.set(s.id, s)
      const n = (v: unknown) => (int(v) && v >= 0 ? v : 0)
      this.counts.set(s.id, { unread: n(c.unreadMessages), files: n(c.unreadFiles), messages: int(c.messages) && c.messages >= 0 ? c.messages : -1 })
    }
    return s
  }

  async listSubmissions(query: { state?: Submission['state']; limit?: number; after?: string } = {}): Promise<Submission[]> {
    // The bureau API serves finalized cases only: unfinished uploads are not the bureau's yet.
    if (query.state === 'open') return []
    const limit = Math.min(1000, Math.max(1, query.limit ?? 1000))
    let url = `/bureau/v1/cases?limit=${limit}`
    if (query.after !== undefined) {
      const after = checkedId(query.after, '分页编号 page cursor')
      if (this.cursors.has(after)) throw badResponse('分页重复 paging repeats')
      this.cursors.add(after)
      url += `&after=${after}`
    }
    const body = record(await this.client.json(url))
    if (!Array.isArray(body.cases)) throw badResponse('举报列表 case list')
    const page: Submission[] = []
    for (const raw of body.cases.slice(0, limit)) {
      const s = this.remember(raw)
      // The same id twice (in one page or across pages) is listed once.
      if (typeof s.id === 'string' && this.listed.has(s.id)) continue
      if (typeof s.id === 'string') this.listed.add(s.id)
      page.push(s)
    }
    // A page made short by repeats ends the listing early: only a hostile server repeats itself.
    return page
  }

  async getSubmission(id: string): Promise<Submission | undefined> {
    const body = await orMissing(this.client.json(`/bureau/v1/cases/${checkedId(id, '举报编号 case id')}`))
    if (body === undefined) return undefined
    const s = this.remember(record(body).case)
    if (s.id !== id) throw badResponse(`问的是 ${id}，回答的是另一条 answered for another case`)
    return s
  }

  async getReport(id: string): Promise<Buffer | undefined> {
    return orMissing(this.client.bytes(`/bureau/v1/cases/${checkedId(id, '举报编号 case id')}/report`, LIMITS.maxReportBytes))
  }

  async setStatus(id: string, status: PublicStatus, note: string | null | undefined): Promise<Submission | undefined> {
    const body = await orMissing(
      this.client.json(`/bureau/v1/cases/${checkedId(id, '举报编号 case id')}/status`, { method: 'PUT', body: note === undefined ? { status } : { status, note } }),
    )
    if (body === undefined) return undefined
    const s = this.remember(record(body).case)
    if (s.id !== id || s.status !== status) throw badResponse('状态 status')
    return s
  }

  readonly cases: CaseData['cases'] = {
    getCase: async (caseId: string): Promise<CaseRecord | undefined> => {
      const s = this.meta.get(caseId) ?? (await this.getSubmission(caseId))
      if (!s) return undefined
      if (!this.replyKeys.has(caseId)) {
        const list = await orMissing(this.fetchMessages(caseId))
        if (!list) return undefined
        this.fetchedLists.set(caseId, list)
      }
      return { caseId, kind: 'case', status: s.status ?? 'received', changedAt: s.statusChangedAt ?? 0, publicNote: s.publicNote, closedAt: null, replyKey: this.replyKeys.get(caseId) ?? null, acceptedAt: s.acceptedAt ?? 0 }
    },
    listMessages: async (caseId: string): Promise<CaseMessage[]> => {
      const fetched = this.fetchedLists.get(caseId)
      this.fetchedLists.delete(caseId)
      return fetched ?? this.fetchMessages(caseId)
    },
    getObject: async (msgId: string, _kind: 'message' | 'copy'): Promise<Buffer | undefined> => {
      const caseId = this.caseOfMessage.get(msgId)
      if (!caseId) return undefined
      return orMissing(this.client.bytes(`/bureau/v1/cases/${caseId}/messages/${msgId}/object`, LIMITS.maxCaseObjectBytes + 64 * 1024))
    },
    messageIds: async (caseId: string): Promise<string[]> => {
      // The list said how many messages the case has: none means no request per case.
      if (this.counts.get(caseId)?.messages === 0) return []
      return (await this.cases.listMessages(caseId, Date.now())).map((m) => m.msgId)
    },
    postBureauMessage: async (m) => {
      const body = record(
        await this.client.json(`/bureau/v1/cases/${checkedId(m.caseId, '举报编号 case id')}/messages`, {
          method: 'POST',
          body: { msgId: m.msgId, header: m.header, message: m.message.toString('base64'), copy: m.copy.toString('base64') },
        }),
      )
      const stored = messageFromApi(m.caseId, body.message)
      if (stored.msgId !== m.msgId || stored.from !== 'bureau') throw badResponse('回复 reply')
      return { outcome: 'created', message: stored }
    },
    markRead: async (caseId: string, _now: number, upToSeq?: number): Promise<number> => {
      const body = record(await this.client.json(`/bureau/v1/cases/${checkedId(caseId, '举报编号 case id')}/messages/read`, { method: 'POST', body: upToSeq === undefined ? {} : { upToSeq } }))
      return int(body.marked) && body.marked >= 0 ? body.marked : 0
    },
    listActivity: async (caseIds: readonly string[]): Promise<CaseActivity[]> =>
      caseIds.flatMap((caseId) => {
        const c = this.counts.get(caseId)
        return c ? [{ caseId, unread: c.unread, unreadAttachments: c.files, messages: Math.max(0, c.messages), lastAt: null }] : []
      }),
  }

  /** GET …/messages: the case's messages in the stored shape, and the legacy reply key D′ it names (remembered in replyKeys). */
  private async fetchMessages(caseId: string): Promise<CaseMessage[]> {
    const body = record(await this.client.json(`/bureau/v1/cases/${checkedId(caseId, '举报编号 case id')}/messages`))
    if (!Array.isArray(body.messages)) throw badResponse('消息列表 message list')
    let replyKey: Buffer | null = null
    if (typeof body.replyKey === 'string') {
      try {
        replyKey = decodeReplyKey(body.replyKey)
      } catch {
        // malformed or a low-order point: as if none was registered (as on the workstation)
      }
    }
    this.replyKeys.set(caseId, replyKey)
    const out = body.messages.slice(0, 5000).map((m) => messageFromApi(caseId, m))
    for (const m of out) if (ID.test(m.msgId)) this.caseOfMessage.set(m.msgId, caseId)
    return out
  }

  /** The URL of an object's ciphertext: a report attachment, or an added file of a listed message. */
  objectPath(id: string, n: number, store: 'attachment' | 'case'): string | undefined {
    if (!ID.test(id) || !int(n) || n < 0 || n >= LIMITS.maxAttachments) return undefined
    if (store === 'attachment') return `/bureau/v1/cases/${id}/attachments/${n}`
    const caseId = this.caseOfMessage.get(id)
    return caseId ? `/bureau/v1/cases/${caseId}/messages/${id}/attachments/${n}` : undefined
  }
}

/** The cases behind `client`: a DataSource for the commands that make sense remotely. */
export function openRemoteData(client: BureauClient): DataSource {
  const repository = new RemoteCases(client)
  return {
    where: `扫黑办接口 bureau API ${client.server}`,
    repository,
    blobFile: async (id, n, size, store = 'attachment') => {
      const url = repository.objectPath(id, n, store)
      const label = `${client.server} ${id}/${n}`
      if (!url) return { path: label, problem: 'missing' }
      let fatal: RemoteError | undefined
      const file = await ciphertextTempFile(label, n, async (to) => {
        try {
          await client.toFile(url, to, size)
        } catch (e) {
          if (e instanceof RemoteError && FATAL.has(e.code)) fatal = e
          if (e instanceof RemoteError && e.status === 404) throw new Error('missing')
          throw e
        }
      })
      if (fatal) throw fatal
      return file
    },
    close: async () => {},
  }
}
