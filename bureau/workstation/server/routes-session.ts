/**
 * Connection settings, unlock and lock. The key file's text and the passphrase arrive from the
 * page over loopback; the key is opened here (the existing decryptor) and lives only in the Vault.
 */
import type { FastifyPluginAsync } from 'fastify'
import { decodePrivateKeyFile, EnvelopeError, type BureauKeyPair } from '../../../server/src/envelope'
import { CATEGORIES } from '../../../src/domain/categories'
import { RemoteError } from '../../remote'
import type { SessionState } from '../shared/types'
import { WsError, type WorkstationContext } from './app'
import { resendSpooled } from './messages'

export interface BranchName {
  code: string
  name: string
}

/** Branch names from the server's campaign configuration (hostile: only bounded strings kept). */
export async function loadBranches(ctx: WorkstationContext): Promise<BranchName[]> {
  const body = (await ctx.options.connection.client().json('/bureau/v1/campaign')) as { campaign?: { branches?: unknown } }
  const list = Array.isArray(body?.campaign?.branches) ? body.campaign.branches : []
  return list
    .slice(0, 100)
    .map((b) => b as { code?: unknown; name?: unknown; address?: unknown; phone?: unknown; postcode?: unknown; listNumber?: unknown })
    .filter((b) => typeof b.code === 'string' && /^[a-z0-9_-]{1,32}$/.test(b.code) && typeof b.name === 'string')
    .map((b) => ({ code: b.code as string, name: (b.name as string).slice(0, 100) }))
}

const sessionRoutes: FastifyPluginAsync<WorkstationContext> = async (app, ctx) => {
  const { vault, options } = ctx
  const conn = options.connection

  app.get('/api/state', async (): Promise<SessionState> => ({
    configured: conn.configured,
    server: conn.server,
    tls: conn.tls,
    tokenName: conn.info?.name,
    branches: conn.info?.branches,
    unlocked: vault.unlocked,
    kids: vault.keys.map((k) => k.kid),
    idleMs: options.idleMs,
    ...(conn.lastError ? { connectionError: conn.lastError } : {}),
  }))

  app.post('/api/activity', async () => ({ ok: true }))

  app.post<{ Body: { server: string; token: string; ca?: string; clientCert?: string; clientKey?: string } }>(
    '/api/setup',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['server', 'token'],
          properties: {
            server: { type: 'string', maxLength: 300 },
            token: { type: 'string', maxLength: 200 },
            ca: { type: 'string', maxLength: 1000 },
            clientCert: { type: 'string', maxLength: 1000 },
            clientKey: { type: 'string', maxLength: 1000 },
          },
        },
      },
    },
    async (request) => {
      const { server, token, ...tls } = request.body
      const info = await conn.configure(server, token, tls)
      return { tokenName: info.name, branches: info.branches }
    },
  )

  app.post<{ Body: { keyFiles: string[]; passphrase: string } }>(
    '/api/unlock',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['keyFiles', 'passphrase'],
          properties: {
            keyFiles: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', maxLength: 64 * 1024 } },
            passphrase: { type: 'string', maxLength: 1024 },
          },
        },
      },
    },
    async (request) => {
      if (!conn.configured) throw new WsError(409, 'NOT_CONFIGURED', '请先填写服务器地址和工作站令牌。')
      const keys: BureauKeyPair[] = []
      for (const [i, text] of request.body.keyFiles.entries()) {
        try {
          const key = await decodePrivateKeyFile(text, request.body.passphrase)
          if (!keys.some((k) => k.kid === key.kid)) keys.push(key)
        } catch (e) {
          if (e instanceof EnvelopeError && e.code === 'BAD_PASSPHRASE') {
            throw new WsError(400, 'WRONG_PASSPHRASE', `口令不正确，无法打开${request.body.keyFiles.length > 1 ? `第 ${i + 1} 个` : ''}私钥文件。请重新输入（注意大小写和输入法）。`)
          }
          if (e instanceof EnvelopeError) throw new WsError(400, 'BAD_KEY_FILE', '这不是扫黑办的私钥文件（bureau-<编号>.key.json），请检查是否选错了文件。')
          throw e
        }
      }
      vault.unlock(keys)
      try {
        await conn.check()
        ctx.campaign.branches = await loadBranches(ctx)
        await vault.load(conn.client())
        ctx.spoolWarnings = await resendSpooled(ctx)
      } catch (e) {
        if (e instanceof RemoteError) {
          vault.loadError = e.zh
          return { unlocked: true, kids: keys.map((k) => k.kid), error: e.zh, code: e.code }
        }
        throw e
      }
      return { unlocked: true, kids: keys.map((k) => k.kid), cases: vault.cases.size }
    },
  )

  app.post('/api/lock', async () => {
    vault.lock()
    return { unlocked: false }
  })

  app.post('/api/reload', async () => {
    if (!vault.unlocked) throw new WsError(423, 'LOCKED', '工作站已锁定，请重新解锁。')
    try {
      await conn.check()
      ctx.campaign.branches = await loadBranches(ctx)
      await vault.load(conn.client())
      ctx.spoolWarnings = await resendSpooled(ctx)
    } catch (e) {
      if (e instanceof RemoteError) vault.loadError = e.zh
      throw e
    }
    return { cases: vault.cases.size }
  })

  app.get('/api/campaign', async () => ({
    branches: ctx.campaign.branches,
    categories: CATEGORIES.map((c) => ({ code: c.code, name: `${c.ordinal}${c.name}` })),
  }))
}

export default sessionRoutes
