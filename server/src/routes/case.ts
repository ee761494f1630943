/**
 * The case channel (docs/server.md "Case channel", docs/protocol.md §18–§21). Every route but
 * legacy-salt is authenticated by Case-Auth (server/src/case/auth.ts) and answered no sooner than
 * statusMinMs; the server stores and serves ciphertext only.
 *
 *   POST /api/v1/case                          the case: status and the message list
 *   GET  /api/v1/case/messages/:msgId          one message's header and the resident's object
 *   POST /api/v1/case/messages                 a resident message (idempotent by msgId)
 *   POST /api/v1/case/messages/:msgId/finalize once its added files are uploaded (case-uploads.ts)
 *   POST /api/v1/case/reply-key                legacy cases: register D'
 *   GET  /api/v1/case/legacy-salt              what a phone needs to open a legacy case
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { messageHold } from '../admission'
import type { CaseAuthenticator } from '../case/auth'
import { writableUntil } from '../case/limits'
import { messageRequestHash } from '../case/messages'
import { checkCaseMessage } from '../case/objects'
import { EnvelopeError, checkEpk, decodeReplyKey, kidOf } from '../envelope'
import { ApiError, errorResponses } from '../errors'
import { clientKey } from '../http/client-address'
import { LIMITS, isCiphertextSize } from '../limits'
import type { CaseMessage, CaseRecord } from '../repository'
import { caseLimitsOf, type Services } from '../services'
import {
  caseHeaderSchema, caseMessageSummary, caseMessageView, caseView, finalizedMessageView, legacySaltView, messageIdParam, noQuery,
  postedMessageView, postMessageBody, replyKeyBody, replyKeyView, type PostMessageBody,
} from './case-schemas'
import { decodeBase64 } from './submissions'
import { checkAndCommit } from './upload'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const AUTH_ERRORS = ['CASE_AUTH_REQUIRED', 'INVALID_CASE_AUTH', 'CASE_NOT_FOUND', 'AUTH_FAILURES'] as const

/** No body, or `{}`: anything else is refused precisely. */
function checkEmptyBody(body: unknown): void {
  if (body === undefined || body === null) return
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError('INVALID_FIELD', 'The body must be a JSON object', { field: '' })
  const extra = Object.keys(body)[0]
  if (extra !== undefined) throw new ApiError('UNKNOWN_FIELD', `Unknown field "${extra}" in the body`, { field: `/${extra}` })
}

/** Whether the resident may still write, and until when (closed cases). */
export function writingWindow(c: CaseRecord, services: Services): { canWrite: boolean; until: number | null } {
  const until = writableUntil(c.closedAt, caseLimitsOf(services))
  return { canWrite: c.status !== 'closed' || until === null || services.now() <= until, until }
}

/** The object a resident reads of a message: the bureau's main object, or the resident's own copy. */
export const residentObject = (m: Pick<CaseMessage, 'from'>): 'message' | 'copy' => (m.from === 'bureau' ? 'message' : 'copy')

function summary(m: CaseMessage) {
  return {
    msgId: m.msgId,
    seq: m.seq,
    from: m.from,
    at: iso(m.acceptedAt ?? m.createdAt),
    state: m.state,
    size: residentObject(m) === 'message' ? m.messageSize : m.copySize,
    attachments: m.attachments.length,
  }
}

const caseRoutes: FastifyPluginAsync<{ services: Services; auth: CaseAuthenticator }> = async (app, { services, auth }) => {
  const { repository, caseBlobs } = services
  const cases = repository.cases
  for (const schema of [caseHeaderSchema, caseMessageSummary, caseView, caseMessageView, postedMessageView]) app.addSchema(schema)

  async function posted(m: CaseMessage) {
    const attachments = await Promise.all(
      m.attachments.map(async (a) => ({ n: a.n, size: a.size, offset: m.state === 'accepted' ? a.size : await caseBlobs.size(m.msgId, a.n) })),
    )
    return { msgId: m.msgId, state: m.state, seq: m.seq, expiresAt: iso(m.expiresAt), attachments }
  }

  const noStore = (reply: FastifyReply) => reply.header('Cache-Control', 'no-store')

  app.post<{ Body: unknown }>(
    '/api/v1/case',
    {
      bodyLimit: LIMITS.smallBodyBytes,
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        summary: 'Open a case',
        description: 'Status, writing window and the message list (no content). Case-Auth header required; no body or {}.',
        tags: ['case'],
        querystring: noQuery,
        response: { 200: { $ref: 'CaseView#' }, ...errorResponses(...AUTH_ERRORS, 'INVALID_JSON', 'UNKNOWN_FIELD', 'INVALID_FIELD', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE') },
      },
    },
    async (request, reply) =>
      auth.run(request, async (c) => {
        checkEmptyBody(request.body)
        noStore(reply)
        const { canWrite, until } = writingWindow(c, services)
        const messages = await cases.listMessages(c.caseId, services.now())
        return {
          caseId: c.caseId,
          status: c.status,
          changedAt: iso(c.changedAt),
          ...(c.publicNote ? { note: c.publicNote } : {}),
          ...(c.closedAt !== null && c.status === 'closed' ? { closedAt: iso(c.closedAt), writableUntil: iso(until) } : {}),
          canWrite,
          legacy: c.kind === 'legacy',
          replyKeyKnown: c.kind === 'case' || c.replyKey !== null,
          messages: messages.map(summary),
        }
      }),
  )

  app.get<{ Params: { msgId: string } }>(
    '/api/v1/case/messages/:msgId',
    {
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        summary: 'One message of the case',
        description: "The header and the object addressed to the resident (a bureau message, or the resident's own copy), base64.",
        tags: ['case'],
        params: messageIdParam,
        querystring: noQuery,
        response: { 200: { $ref: 'CaseMessageView#' }, ...errorResponses(...AUTH_ERRORS, 'MESSAGE_NOT_FOUND') },
      },
    },
    async (request, reply) =>
      auth.run(request, async (c) => {
        const m = await cases.getMessage(c.caseId, request.params.msgId, services.now())
        const object = m && (await cases.getObject(m.msgId, residentObject(m)))
        if (!m || !object) throw new ApiError('MESSAGE_NOT_FOUND', 'No such message in this case')
        noStore(reply)
        return {
          msgId: m.msgId,
          seq: m.seq,
          from: m.from,
          at: iso(m.acceptedAt ?? m.createdAt),
          state: m.state,
          header: m.header,
          object: object.toString('base64'),
          attachments: m.attachments.map((a) => ({ n: a.n, size: a.size })),
        }
      }),
  )

  app.post<{ Body: PostMessageBody }>(
    '/api/v1/case/messages',
    {
      bodyLimit: LIMITS.caseMessageBodyBytes,
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        summary: 'Post a resident message',
        description:
          'The message for the bureau and the resident\'s copy, and the added files to upload. Idempotent by msgId: the same body again → 200; ' +
          'another body → 409. Accepted at once without files; else open until finalize.',
        tags: ['case'],
        querystring: noQuery,
        body: postMessageBody,
        response: {
          201: { description: 'Created', $ref: 'PostedCaseMessage#' },
          200: { description: 'The message posted earlier with this msgId', $ref: 'PostedCaseMessage#' },
          ...errorResponses(
            ...AUTH_ERRORS, 'INVALID_JSON', 'EMPTY_BODY', 'UNKNOWN_FIELD', 'MISSING_FIELD', 'INVALID_FIELD', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE',
            'UNSUPPORTED_HEADER_TYPE', 'UNSUPPORTED_VERSION', 'UNSUPPORTED_SUITE', 'INVALID_KID', 'UNKNOWN_KID', 'INVALID_EPK', 'INVALID_BASE64',
            'INVALID_MESSAGE_SIZE', 'MESSAGE_TOO_LARGE', 'TOO_MANY_ATTACHMENTS', 'INVALID_ATTACHMENT_SIZE', 'ATTACHMENT_TOO_LARGE', 'INVALID_CRC32',
            'CASE_MATERIAL_LIMIT', 'MESSAGE_ID_REUSED', 'CASE_CLOSED_FOR_WRITING', 'MESSAGE_QUOTA', 'REPLY_KEY_REQUIRED', 'WRONG_REPLY_KEY',
            'UNFINISHED_QUOTA', 'STORAGE_FULL',
          ),
        },
      },
    },
    async (request, reply) =>
      auth.run(request, async (c) => {
        const body = request.body
        const limits = caseLimitsOf(services)
        const now = services.now()
        if (!services.campaign.current.key(body.header.kid)) {
          throw new ApiError('UNKNOWN_KID', 'The message is encrypted to a key this server does not list', { field: '/header/kid' })
        }
        if (c.kind === 'legacy') {
          if (!c.replyKey) throw new ApiError('REPLY_KEY_REQUIRED', 'Register the reply key (POST /api/v1/case/reply-key) first')
          if (kidOf(c.replyKey) !== body.header.rkid) throw new ApiError('WRONG_REPLY_KEY', "header.rkid is not this case's reply key", { field: '/header/rkid' })
        }
        if (!decodeBase64(body.header.epk)) throw new ApiError('INVALID_BASE64', 'header.epk is not canonical base64', { field: '/header/epk' })
        const objects = checkCaseMessage(body, () => checkEpk(body.header.epk))
        let total = 0
        body.attachments.forEach((a, n) => {
          if (!isCiphertextSize(a.size, 2)) throw new ApiError('INVALID_ATTACHMENT_SIZE', `${a.size} bytes is not a valid ciphertext size`, { field: `/attachments/${n}/size` })
          total += a.size
        })
        if (total > limits.materialBytes) throw new ApiError('CASE_MATERIAL_LIMIT', 'More added material than a case may hold', { field: '/attachments' })
        const { t, v, suite, kid, rkid } = body.header
        const header = { t, v, suite, kid, rkid, epk: body.header.epk }
        const attachments = body.attachments.map((a, n) => ({ n, size: a.size, crc32: a.crc32 }))
        const requestHash = messageRequestHash(header, attachments, objects.message, objects.copy)
        // A retry of a message that arrived (its answer lost) is answered as such, whatever changed
        // since (closed, quota full), and changes nothing: no quota, no admission.
        const earlier = await cases.getMessage(c.caseId, body.msgId, now)
        if (earlier && earlier.from === 'resident' && earlier.requestHash === requestHash) {
          noStore(reply)
          return reply.code(200).send(await posted(earlier))
        }
        if (!writingWindow(c, services).canWrite) {
          throw new ApiError('CASE_CLOSED_FOR_WRITING', 'The case was closed; the time for replies and additions is over')
        }
        // Held while the message is open. Only the request that took the hold lets it go: the same
        // message posted twice at once holds it once, whichever of the two creates it.
        const held = total > 0 && (await services.admission.admitCreate(messageHold(body.msgId), clientKey(request.ip), total))
        let result
        try {
          result = await cases.createResidentMessage(
            { caseId: c.caseId, msgId: body.msgId, from: 'resident', header, message: objects.message, copy: objects.copy, attachments, requestHash },
            { messagesPerDay: limits.messagesPerDay, materialBytes: limits.materialBytes, ttlMs: limits.ttlMs },
            now,
          )
        } catch (e) {
          if (held) services.admission.release(messageHold(body.msgId))
          throw e
        }
        if (held && !('message' in result && result.message.state === 'open')) services.admission.release(messageHold(body.msgId))
        switch (result.outcome) {
          case 'conflict':
            throw new ApiError('MESSAGE_ID_REUSED', 'This msgId was used for a different message')
          case 'quota':
            reply.header('Retry-After', String(Math.ceil(result.retryAfterMs / 1000)))
            throw new ApiError('MESSAGE_QUOTA', `At most ${limits.messagesPerDay} messages per case in 24 hours`)
          case 'material':
            throw new ApiError('CASE_MATERIAL_LIMIT', 'The case holds as much added material as it may')
          default:
            noStore(reply)
            return reply.code(result.outcome === 'created' ? 201 : 200).send(await posted(result.message))
        }
      }),
  )

  app.post<{ Params: { msgId: string }; Body: unknown }>(
    '/api/v1/case/messages/:msgId/finalize',
    {
      bodyLimit: LIMITS.smallBodyBytes,
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        summary: 'Finalize a resident message',
        description: 'Checks that every added file is complete and matches its CRC-32, then accepts the message (gives it its seq). Again: the same answer.',
        tags: ['case'],
        params: messageIdParam,
        querystring: noQuery,
        response: {
          200: finalizedMessageView,
          ...errorResponses(...AUTH_ERRORS, 'INVALID_JSON', 'UNKNOWN_FIELD', 'INVALID_FIELD', 'BODY_TOO_LARGE', 'MESSAGE_NOT_FOUND', 'UPLOAD_INCOMPLETE', 'ATTACHMENT_HASH_MISMATCH', 'BUSY', 'STORAGE_FULL', 'STORAGE_UNAVAILABLE'),
        },
      },
    },
    async (request, reply) =>
      auth.run(request, async (c) => {
        checkEmptyBody(request.body)
        const { msgId } = request.params
        // One finalize of a message at a time, across every instance sharing the storage.
        const accepted = await services.locks.run(`case-message/${msgId}`, async () => {
          const m = await cases.getMessage(c.caseId, msgId, services.now())
          if (!m || m.from !== 'resident') throw new ApiError('MESSAGE_NOT_FOUND', 'No such message in this case')
          if (m.state === 'open') await checkAndCommit(caseBlobs, msgId, m.attachments)
          const done = await cases.acceptMessage(c.caseId, msgId, services.now())
          if (!done) throw new ApiError('MESSAGE_NOT_FOUND', 'No such message in this case')
          services.admission.release(messageHold(msgId))
          return done
        })
        noStore(reply)
        return { msgId, state: 'accepted', seq: accepted.seq, acceptedAt: iso(accepted.acceptedAt) }
      }),
  )

  app.post<{ Body: { replyKey: string } }>(
    '/api/v1/case/reply-key',
    {
      bodyLimit: LIMITS.smallBodyBytes,
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        summary: "Register a legacy case's reply key",
        description: "Cases made before the channel only (legacy: true), once: D' derived on the phone. The same key again → 200.",
        tags: ['case'],
        querystring: noQuery,
        body: replyKeyBody,
        response: {
          200: replyKeyView,
          ...errorResponses(...AUTH_ERRORS, 'INVALID_JSON', 'EMPTY_BODY', 'UNKNOWN_FIELD', 'MISSING_FIELD', 'INVALID_FIELD', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'INVALID_REPLY_KEY', 'REPLY_KEY_ALREADY_SET', 'NOT_A_LEGACY_CASE'),
        },
      },
    },
    async (request, reply) =>
      auth.run(request, async (c) => {
        let key: Buffer
        try {
          key = decodeReplyKey(request.body.replyKey)
        } catch (e) {
          if (e instanceof EnvelopeError) throw new ApiError('INVALID_REPLY_KEY', `replyKey: ${e.message}`, { field: '/replyKey' })
          throw e
        }
        const result = await cases.setReplyKey(c.caseId, key)
        if (result === 'not-legacy') throw new ApiError('NOT_A_LEGACY_CASE', 'This case has its reply key inside the report; nothing to register')
        if (result === 'other') throw new ApiError('REPLY_KEY_ALREADY_SET', 'Another reply key is registered for this case')
        if (result === 'not-found') throw new ApiError('CASE_NOT_FOUND', 'No case has this authenticator')
        noStore(reply)
        return { replyKeyKnown: true }
      }),
  )

  app.get(
    '/api/v1/case/legacy-salt',
    {
      schema: {
        summary: 'The salt of receipts made before the case channel',
        description: "A phone whose case is not found with A derives A' = scrypt(R, salt, 2^14, 8, 1, 64)[0..32) and tries again (docs/protocol.md §18.5).",
        tags: ['case'],
        querystring: noQuery,
        response: { 200: legacySaltView },
      },
    },
    async (_request, reply) => {
      reply.header('Cache-Control', 'public, max-age=86400')
      return { salt: services.receipts.legacySalt.toString('base64'), N: 16384, r: 8, p: 1, dkLen: 64 }
    },
  )
}

export default caseRoutes
