/**
 * Resumable attachment upload in the style of the tus protocol:
 *   HEAD /api/v1/submissions/:id/attachments/:n  → Upload-Offset (durable bytes), Upload-Length
 *   PUT  /api/v1/submissions/:id/attachments/:n  with Upload-Offset and an octet-stream chunk ≤ 1 MiB
 * A chunk is streamed to its file as it arrives (never held in memory) and fsynced before it is
 * acknowledged; a chunk that does not arrive whole leaves nothing behind.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Readable } from 'node:stream'
import { ApiError, errorResponses } from '../errors'
import { LIMITS } from '../limits'
import type { AttachmentDeclaration, Submission } from '../repository'
import type { Services } from '../services'
import { SUBMISSION_ID_PATTERN } from './submissions'
import { OCTET_TYPES, appendChunk, chunkResult, countUpload, offsetHeaders, offsetReply, uploadOffsetHeaderSchema } from './upload'

export { OCTET_TYPES }

const params = {
  type: 'object',
  required: ['id', 'n'],
  properties: {
    id: { type: 'string', pattern: SUBMISSION_ID_PATTERN, description: 'Submission id' },
    n: { type: 'string', pattern: '^(0|[1-9][0-9]?)$', description: 'Attachment index, 0-based' },
  },
} as const

interface Target {
  sub: Submission
  att: AttachmentDeclaration
}

const attachmentRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { repository, blobs } = services

  // Only raw bytes here (this plugin's own parsers; JSON is refused with 415). The body stays a
  // stream: the handler checks the offset first, then pipes it to the file.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(OCTET_TYPES, (_request, payload, done) => done(null, payload))

  async function target(id: string, nText: string): Promise<Target> {
    const sub = await repository.getSubmission(id, services.now())
    if (!sub) throw new ApiError('SUBMISSION_NOT_FOUND', 'No such submission')
    const att = sub.attachments[Number(nText)]
    if (!att) throw new ApiError('ATTACHMENT_NOT_FOUND', 'No such attachment')
    return { sub, att }
  }

  app.route<{ Params: { id: string; n: string } }>({
    method: 'HEAD',
    url: '/api/v1/submissions/:id/attachments/:n',
    schema: {
      summary: 'Upload offset of an attachment',
      description: 'Answers the durable offset in Upload-Offset (and the declared size in Upload-Length). Errors carry no body.',
      tags: ['attachments'],
      params,
      response: {
        200: { description: 'Upload-Offset and Upload-Length headers', headers: offsetHeaders, type: 'null' },
        ...errorResponses('SUBMISSION_NOT_FOUND', 'ATTACHMENT_NOT_FOUND', 'STORAGE_UNAVAILABLE'),
      },
    },
    handler: async (request, reply) => {
      const { sub, att } = await target(request.params.id, request.params.n)
      const offset = sub.state === 'accepted' ? att.size : await blobs.size(sub.id, att.n)
      return offsetReply(reply, offset, att.size).code(200).send()
    },
  })

  app.put<{ Params: { id: string; n: string }; Headers: { 'upload-offset': string }; Body: Readable | undefined }>(
    '/api/v1/submissions/:id/attachments/:n',
    {
      bodyLimit: LIMITS.maxChunkBytes,
      config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
      // A few uploads in flight per client, counted from the first byte of the request to its end.
      onRequest: countUpload(services.admission),
      schema: {
        summary: 'Append a chunk to an attachment',
        description:
          'Body: application/offset+octet-stream (or application/octet-stream), at most 1 MiB, written at Upload-Offset, ' +
          'which must equal the durable offset. Answered once the chunk is on disk.',
        tags: ['attachments'],
        params,
        headers: uploadOffsetHeaderSchema,
        response: {
          200: chunkResult,
          ...errorResponses(
            'SUBMISSION_NOT_FOUND', 'ATTACHMENT_NOT_FOUND', 'MISSING_UPLOAD_OFFSET', 'INVALID_UPLOAD_OFFSET',
            'OFFSET_MISMATCH', 'UPLOAD_EXCEEDS_SIZE', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'SUBMISSION_FINALIZED',
            'UPLOADS_IN_FLIGHT', 'STORAGE_FULL', 'STORAGE_UNAVAILABLE',
          ),
        },
      },
    },
    async (request, reply) => {
      const { sub, att } = await target(request.params.id, request.params.n)
      if (sub.state !== 'open') throw new ApiError('SUBMISSION_FINALIZED', 'The submission is finalized; nothing more can be uploaded')
      const next = await appendChunk(services.blobs, services.admission, { id: sub.id, n: att.n, size: att.size }, request)
      return offsetReply(reply, next, att.size).code(200).send({ offset: next, size: att.size })
    },
  )
}

export default attachmentRoutes
