/**
 * Resumable upload of a resident message's added files, exactly as submission attachments
 * (routes/upload.ts), authenticated by Case-Auth:
 *   HEAD /api/v1/case/messages/:msgId/attachments/:n  → Upload-Offset, Upload-Length
 *   PUT  /api/v1/case/messages/:msgId/attachments/:n  Upload-Offset + an octet-stream chunk ≤ 1 MiB
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Readable } from 'node:stream'
import type { CaseAuthenticator } from '../case/auth'
import { ApiError, errorResponses } from '../errors'
import { LIMITS } from '../limits'
import type { CaseAttachment, CaseMessage, CaseRecord } from '../repository'
import type { Services } from '../services'
import { messageAttachmentParams } from './case-schemas'
import { OCTET_TYPES, appendChunk, chunkResult, countUpload, offsetHeaders, offsetReply, uploadOffsetHeaderSchema } from './upload'

const AUTH_ERRORS = ['CASE_AUTH_REQUIRED', 'INVALID_CASE_AUTH', 'CASE_NOT_FOUND', 'AUTH_FAILURES'] as const

const caseUploadRoutes: FastifyPluginAsync<{ services: Services; auth: CaseAuthenticator }> = async (app, { services, auth }) => {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(OCTET_TYPES, (_request, payload, done) => done(null, payload))

  async function target(c: CaseRecord, msgId: string, nText: string): Promise<{ m: CaseMessage; att: CaseAttachment }> {
    const m = await services.repository.cases.getMessage(c.caseId, msgId, services.now())
    if (!m || m.from !== 'resident') throw new ApiError('MESSAGE_NOT_FOUND', 'No such message in this case')
    const att = m.attachments[Number(nText)]
    if (!att) throw new ApiError('ATTACHMENT_NOT_FOUND', 'No such added file')
    return { m, att }
  }

  app.route<{ Params: { msgId: string; n: string } }>({
    method: 'HEAD',
    url: '/api/v1/case/messages/:msgId/attachments/:n',
    config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
    schema: {
      summary: 'Upload offset of an added file',
      description: 'Answers the durable offset in Upload-Offset (and the declared size in Upload-Length). Errors carry no body.',
      tags: ['case'],
      params: messageAttachmentParams,
      response: {
        200: { description: 'Upload-Offset and Upload-Length headers', headers: offsetHeaders, type: 'null' },
        ...errorResponses(...AUTH_ERRORS, 'MESSAGE_NOT_FOUND', 'ATTACHMENT_NOT_FOUND'),
      },
    },
    handler: async (request, reply) =>
      auth.run(request, async (c) => {
        const { m, att } = await target(c, request.params.msgId, request.params.n)
        const offset = m.state === 'accepted' ? att.size : await services.caseBlobs.size(m.msgId, att.n)
        return offsetReply(reply, offset, att.size).code(200).send()
      }),
  })

  app.put<{ Params: { msgId: string; n: string }; Headers: { 'upload-offset': string }; Body: Readable | undefined }>(
    '/api/v1/case/messages/:msgId/attachments/:n',
    {
      bodyLimit: LIMITS.maxChunkBytes,
      config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
      onRequest: countUpload(services.admission),
      schema: {
        summary: 'Append a chunk to an added file',
        description: 'As PUT /api/v1/submissions/:id/attachments/:n: at most 1 MiB at Upload-Offset, answered once the chunk is on disk.',
        tags: ['case'],
        params: messageAttachmentParams,
        headers: uploadOffsetHeaderSchema,
        response: {
          200: chunkResult,
          ...errorResponses(
            ...AUTH_ERRORS, 'MESSAGE_NOT_FOUND', 'ATTACHMENT_NOT_FOUND', 'MISSING_UPLOAD_OFFSET', 'INVALID_UPLOAD_OFFSET', 'OFFSET_MISMATCH',
            'UPLOAD_EXCEEDS_SIZE', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'MESSAGE_FINALIZED', 'UPLOADS_IN_FLIGHT', 'STORAGE_FULL',
          ),
        },
      },
    },
    async (request, reply) =>
      auth.run(request, async (c) => {
        const { m, att } = await target(c, request.params.msgId, request.params.n)
        if (m.state !== 'open') throw new ApiError('MESSAGE_FINALIZED', 'The message is finalized; nothing more can be uploaded')
        const next = await appendChunk(services.caseBlobs, services.admission, { id: m.msgId, n: att.n, size: att.size }, request)
        return offsetReply(reply, next, att.size).code(200).send({ offset: next, size: att.size })
      }),
  )
}

export default caseUploadRoutes
