/**
 * GET /api/v1/keys: the bureau's signed key list (docs/protocol.md §15), byte for byte as
 * `npm run bureau -- sign-keys` wrote it. The server cannot change it without breaking the
 * signature that phones check against the signing key built into the app.
 */
import type { FastifyPluginAsync } from 'fastify'
import { ApiError, errorResponses } from '../errors'
import type { Services } from '../services'

const keysRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/api/v1/keys',
    {
      schema: {
        summary: 'Signed key list',
        description:
          'The encryption keys phones may use, signed offline by the bureau (format clue-report/key-list@1). ' +
          'Served exactly as signed; supports If-None-Match. 404 KEY_LIST_NOT_CONFIGURED when the server has none (development).',
        tags: ['config'],
        response: {
          200: { description: 'The signed key list (JSON, bytes as signed)', type: 'string' },
          304: { description: 'Not modified (the ETag matched)', type: 'null' },
          ...errorResponses('KEY_LIST_NOT_CONFIGURED'),
        },
      },
    },
    async (request, reply) => {
      const served = services.campaign.current.keyList
      if (!served) throw new ApiError('KEY_LIST_NOT_CONFIGURED', 'This server has no signed key list; phones keep the keys built into the app')
      reply.header('ETag', served.etag)
      // Revalidated on every use (a 304 is cheap): after a rotation, phones must see the new list at once.
      reply.header('Cache-Control', 'no-cache')
      const inm = request.headers['if-none-match']
      if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === served.etag)) {
        return reply.code(304).send()
      }
      // Bytes, not a re-serialized object: what was signed is what is served.
      return reply.type('application/json; charset=utf-8').send(served.body)
    },
  )
}

export default keysRoutes
