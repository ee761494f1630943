/**
 * The inbox, a case, its files, status, internal notes, audit log, statistics and export, for
 * the page. Decrypted content leaves this process only in these answers, to the session's
 * browser over loopback.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { LIMITS } from '../../../server/src/limits'
import { PUBLIC_STATUSES } from '../../../server/src/repository/types'
import type { BranchOffice } from '../../../src/domain/types'
import { MAX_NOTE_TEXT, NoteError, openNote, sealNote } from '../../note-crypto'
import { parseInboxQuery, queryRows } from '../shared/inbox-query'
import type { AuditView, NoteView, PublicStatus } from '../shared/types'
import { FILE_CSP, WsError, type WorkstationContext } from './app'
import { writeCaseFolder, zipCase, folderName, type ExportInput } from './export'
import { CASE_CHANNEL_AVAILABLE, UNVERIFIED_KEY_WARNING, addedFile, loadMessages, replyKeyState, retryReply, sendReply } from './messages'
import { computeStats, statsCsv } from './stats'
import { checkCaseMeta } from './untrusted'
import type { CaseEntry } from './vault'

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f]{32}$' } } } as const

/** RFC 5987 filename for Content-Disposition (the name is the resident's: encoded, never raw). */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_').slice(0, 100) || 'file'
  // Lone surrogates (a hostile report may hold them) become U+FFFD, and the cut is made between
  // code points, so that encodeURIComponent cannot throw.
  const wellFormed = name.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(Array.from(wellFormed).slice(0, 200).join(''))}`
}

const casesRoutes: FastifyPluginAsync<WorkstationContext> = async (app, ctx) => {
  const { vault, options } = ctx
  const conn = options.connection

  const entry = (id: string): CaseEntry => {
    if (!vault.unlocked) throw new WsError(423, 'LOCKED', '工作站已锁定，请重新解锁。')
    const e = vault.cases.get(id)
    if (!e) throw new WsError(404, 'CASE_NOT_FOUND', '没有这条举报，或此工作站无权查看。')
    return e
  }
  const unlocked = () => {
    if (!vault.unlocked) throw new WsError(423, 'LOCKED', '工作站已锁定，请重新解锁。')
  }

  const notesOf = async (id: string): Promise<NoteView[]> => {
    const body = (await conn.client().json(`/bureau/v1/cases/${id}/notes`)) as { notes?: unknown }
    const list = Array.isArray(body?.notes) ? body.notes.slice(0, 1000) : []
    return list.map((raw) => {
      const n = raw as { id?: unknown; header?: unknown; object?: unknown; createdAt?: unknown }
      const noteId = typeof n?.id === 'string' && /^[0-9a-f]{32}$/.test(n.id) ? n.id : ''
      try {
        if (!noteId || typeof n.object !== 'string') throw new NoteError('MALFORMED', 'malformed')
        const p = openNote(vault.keys, id, noteId, n.header, Buffer.from(n.object, 'base64'))
        return { id: noteId, author: p.author.slice(0, 100), writtenAt: p.writtenAt.slice(0, 40), text: p.text.slice(0, MAX_NOTE_TEXT) }
      } catch (e) {
        const why = e instanceof NoteError && e.code === 'UNKNOWN_KID' ? '这条备注是用另一把私钥加密的，当前解锁的私钥打不开它。' : '这条备注已损坏或不是本案的备注，未通过完整性校验。'
        return { id: noteId || randomBytes(4).toString('hex'), author: '', writtenAt: '', text: '', problem: why }
      }
    })
  }

  const exportInput = async (id: string): Promise<ExportInput> => {
    const e = entry(id)
    if (!e.report) throw new WsError(409, 'CANNOT_DECRYPT', e.problem?.message ?? '这条举报无法解密，不能导出。')
    const files = []
    for (const a of e.meta.attachments) files.push(await vault.file(conn.client(), id, a.n))
    const messages = await loadMessages(ctx, e).catch(() => [])
    const notes = await notesOf(id)
    return { entry: e, files, messages, notes, branches: ctx.campaign.branches as unknown as BranchOffice[] }
  }

  // One page of the inbox: search, filters and sort are applied here, over the decrypted cases in
  // memory, so the page never receives (nor lays out) the whole inbox.
  app.get<{ Querystring: Record<string, unknown> }>('/api/cases', async (request) => {
    unlocked()
    await vault.settled()
    unlocked()
    const query = parseInboxQuery(request.query)
    const t0 = performance.now()
    const ids = vault.search(query.q)
    const searchMs = performance.now() - t0
    const { rows, matched, page } = queryRows(ids.map((id) => vault.row(vault.cases.get(id)!)), query)
    return {
      q: query.q,
      rows,
      matched,
      page,
      pageSize: query.pageSize,
      refused: vault.refused,
      searchMs,
      queryMs: performance.now() - t0,
      loadedAt: vault.loadedAt,
      total: vault.cases.size,
      ...(vault.timings ? { load: vault.timings } : {}),
      ...(vault.loadError ? { loadError: vault.loadError } : {}),
      ...(ctx.spoolWarnings.length ? { spoolWarnings: ctx.spoolWarnings.slice(0, 20) } : {}),
    }
  })

  app.get<{ Params: { id: string } }>('/api/cases/:id', { schema: { params: idParams } }, async (request) => {
    const e = entry(request.params.id)
    if (e.meta.readAt === null && e.report) {
      const body = (await conn.client().json(`/bureau/v1/cases/${e.meta.id}/read`, { method: 'POST', body: {} }).catch(() => undefined)) as { readAt?: unknown } | undefined
      if (typeof body?.readAt === 'number') e.meta.readAt = body.readAt
    }
    return { row: vault.row(e), report: e.report ?? null }
  })

  app.get<{ Params: { id: string } }>('/api/cases/:id/files', { schema: { params: idParams } }, async (request) => {
    const e = entry(request.params.id)
    if (!e.report) return { files: [] }
    const listed = new Set([...e.meta.attachments.map((a) => a.n), ...e.report.attachments.map((a) => a.n).filter((n) => n >= 0 && n < LIMITS.maxAttachments)])
    const files = []
    for (const n of [...listed].sort((a, b) => a - b)) files.push((await vault.file(conn.client(), e.meta.id, n)).info)
    return { files }
  })

  app.get<{ Params: { id: string; n: string }; Querystring: { view?: string } }>(
    '/api/cases/:id/files/:n',
    { schema: { params: { type: 'object', required: ['id', 'n'], properties: { id: idParams.properties.id, n: { type: 'string', pattern: '^(0|[1-9][0-9]?)$' } } } } },
    async (request, reply: FastifyReply) => {
      const e = entry(request.params.id)
      const f = await vault.file(conn.client(), e.meta.id, Number(request.params.n))
      if (!f.bytes) throw new WsError(404, 'FILE_UNAVAILABLE', f.info.message ?? '这个附件无法打开。')
      const inline = request.query.view === 'inline' && (f.info.view === 'image' || f.info.view === 'pdf')
      const type = inline && f.mime ? f.mime : 'application/octet-stream'
      return reply
        .header('Content-Security-Policy', FILE_CSP)
        .header('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', f.info.name))
        .type(type)
        .send(f.bytes)
    },
  )

  app.put<{ Params: { id: string }; Body: { status: PublicStatus; note: string | null } }>(
    '/api/cases/:id/status',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['status', 'note'],
          properties: { status: { type: 'string', enum: PUBLIC_STATUSES }, note: { type: ['string', 'null'], maxLength: LIMITS.maxPublicNote } },
        },
      },
    },
    async (request) => {
      const e = entry(request.params.id)
      const note = request.body.note === null || request.body.note.trim() === '' ? null : request.body.note.trim()
      const body = (await conn.client().json(`/bureau/v1/cases/${e.meta.id}/status`, { method: 'PUT', body: { status: request.body.status, note } })) as { case?: unknown }
      const checked = checkCaseMeta(body?.case)
      if (typeof checked === 'string') throw new WsError(502, 'BAD_RESPONSE', '服务器返回的数据格式错误。')
      vault.setStatus(e.meta.id, checked.status, checked.publicNote, checked.statusChangedAt)
      return { row: vault.row(e) }
    },
  )

  app.get<{ Params: { id: string } }>('/api/cases/:id/messages', { schema: { params: idParams } }, async (request) => {
    const e = entry(request.params.id)
    const messages = CASE_CHANNEL_AVAILABLE ? await loadMessages(ctx, e) : []
    return { available: CASE_CHANNEL_AVAILABLE, messages, replyKey: replyKeyState(e), ...(replyKeyState(e) === 'unverified' ? { warning: UNVERIFIED_KEY_WARNING } : {}) }
  })

  app.post<{ Params: { id: string }; Body: { text: string; requestsMaterial: boolean; acceptUnverifiedKey?: boolean } }>(
    '/api/cases/:id/replies',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['text', 'requestsMaterial'],
          properties: { text: { type: 'string', minLength: 1, maxLength: 10_000 }, requestsMaterial: { type: 'boolean' }, acceptUnverifiedKey: { type: 'boolean' } },
        },
      },
    },
    async (request, reply) => {
      const e = entry(request.params.id)
      const msgId = await sendReply(ctx, e, request.body)
      return reply.code(201).send({ msgId, messages: await loadMessages(ctx, e) })
    },
  )

  app.post<{ Params: { id: string; msgId: string } }>(
    '/api/cases/:id/replies/:msgId/retry',
    { schema: { params: { type: 'object', required: ['id', 'msgId'], properties: { id: idParams.properties.id, msgId: idParams.properties.id } } } },
    async (request) => {
      const e = entry(request.params.id)
      await retryReply(ctx, e, request.params.msgId)
      return { messages: await loadMessages(ctx, e) }
    },
  )

  app.get<{ Params: { id: string; msgId: string; n: string } }>(
    '/api/cases/:id/messages/:msgId/files/:n',
    {
      schema: {
        params: { type: 'object', required: ['id', 'msgId', 'n'], properties: { id: idParams.properties.id, msgId: idParams.properties.id, n: { type: 'string', pattern: '^(0|[1-9][0-9]?)$' } } },
      },
    },
    async (request, reply: FastifyReply) => {
      const e = entry(request.params.id)
      const f = await addedFile(ctx, e, request.params.msgId, Number(request.params.n))
      return reply
        .header('Content-Security-Policy', FILE_CSP)
        .header('Content-Disposition', contentDisposition('attachment', f.name))
        .type('application/octet-stream')
        .send(f.bytes)
    },
  )

  app.get<{ Params: { id: string } }>('/api/cases/:id/notes', { schema: { params: idParams } }, async (request) => {
    const e = entry(request.params.id)
    return { notes: await notesOf(e.meta.id) }
  })

  app.post<{ Params: { id: string }; Body: { text: string } }>(
    '/api/cases/:id/notes',
    {
      schema: {
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: MAX_NOTE_TEXT } } },
      },
    },
    async (request, reply) => {
      const e = entry(request.params.id)
      const key = vault.keys.find((k) => k.kid === e.meta.header.kid) ?? vault.keys[0]
      const noteId = randomBytes(16).toString('hex')
      const sealed = sealNote(key, { schema: 'clue-report/bureau-note@1', caseId: e.meta.id, noteId, author: conn.info?.name ?? '工作站', writtenAt: new Date().toISOString(), text: request.body.text })
      await conn.client().json(`/bureau/v1/cases/${e.meta.id}/notes`, { method: 'POST', body: { id: noteId, header: sealed.header, object: sealed.object.toString('base64') } })
      e.meta.notes += 1
      return reply.code(201).send({ notes: await notesOf(e.meta.id) })
    },
  )

  app.get<{ Querystring: { case?: string } }>('/api/audit', async (request) => {
    unlocked()
    const c = typeof request.query.case === 'string' && /^[0-9a-f]{32}$/.test(request.query.case) ? request.query.case : undefined
    const body = (await conn.client().json(`/bureau/v1/audit?limit=500${c ? `&case=${c}` : ''}`)) as { entries?: unknown }
    const entries: AuditView[] = (Array.isArray(body?.entries) ? body.entries : []).slice(0, 1000).flatMap((raw) => {
      const a = raw as Record<string, unknown>
      if (!Number.isSafeInteger(a?.seq) || !Number.isSafeInteger(a.at) || typeof a.action !== 'string' || typeof a.tokenName !== 'string') return []
      return [{
        seq: a.seq as number,
        at: a.at as number,
        tokenName: a.tokenName.slice(0, 100),
        action: a.action.slice(0, 40),
        caseId: typeof a.caseId === 'string' ? a.caseId.slice(0, 32) : null,
        detail: typeof a.detail === 'string' ? a.detail.slice(0, 100) : null,
      }]
    })
    return { entries }
  })

  const stats = async () => {
    unlocked()
    await vault.settled()
    return computeStats([...vault.cases.values()].map((e) => vault.row(e)), ctx.campaign.branches)
  }
  app.get('/api/stats', async () => stats())
  app.get('/api/stats.csv', async (_request, reply) =>
    reply.type('text/csv; charset=utf-8').header('Content-Disposition', contentDisposition('attachment', '举报统计.csv')).send(statsCsv(await stats())),
  )

  app.get<{ Params: { id: string } }>('/api/cases/:id/export.zip', { schema: { params: idParams } }, async (request, reply) => {
    const input = await exportInput(request.params.id)
    return reply
      .type('application/zip')
      .header('Content-Disposition', contentDisposition('attachment', `${folderName(input.entry)}.zip`))
      .send(zipCase(input))
  })

  app.post<{ Params: { id: string }; Body: { dir?: string } }>(
    '/api/cases/:id/export',
    { schema: { params: idParams, body: { type: 'object', additionalProperties: false, properties: { dir: { type: 'string', maxLength: 1000 } } } } },
    async (request) => {
      const input = await exportInput(request.params.id)
      const dir = request.body.dir?.trim() ? request.body.dir.trim().replace(/^~(?=$|\/)/, os.homedir()) : options.exportDir
      if (!path.isAbsolute(dir)) throw new WsError(400, 'BAD_DIR', '请填写完整的文件夹路径（以 / 开头）。')
      try {
        return { folder: await writeCaseFolder(input, dir) }
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'EEXIST') throw new WsError(409, 'EXISTS', '该文件夹中已经有这条举报的导出，请换一个文件夹或先移走旧的导出。')
        throw new WsError(400, 'WRITE_FAILED', `无法写入文件夹：${(e as Error).message}`)
      }
    },
  )
}

export default casesRoutes
