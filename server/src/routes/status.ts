/**
 * POST /api/v1/status: the public status of a submission, found by its receipt (in the body, never
 * in a URL). Hits and misses take the same time: scrypt always runs and the answer waits for a
 * common minimum duration. The scrypt waits its turn in a bounded queue (503 BUSY when full).
 */
import type { FastifyPluginAsync } from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiError, errorResponses } from '../errors'
import { LIMITS } from '../limits'
import { receiptBodySchema } from '../receipts'
import type { Services } from '../services'

const statusRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.post<{ Body: { receipt: string } }>(
    '/api/v1/status',
    {
      bodyLimit: LIMITS.smallBodyBytes,
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        summary: 'Status of a submission by its receipt',
        description: 'Unknown and wrong receipts get the same 404, after the same delay as a hit.',
        tags: ['status'],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        body: receiptBodySchema,
        response: {
          200: {
            type: 'object',
            required: ['status', 'changedAt'],
            properties: {
              status: { type: 'string', enum: ['received', 'reviewing', 'closed'] },
              changedAt: { type: 'string', description: 'When the status last changed (ISO 8601)' },
              note: { type: 'string', maxLength: LIMITS.maxPublicNote, description: 'Short public note from the bureau, if any' },
            },
          },
          ...errorResponses(
            'INVALID_JSON', 'EMPTY_BODY', 'UNKNOWN_FIELD', 'MISSING_FIELD', 'INVALID_FIELD', 'INVALID_RECEIPT',
            'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'RECEIPT_NOT_FOUND', 'BUSY', 'STORAGE_UNAVAILABLE',
          ),
        },
      },
    },
    async (request, reply) => {
      const started = performance.now()
      // Through the bounded hashing queue: a flood gets 503 BUSY (at once) instead of the CPU.
      const receipt = await services.receipts.digests(request.body.receipt)
      const found = await services.repository.findStatusByReceipt(receipt)
      const wait = services.statusMinMs - (performance.now() - started)
      if (wait > 0) await sleep(wait)
      reply.header('Cache-Control', 'no-store')
      if (!found) throw new ApiError('RECEIPT_NOT_FOUND', 'No submission has this receipt')
      const out: { status: string; changedAt: string; note?: string } = {
        status: found.status,
        changedAt: new Date(found.changedAt).toISOString(),
      }
      if (found.publicNote) out.note = found.publicNote
      return out
    },
  )
}

export default statusRoutes
