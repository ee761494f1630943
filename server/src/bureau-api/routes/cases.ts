/**
 * Cases for the bureau: metadata lists with filters and paging, the report and attachment
 * ciphertext (HTTP ranges for large objects), status and public note, read marks. Everything here
 * is what the server already holds: no plaintext, nothing the workstation could not verify itself.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import { ApiError, errorResponses } from '../../errors'
import { PUBLIC_STATUSES, type PublicStatus, type Submission } from '../../repository'
import { SUBMISSION_ID_PATTERN } from '../../routes/submissions'
import type { BlobStore } from '../../blobstore'
import { audit, auditMany, caseFor, visibleTo, type BureauContext } from '../auth'
import { parseRange } from '../range'

/**
 * Every read that serves ciphertext is audited, whole or ranged (any range, however it is
 * spelled: a ciphertext without its first bytes still opens with the bureau key); the detail
 * names the range. Only an unsatisfiable range (416, nothing served) leaves no entry.
 */
async function auditRead(ctx: BureauContext, request: FastifyRequest, action: 'case.report' | 'case.attachment', caseId: string, size: number, what?: string): Promise<void> {
  const r = parseRange(request.headers.range, size)
  if (r === null) return
  const range = r && !(r.start === 0 && r.end === size - 1) ? `bytes ${r.start}-${r.end}` : undefined
  const detail = [what, range].filter((x) => x !== undefined).join(' ')
  await audit(ctx, request, action, caseId, detail === '' ? null : detail)
}

export interface CasesOptions extends BureauContext {
  blobs: BlobStore
}

const caseParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: SUBMISSION_ID_PATTERN } },
} as const

const MS_PATTERN = '^[0-9]{1,15}$'

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: PUBLIC_STATUSES },
    branch: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$' },
    since: { type: 'string', pattern: MS_PATTERN, description: 'received at or after (epoch ms)' },
    until: { type: 'string', pattern: MS_PATTERN, description: 'received before (epoch ms)' },
    after: { type: 'string', pattern: SUBMISSION_ID_PATTERN, description: 'continue after this case id' },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: 'page size, 1 to 1000 (default 200)' },
  },
} as const

interface ListQuerystring {
  status?: PublicStatus
  branch?: string
  since?: string
  until?: string
  after?: string
  limit?: string
}

export interface CaseMeta {
  id: string
  /** When the submission was created (its first request), and when it was finalized. */
  createdAt: number
  receivedAt: number
  branch: string | null
  status: PublicStatus
  statusChangedAt: number
  publicNote: string | null
  header: Submission['header']
  reportSize: number
  /** Ciphertext size and upload checksum (v2 crc32, v1 sha256) as declared at creation. */
  attachments: { n: number; size: number; crc32?: string; sha256?: string }[]
  readAt: number | null
  notes: number
  /** The case channel: accepted resident messages not yet marked read, and their added files. */
  unreadMessages: number
  unreadFiles: number
  /** Accepted messages in the case channel, both directions. */
  messages: number
}

async function metas(ctx: BureauContext, subs: Submission[]): Promise<CaseMeta[]> {
  const ids = subs.map((s) => s.id)
  const states = await ctx.repository.caseBureauStates(ids)
  // Only the listed cases' messages are read (not every case's, per request).
  const activity = new Map((await ctx.repository.cases.listActivity(ids)).map((a) => [a.caseId, a]))
  return subs.map((s) => ({
    id: s.id,
    createdAt: s.createdAt,
    receivedAt: s.acceptedAt ?? s.createdAt,
    branch: s.branch,
    status: s.status ?? 'received',
    statusChangedAt: s.statusChangedAt ?? s.createdAt,
    publicNote: s.publicNote,
    header: s.header,
    reportSize: s.reportSize,
    attachments: s.attachments.map((a) => ({ n: a.n, size: a.size, ...(a.crc32 !== undefined ? { crc32: a.crc32 } : {}), ...(a.sha256 !== undefined ? { sha256: a.sha256 } : {}) })),
    readAt: states.get(s.id)?.readAt ?? null,
    notes: states.get(s.id)?.notes ?? 0,
    unreadMessages: activity.get(s.id)?.unread ?? 0,
    unreadFiles: activity.get(s.id)?.unreadAttachments ?? 0,
    messages: activity.get(s.id)?.messages ?? 0,
  }))
}

/** Sends bytes (or a range of them) as application/octet-stream. */
export async function sendObject(reply: FastifyReply, size: number, range: string | undefined, open: (r?: { start: number; end: number }) => Promise<Readable>): Promise<FastifyReply> {
  const r = parseRange(range, size)
  reply.header('Accept-Ranges', 'bytes').type('application/octet-stream').header('Cache-Control', 'no-store')
  if (r === null) {
    reply.header('Content-Range', `bytes */${size}`)
    throw new ApiError('RANGE_NOT_SATISFIABLE', `The object has ${size} bytes`)
  }
  if (r) {
    reply.code(206).header('Content-Range', `bytes ${r.start}-${r.end}/${size}`).header('Content-Length', String(r.end - r.start + 1))
  } else {
    reply.header('Content-Length', String(size))
  }
  return reply.send(await open(r))
}

const casesRoutes: FastifyPluginAsync<CasesOptions> = async (app, ctx) => {
  app.get<{ Querystring: ListQuerystring }>(
    '/bureau/v1/cases',
    {
      schema: {
        summary: 'List case metadata (finalized submissions), oldest first, with filters and paging',
        querystring: listQuery,
        response: errorResponses('INVALID_FIELD', 'UNKNOWN_FIELD', 'TOKEN_MISSING', 'TOKEN_INVALID', 'TOKEN_REVOKED'),
      },
    },
    async (request) => {
      const q = request.query
      const token = request.bureauToken
      const limit = q.limit === undefined ? 200 : Number(q.limit)
      if (limit < 1 || limit > 1000) throw new ApiError('INVALID_FIELD', 'limit must be 1 to 1000', { field: '/limit' })
      let branches: string[] | undefined = token.branches.length ? token.branches : undefined
      if (q.branch !== undefined) branches = !branches || branches.includes(q.branch) ? [q.branch] : []
      const page = await ctx.repository.listSubmissions({
        state: 'accepted',
        status: q.status,
        since: q.since === undefined ? undefined : Number(q.since),
        until: q.until === undefined ? undefined : Number(q.until),
        branches,
        after: q.after,
        limit,
      })
      await audit(ctx, request, 'cases.list', null, `${page.length}`)
      return { cases: await metas(ctx, page), next: page.length === limit ? page[page.length - 1].id : null }
    },
  )

  app.get<{ Params: { id: string } }>('/bureau/v1/cases/:id', { schema: { params: caseParams } }, async (request) => {
    const s = await caseFor(ctx, request, request.params.id)
    await audit(ctx, request, 'case.view', s.id)
    return { case: (await metas(ctx, [s]))[0] }
  })

  app.get<{ Params: { id: string } }>('/bureau/v1/cases/:id/report', { schema: { params: caseParams } }, async (request, reply) => {
    const s = await caseFor(ctx, request, request.params.id)
    const report = await ctx.repository.getReport(s.id)
    if (!report) throw new ApiError('CASE_NOT_FOUND', 'The report object is missing')
    await auditRead(ctx, request, 'case.report', s.id, report.length)
    return sendObject(reply, report.length, request.headers.range, async (r) => Readable.from([r ? report.subarray(r.start, r.end + 1) : report]))
  })

  app.post<{ Body: { ids: string[] } }>(
    '/bureau/v1/reports',
    {
      schema: {
        summary: 'Many report objects at once (base64), for a workstation building its inbox; unknown ids are left out',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['ids'],
          properties: { ids: { type: 'array', maxItems: 200, items: { type: 'string', pattern: SUBMISSION_ID_PATTERN } } },
        },
      },
      bodyLimit: 16 * 1024,
    },
    async (request) => {
      const out: { id: string; header: Submission['header']; report: string }[] = []
      for (const id of new Set(request.body.ids)) {
        const s = await ctx.repository.getSubmission(id)
        if (!visibleTo(request.bureauToken, s)) continue
        const report = await ctx.repository.getReport(id)
        if (!report) continue
        out.push({ id, header: s.header, report: report.toString('base64') })
      }
      await auditMany(ctx, request, 'case.report', out.map((o) => o.id))
      return { reports: out }
    },
  )

  app.get<{ Params: { id: string; n: string } }>(
    '/bureau/v1/cases/:id/attachments/:n',
    {
      schema: {
        params: { type: 'object', required: ['id', 'n'], properties: { id: caseParams.properties.id, n: { type: 'string', pattern: '^(0|[1-9][0-9]?)$' } } },
      },
    },
    async (request, reply) => {
      const s = await caseFor(ctx, request, request.params.id)
      const n = Number(request.params.n)
      const declared = s.attachments.find((a) => a.n === n)
      if (!declared) throw new ApiError('ATTACHMENT_NOT_FOUND', `Case ${s.id} has no attachment ${n}`)
      const size = await ctx.blobs.size(s.id, n).catch(() => 0)
      if (size !== declared.size) throw new ApiError('ATTACHMENT_NOT_FOUND', `Attachment ${n} is missing or incomplete on the server`)
      await auditRead(ctx, request, 'case.attachment', s.id, size, String(n))
      return sendObject(reply, size, request.headers.range, (r) => ctx.blobs.openRead(s.id, n, r))
    },
  )

  app.put<{ Params: { id: string }; Body: { status: PublicStatus; note?: string | null } }>(
    '/bureau/v1/cases/:id/status',
    {
      schema: {
        params: caseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['status'],
          properties: {
            status: { type: 'string', enum: PUBLIC_STATUSES },
            note: { type: ['string', 'null'], maxLength: 500, description: 'the public note residents see; absent keeps it, null clears it' },
          },
        },
      },
    },
    async (request) => {
      const s = await caseFor(ctx, request, request.params.id)
      const updated = await ctx.repository.setStatus(s.id, request.body.status, request.body.note, ctx.now())
      if (!updated) throw new ApiError('CASE_NOT_FOUND', 'No such case')
      await audit(ctx, request, 'case.status', s.id, `${request.body.status}${request.body.note !== undefined ? '+note' : ''}`)
      return { case: (await metas(ctx, [updated]))[0] }
    },
  )

  app.post<{ Params: { id: string } }>('/bureau/v1/cases/:id/read', { schema: { params: caseParams } }, async (request) => {
    const s = await caseFor(ctx, request, request.params.id)
    const readAt = await ctx.repository.markRead(s.id, ctx.now())
    await audit(ctx, request, 'case.read', s.id)
    return { readAt: readAt ?? null }
  })
}

export default casesRoutes
