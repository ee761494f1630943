/**
 * The workstation's local web server (127.0.0.1 only). Who may talk to it:
 *  - one browser, which opened the printed URL with the one-time login secret and holds the
 *    session cookie (HttpOnly, SameSite=Strict); the secret works once;
 *  - only under the Host names 127.0.0.1:<port> / localhost:<port> (no DNS rebinding);
 *  - state-changing requests also carry the `X-Workstation: 1` header, which no other site can
 *    send without a CORS preflight this server never grants.
 * Every page has a strict Content-Security-Policy: scripts only from this origin, no inline
 * script, no plugins, no framing; styles by per-response nonce (Ant Design's CSS-in-JS).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { RemoteError, TlsFileError, type BureauClient } from '../../remote'
import type { ConnectionStore } from './connection'
import casesRoutes from './routes-cases'
import sessionRoutes from './routes-session'
import { ReplySpool } from './spool'
import { Vault } from './vault'

export const SESSION_COOKIE = 'ws_session'

/** An error for the page: a status, a stable code and a plain Chinese message. */
export class WsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface WorkstationOptions {
  /** The built page (dist/workstation). */
  webDir: string
  connection: ConnectionStore
  /** Milliseconds without activity before the keys are dropped (default 15 minutes). */
  idleMs: number
  /** Folder exports go to by default. */
  exportDir: string
  /** Where replies not yet acknowledged are kept, sealed (./spool.ts); the configuration folder. */
  stateDir: string
  /** Test hook: the bureau API client factory. */
  makeClient?: (server: string, token: string) => BureauClient
  logLevel?: string | false
}

export interface Workstation {
  app: FastifyInstance
  vault: Vault
  /** The one-time login secret (print it in the URL). */
  loginSecret: string
  /** Set once the server listens. */
  setPort(port: number): void
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

export function pageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** Files (and PDFs in the sandboxed viewer): no script, no origin, nothing loaded. */
export const FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function cookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie ?? ''
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === SESSION_COOKIE) return v.join('=')
  }
  return undefined
}

function loadWeb(dir: string): Map<string, { bytes: Buffer; type: string }> {
  const out = new Map<string, { bytes: Buffer; type: string }>()
  const walk = (d: string, prefix: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p, `${prefix}${e.name}/`)
      else if (TYPES[path.extname(e.name)] || e.name === 'index.html') out.set(`/${prefix}${e.name}`, { bytes: fs.readFileSync(p), type: TYPES[path.extname(e.name)] ?? 'text/html; charset=utf-8' })
    }
  }
  if (fs.existsSync(dir)) walk(dir, '')
  return out
}

export async function buildWorkstation(options: WorkstationOptions): Promise<Workstation> {
  const app = Fastify({ logger: options.logLevel ? { level: options.logLevel } : false, bodyLimit: 4 * 1024 * 1024 })
  const vault = new Vault()
  const loginSecret = randomBytes(32).toString('base64url')
  let loginUsed = false
  let session: string | undefined
  let port = 0
  const web = loadWeb(options.webDir)
  const index = web.get('/index.html')?.bytes.toString('utf8')

  const activity = { last: Date.now() }
  const idle = setInterval(() => {
    if (vault.unlocked && Date.now() - activity.last > options.idleMs) vault.lock()
  }, Math.max(50, Math.min(1000, options.idleMs / 4)))
  idle.unref()
  app.addHook('onClose', async () => {
    clearInterval(idle)
    vault.lock()
  })

  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host ?? ''
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return reply.code(421).type('text/plain; charset=utf-8').send('工作站只接受本机地址 127.0.0.1 的访问。')
    }
    reply.header('X-Content-Type-Options', 'nosniff')
    reply.header('Referrer-Policy', 'no-referrer')
    reply.header('Cache-Control', 'no-store')
    reply.header('Cross-Origin-Opener-Policy', 'same-origin')
    reply.header('Cross-Origin-Resource-Policy', 'same-origin')
    reply.header('X-Frame-Options', 'SAMEORIGIN')
    if (request.url.startsWith('/login')) return undefined
    const cookie = cookieOf(request)
    if (!session || !cookie || !same(cookie, session)) {
      if (request.url.startsWith('/api/')) return reply.code(401).send({ code: 'NO_SESSION', message: '请使用工作站启动时显示的登录链接打开本页面。' })
      return reply
        .code(401)
        .type('text/html; charset=utf-8')
        .header('Content-Security-Policy', "default-src 'none'")
        .send('<!doctype html><meta charset="utf-8"><title>扫黑办工作站</title><p>请使用工作站启动时在终端中显示的登录链接打开本页面。链接只能使用一次；如已失效，请重新运行 <code>npm run workstation</code>。</p>')
    }
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.headers['x-workstation'] !== '1') {
      return reply.code(403).send({ code: 'CSRF', message: '请求被拒绝。' })
    }
    // Polls of the lock state are not activity; everything else the page asks for is.
    if (request.url.startsWith('/api/') && request.url !== '/api/state') activity.last = Date.now()
    return undefined
  })

  app.get<{ Querystring: { s?: string } }>('/login', async (request, reply) => {
    const s = typeof request.query.s === 'string' ? request.query.s : ''
    if (loginUsed || !same(s, loginSecret)) {
      return reply
        .code(403)
        .type('text/html; charset=utf-8')
        .header('Content-Security-Policy', "default-src 'none'")
        .send('<!doctype html><meta charset="utf-8"><title>扫黑办工作站</title><p>登录链接无效或已经用过。请重新运行 <code>npm run workstation</code>，使用新显示的链接。</p>')
    }
    loginUsed = true
    session = randomBytes(32).toString('base64url')
    return reply
      .header('Set-Cookie', `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`)
      .redirect('/', 303)
  })

  const sendIndex = (reply: FastifyReply) => {
    if (!index) return reply.code(500).type('text/plain; charset=utf-8').send('工作站页面尚未构建：请运行 npm run build:workstation。')
    const nonce = randomBytes(16).toString('base64')
    return reply
      .type('text/html; charset=utf-8')
      .header('Content-Security-Policy', pageCsp(nonce))
      .send(index.replace(/__CSP_NONCE__/g, nonce))
  }
  app.get('/', async (_request, reply) => sendIndex(reply))
  app.get('/assets/*', async (request, reply) => {
    const file = web.get(request.url.split('?')[0])
    if (!file) return reply.code(404).send({ code: 'NOT_FOUND', message: '没有这个文件。' })
    // Vite names every file under assets/ by a hash of its content (index.html, which names them,
    // is no-store): a file never changes under its name, so the browser keeps it (and Chromium its
    // compiled code) across reloads and sessions without asking again.
    return reply.type(file.type).header('Cache-Control', 'private, max-age=31536000, immutable').send(file.bytes)
  })

  // Before the routes: a plugin takes the error handler in force when it is registered.
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ code: 'NOT_FOUND', message: '没有这个页面。' }))
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof WsError) return reply.code(err.status).send({ code: err.code, message: err.message })
    // The bureau API's errors: 502 when the server answered or could not be reached; 400 when the
    // address or token typed in is malformed (refused before any request).
    // A certificate file named in the settings that cannot be used: which field, which file (no contents).
    if (err instanceof TlsFileError) return reply.code(400).send({ code: 'TLS_FILE', message: err.zh, field: err.field })
    if (err instanceof RemoteError) return reply.code(err.status === undefined && (err.code === 'REFUSED' || err.code === 'TOKEN_INVALID') ? 400 : 502).send({ code: err.code, message: err.zh })
    const status = (err as { statusCode?: number }).statusCode
    if (status && status < 500) return reply.code(status).send({ code: 'BAD_REQUEST', message: '请求格式错误。' })
    request.log.error({ err }, 'workstation request failed')
    return reply.code(500).send({ code: 'INTERNAL', message: '工作站内部错误，请重试；如果反复出现，请重新启动工作站。' })
  })

  const ctx: WorkstationContext = { vault, options, activity, campaign: { branches: [] }, spool: new ReplySpool(path.join(options.stateDir, 'outbox')), spoolWarnings: [] }
  await app.register(sessionRoutes, ctx)
  await app.register(casesRoutes, ctx)
  return { app, vault, loginSecret, setPort: (p) => (port = p) }
}

export interface WorkstationContext {
  vault: Vault
  options: WorkstationOptions
  activity: { last: number }
  /** Branch names from the server's campaign (read at unlock). */
  campaign: { branches: { code: string; name: string }[] }
  /** Sealed replies not yet acknowledged by the server, on disk. */
  spool: ReplySpool
  /** Why kept replies could not be sent again (plain Chinese), from the last load. */
  spoolWarnings: string[]
}
