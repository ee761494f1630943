/**
 * Authentication of every bureau API request by its workstation token, and the audit log entry
 * each action writes. A token limited to branches sees only cases declared for those branches;
 * any other case is answered exactly like a missing one (CASE_NOT_FOUND).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../errors'
import type { AuditAction, BureauToken, Repository, Submission } from '../repository'
import { bearerToken, hashTokenSecret } from './tokens'

declare module 'fastify' {
  interface FastifyRequest {
    bureauToken: BureauToken
  }
}

export interface BureauContext {
  repository: Repository
  now: () => number
}

/** Whether the token may see this submission (accepted, and in its branches when limited). */
export function visibleTo(token: BureauToken, s: Submission | undefined): s is Submission {
  if (!s || s.state !== 'accepted') return false
  return token.branches.length === 0 || (s.branch !== null && token.branches.includes(s.branch))
}

/** The accepted submission, or CASE_NOT_FOUND when absent, unfinished or outside the token's branches. */
export async function caseFor(ctx: BureauContext, request: FastifyRequest, id: string): Promise<Submission> {
  const s = await ctx.repository.getSubmission(id)
  if (!visibleTo(request.bureauToken, s)) throw new ApiError('CASE_NOT_FOUND', 'No such case for this token')
  return s
}

export async function audit(ctx: BureauContext, request: FastifyRequest, action: AuditAction, caseId: string | null = null, detail: string | null = null): Promise<void> {
  const t = request.bureauToken
  await ctx.repository.appendAudit({ at: ctx.now(), tokenId: t.id, tokenName: t.name, action, caseId, detail })
}

/** The same action on many cases, one entry each, written in one transaction. */
export async function auditMany(ctx: BureauContext, request: FastifyRequest, action: AuditAction, caseIds: string[]): Promise<void> {
  const t = request.bureauToken
  const at = ctx.now()
  await ctx.repository.appendAuditMany(caseIds.map((caseId) => ({ at, tokenId: t.id, tokenName: t.name, action, caseId, detail: null })))
}

async function authenticate(ctx: BureauContext, request: FastifyRequest): Promise<void> {
  const secret = bearerToken(request.headers.authorization)
  if (secret === undefined) throw new ApiError('TOKEN_MISSING', 'Send the workstation token as "Authorization: Bearer cw1_…"')
  if (secret === null) throw new ApiError('TOKEN_INVALID', 'The workstation token is malformed')
  // Looked up by its SHA-256 (an index on a hash of a 256-bit secret: timing reveals nothing usable).
  const token = await ctx.repository.findToken(hashTokenSecret(secret))
  if (!token) throw new ApiError('TOKEN_INVALID', 'Unknown workstation token')
  if (token.revokedAt !== null) throw new ApiError('TOKEN_REVOKED', 'This workstation token was revoked')
  request.bureauToken = token
  await ctx.repository.touchToken(token.id, ctx.now())
}

/** Installs the token check on every route of the bureau app (called on the root instance). */
export function installBureauAuth(app: FastifyInstance, ctx: BureauContext): void {
  app.decorateRequest('bureauToken', null as unknown as BureauToken)
  app.addHook('onRequest', async (request) => {
    await authenticate(ctx, request)
  })
}
