/**
 * Who the token is, the campaign configuration (category and branch names for the workstation),
 * and the audit log. A branch-limited token reads its own entries, and all entries of a case it
 * can see.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Campaign } from '../../campaign'
import { SUBMISSION_ID_PATTERN } from '../../routes/submissions'
import { audit, caseFor, type BureauContext } from '../auth'

export interface SessionOptions extends BureauContext {
  campaign: { current: Campaign }
}

const sessionRoutes: FastifyPluginAsync<SessionOptions> = async (app, ctx) => {
  app.get('/bureau/v1/session', async (request) => {
    const t = request.bureauToken
    return { token: { id: t.id, name: t.name, branches: t.branches, createdAt: t.createdAt }, serverTime: ctx.now() }
  })

  app.get('/bureau/v1/campaign', async () => ({ campaign: ctx.campaign.current.config }))

  app.get<{ Querystring: { case?: string; after?: string; limit?: string } }>(
    '/bureau/v1/audit',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            case: { type: 'string', pattern: SUBMISSION_ID_PATTERN },
            after: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'entries older than this seq (newest first)' },
            limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
          },
        },
      },
    },
    async (request) => {
      const q = request.query
      const token = request.bureauToken
      const caseId = q.case === undefined ? undefined : (await caseFor(ctx, request, q.case)).id
      const entries = await ctx.repository.listAudit({
        caseId,
        tokenId: caseId === undefined && token.branches.length > 0 ? token.id : undefined,
        after: q.after === undefined ? undefined : Number(q.after),
        limit: q.limit === undefined ? 200 : Math.min(1000, Math.max(1, Number(q.limit))),
      })
      await audit(ctx, request, 'audit.read', caseId ?? null)
      return { entries }
    },
  )
}

export default sessionRoutes
