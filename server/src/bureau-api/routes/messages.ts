/**
 * The case channel for the workstation (issue 14 behind the bureau API): a case's messages as
 * headers and ciphertext references, each message's object (the resident's message, or the
 * bureau's own copy of a reply) and a resident message's added files as ciphertext (ranges), a
 * reply posted as ciphertext sealed on the workstation (idempotent by msgId, the same repository
 * method as `bureau reply`), and read marks. The server reads none of it.
 */
import type { FastifyPluginAsync } from 'fastify'
import { Readable } from 'node:stream'
import { bureauReplyRecord } from '../../case/messages'
import { checkCaseMessage } from '../../case/objects'
import { checkEpk, parseCaseHeader, type CaseMessageHeader } from '../../envelope'
import { ApiError, errorResponses } from '../../errors'
import { LIMITS } from '../../limits'
import type { BlobStore } from '../../blobstore'
import type { CaseMessage } from '../../repository'
import { caseHeaderSchema, MESSAGE_ID_PATTERN } from '../../routes/case-schemas'
import { SUBMISSION_ID_PATTERN } from '../../routes/submissions'
import { audit, caseFor, type BureauContext } from '../auth'
import { sendObject } from './cases'

export interface MessagesOptions extends BureauContext {
  caseBlobs: BlobStore
}

const TOKEN_ERRORS = ['TOKEN_MISSING', 'TOKEN_INVALID', 'TOKEN_REVOKED'] as const
const { $id: _omit, ...headerSchema } = caseHeaderSchema
const caseId = { type: 'string', pattern: SUBMISSION_ID_PATTERN } as const
const msgId = { type: 'string', pattern: MESSAGE_ID_PATTERN } as const
const caseParams = { type: 'object', required: ['id'], properties: { id: caseId } } as const
const messageParams = { type: 'object', required: ['id', 'msgId'], properties: { id: caseId, msgId } } as const

const messageMeta = {
  type: 'object',
  required: ['msgId', 'from', 'seq', 'header', 'createdAt', 'acceptedAt', 'readAt', 'size', 'attachments'],
  properties: {
    msgId: { type: 'string' },
    from: { type: 'string', enum: ['resident', 'bureau'] },
    seq: { type: 'integer', description: "The server's order in the case, from 1" },
    header: headerSchema,
    createdAt: { type: 'integer' },
    acceptedAt: { type: ['integer', 'null'] },
    readAt: { type: ['integer', 'null'], description: 'Resident messages: when the bureau marked it read' },
    size: { type: 'integer', description: 'Bytes of the object addressed to the bureau (GET …/object): the message, or the copy of a reply' },
    attachments: { type: 'array', items: { type: 'object', required: ['n', 'size'], properties: { n: { type: 'integer' }, size: { type: 'integer' } } } },
  },
} as const

function meta(m: CaseMessage) {
  return {
    msgId: m.msgId,
    from: m.from,
    seq: m.seq,
    header: m.header,
    createdAt: m.createdAt,
    acceptedAt: m.acceptedAt,
    readAt: m.readAt,
    size: m.from === 'resident' ? m.messageSize : m.copySize,
    attachments: m.attachments.map((a) => ({ n: a.n, size: a.size })),
  }
}

interface ReplyBody {
  msgId: string
  header: CaseMessage['header']
  message: string
  copy: string
}

const maxObjectBase64 = Math.ceil((LIMITS.maxCaseObjectBytes + 4096) / 3) * 4

const messagesRoutes: FastifyPluginAsync<MessagesOptions> = async (app, ctx) => {
  /** An accepted message of this case (open ones are unfinished uploads: not the bureau's yet). */
  const messageOf = async (caseIdValue: string, id: string): Promise<CaseMessage> => {
    const m = await ctx.repository.cases.getMessage(caseIdValue, id, ctx.now())
    if (!m || m.state !== 'accepted') throw new ApiError('MESSAGE_NOT_FOUND', `Case ${caseIdValue} has no message ${id}`)
    return m
  }

  app.get<{ Params: { id: string } }>(
    '/bureau/v1/cases/:id/messages',
    {
      schema: {
        summary: "A case's accepted messages in seq order: headers and sizes, no content",
        params: caseParams,
        response: {
          200: {
            type: 'object',
            required: ['messages', 'replyKey'],
            properties: {
              messages: { type: 'array', items: messageMeta },
              replyKey: {
                type: ['string', 'null'],
                description: "The reply key D' the resident's app registered for a legacy case (base64), or null. The server's word, NOT bound to the report: a client uses it only when the report holds no replyKey, and only after its user accepts the risk (docs/protocol.md §18)",
              },
            },
          },
          ...errorResponses('CASE_NOT_FOUND', 'INVALID_FIELD', ...TOKEN_ERRORS),
        },
      },
    },
    async (request) => {
      const s = await caseFor(ctx, request, request.params.id)
      const all = (await ctx.repository.cases.listMessages(s.id, ctx.now())).filter((m) => m.state === 'accepted')
      const record = await ctx.repository.cases.getCase(s.id)
      await audit(ctx, request, 'case.messages', s.id, String(all.length))
      return { messages: all.map(meta), replyKey: record?.replyKey && record.replyKey.length === 32 ? record.replyKey.toString('base64') : null }
    },
  )

  app.get<{ Params: { id: string; msgId: string } }>(
    '/bureau/v1/cases/:id/messages/:msgId/object',
    { schema: { summary: 'The object addressed to the bureau (ranges)', params: messageParams, response: errorResponses('CASE_NOT_FOUND', 'MESSAGE_NOT_FOUND', 'RANGE_NOT_SATISFIABLE', 'INVALID_FIELD', ...TOKEN_ERRORS) } },
    async (request, reply) => {
      const s = await caseFor(ctx, request, request.params.id)
      const m = await messageOf(s.id, request.params.msgId)
      const object = await ctx.repository.cases.getObject(m.msgId, m.from === 'resident' ? 'message' : 'copy')
      if (!object) throw new ApiError('MESSAGE_NOT_FOUND', 'The message object is missing')
      if (!request.headers.range || /^bytes=0-/.test(request.headers.range)) await audit(ctx, request, 'case.messages', s.id, `object ${m.msgId}`)
      return sendObject(reply, object.length, request.headers.range, async (r) => Readable.from([r ? object.subarray(r.start, r.end + 1) : object]))
    },
  )

  app.get<{ Params: { id: string; msgId: string; n: string } }>(
    '/bureau/v1/cases/:id/messages/:msgId/attachments/:n',
    {
      schema: {
        summary: "An added file's ciphertext (ranges)",
        params: { type: 'object', required: ['id', 'msgId', 'n'], properties: { id: caseId, msgId, n: { type: 'string', pattern: '^(0|[1-9][0-9]?)$' } } },
        response: errorResponses('CASE_NOT_FOUND', 'MESSAGE_NOT_FOUND', 'ATTACHMENT_NOT_FOUND', 'RANGE_NOT_SATISFIABLE', 'INVALID_FIELD', ...TOKEN_ERRORS),
      },
    },
    async (request, reply) => {
      const s = await caseFor(ctx, request, request.params.id)
      const m = await messageOf(s.id, request.params.msgId)
      const n = Number(request.params.n)
      const declared = m.attachments.find((a) => a.n === n)
      if (!declared) throw new ApiError('ATTACHMENT_NOT_FOUND', `Message ${m.msgId} has no file ${n}`)
      const size = await ctx.caseBlobs.size(m.msgId, n).catch(() => 0)
      if (size !== declared.size) throw new ApiError('ATTACHMENT_NOT_FOUND', `File ${n} is missing or incomplete on the server`)
      if (!request.headers.range || /^bytes=0-/.test(request.headers.range)) await audit(ctx, request, 'case.attachment', s.id, `${m.msgId}/${n}`)
      return sendObject(reply, size, request.headers.range, (r) => ctx.caseBlobs.openRead(m.msgId, n, r))
    },
  )

  app.post<{ Params: { id: string }; Body: ReplyBody }>(
    '/bureau/v1/cases/:id/messages',
    {
      bodyLimit: 2 * maxObjectBase64 + 4096,
      schema: {
        summary: 'A reply sealed on the workstation (docs/protocol.md §20); idempotent by msgId',
        params: caseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['msgId', 'header', 'message', 'copy'],
          properties: {
            msgId: { ...msgId, description: 'chosen by the workstation (random): also the idempotency key' },
            header: headerSchema,
            message: { type: 'string', maxLength: maxObjectBase64, description: 'base64, addressed to the reply key D' },
            copy: { type: 'string', maxLength: maxObjectBase64, description: "base64, the bureau's copy (addressed to B)" },
          },
        },
        response: {
          200: { type: 'object', required: ['message'], properties: { message: messageMeta }, description: 'the same reply again' },
          201: { type: 'object', required: ['message'], properties: { message: messageMeta } },
          ...errorResponses('CASE_NOT_FOUND', 'INVALID_BASE64', 'INVALID_EPK', 'MESSAGE_TOO_LARGE', 'INVALID_MESSAGE_SIZE', 'MESSAGE_ID_REUSED', 'INVALID_FIELD', 'UNKNOWN_FIELD', 'MISSING_FIELD', ...TOKEN_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const s = await caseFor(ctx, request, request.params.id)
      const body = request.body
      const sealed = checkCaseMessage(body, (): CaseMessageHeader => {
        const header = parseCaseHeader(body.header)
        checkEpk(body.header.epk)
        return header
      })
      const record = bureauReplyRecord(s.id, body.msgId, sealed)
      const result = await ctx.repository.cases.postBureauMessage(record, ctx.now())
      if (result.outcome === 'created') {
        await audit(ctx, request, 'case.reply', s.id, body.msgId)
        return reply.code(201).send({ message: meta(result.message) })
      }
      if (result.outcome === 'existing') return reply.code(200).send({ message: meta(result.message) })
      throw new ApiError('MESSAGE_ID_REUSED', 'This msgId was used for another message')
    },
  )

  app.post<{ Params: { id: string }; Body: { upToSeq?: number } }>(
    '/bureau/v1/cases/:id/messages/read',
    {
      schema: {
        summary: "Marks the case's resident messages read (up to seq, or all)",
        params: caseParams,
        body: { type: 'object', additionalProperties: false, properties: { upToSeq: { type: 'integer', minimum: 1, maximum: 1_000_000 } } },
        response: { 200: { type: 'object', required: ['marked'], properties: { marked: { type: 'integer' } } }, ...errorResponses('CASE_NOT_FOUND', 'INVALID_FIELD', 'UNKNOWN_FIELD', ...TOKEN_ERRORS) },
      },
    },
    async (request) => {
      const s = await caseFor(ctx, request, request.params.id)
      const marked = await ctx.repository.cases.markRead(s.id, ctx.now(), request.body?.upToSeq)
      await audit(ctx, request, 'case.read', s.id, `messages ${marked}`)
      return { marked }
    },
  )
}

export default messagesRoutes
