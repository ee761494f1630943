/**
 * GET /api/v1/config: the campaign configuration for the client, which keeps a bundled copy for
 * offline use and refreshes it from here (cheaply, with If-None-Match).
 */
import type { FastifyPluginAsync } from 'fastify'
import { errorResponses } from '../errors'
import type { Services } from '../services'

const nonEmpty = { type: 'string', minLength: 1 } as const

export const campaignConfigSchema = {
  $id: 'CampaignConfig',
  type: 'object',
  required: ['version', 'campaign', 'categories', 'branches', 'keys'],
  properties: {
    version: { type: 'integer' },
    campaign: {
      type: 'object',
      required: ['issuer', 'title', 'issuedOn', 'endsOn', 'acceptAfterEnd', 'source'],
      properties: {
        id: { type: 'string', description: 'Stable campaign id: part of the case KDF salt (docs/protocol.md §18.1)' },
        issuer: nonEmpty,
        title: nonEmpty,
        issuedOn: { type: 'string', description: 'YYYY-MM-DD (China Standard Time)' },
        endsOn: { type: 'string', description: 'YYYY-MM-DD, last day of the campaign' },
        acceptAfterEnd: { type: 'boolean' },
        source: nonEmpty,
      },
    },
    categories: { type: 'array', items: { type: 'string' }, description: 'Category codes, in display order' },
    branches: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'name'],
        properties: {
          code: nonEmpty,
          name: nonEmpty,
          listNumber: { type: 'string' },
          address: { type: 'string' },
          postcode: { type: 'string' },
          phone: { type: 'string' },
        },
      },
    },
    signingKey: {
      type: 'object',
      description: "The bureau's Ed25519 signing key. For information only: phones use the one built into the app, never this one",
      required: ['kid', 'publicKey'],
      properties: {
        kid: { type: 'string' },
        publicKey: { type: 'string', description: 'base64 of the 32-byte Ed25519 public key' },
        development: { type: 'boolean' },
      },
    },
    keys: {
      type: 'array',
      description: 'Bureau public keys (those of the signed key list, GET /api/v1/keys, when the server has one). Phones use only keys from a list signed by the bureau',
      items: {
        type: 'object',
        required: ['kid', 'publicKey', 'current'],
        properties: {
          kid: { type: 'string' },
          publicKey: { type: 'string', description: 'base64 of the 32-byte X25519 public key' },
          current: { type: 'boolean' },
          development: { type: 'boolean' },
        },
      },
    },
  },
} as const

const configRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/api/v1/config',
    {
      schema: {
        summary: 'Campaign configuration',
        description: 'Categories, branch offices, campaign period and the bureau public keys. Supports If-None-Match.',
        tags: ['config'],
        response: {
          200: { $ref: 'CampaignConfig#' },
          304: { description: 'Not modified (the ETag matched)', type: 'null' },
          ...errorResponses(),
        },
      },
    },
    async (request, reply) => {
      const campaign = services.campaign.current
      reply.header('ETag', campaign.etag)
      reply.header('Cache-Control', 'public, max-age=60, must-revalidate')
      const inm = request.headers['if-none-match']
      if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === campaign.etag)) {
        return reply.code(304).send()
      }
      return campaign.config
    },
  )
}

export default configRoutes
