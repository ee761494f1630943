/**
 * The intake server as a Fastify instance composed of plugins: error handling, rate limiting,
 * OpenAPI docs, then the routes by resource. main.ts listens; tests may use it in-process.
 */
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { installCompression } from './http/compression'
import { clientKey } from './http/client-address'
import { installLingeringClose } from './http/lingering-close'
import { WindowStore } from './http/rate-store'
import { h5ScriptHashes, securityHeaders } from './http/security-headers'
import { DEFAULT_LIMITS, type OperationalLimits } from './operations'
import { errorCodeOf, errorSchema, installErrorHandlers, sendError, toApiError } from './errors'
import attachmentRoutes from './routes/attachments'
import { AuthFailures, CaseAuthenticator } from './case/auth'
import caseRoutes from './routes/case'
import caseUploadRoutes from './routes/case-uploads'
import configRoutes, { campaignConfigSchema } from './routes/config'
import entryRoutes, { h5Available } from './routes/entry'
import keysRoutes from './routes/keys'
import statusRoutes from './routes/status'
import submissionRoutes from './routes/submissions'
import { messageHold } from './admission'
import { sweep, type Services } from './services'
import { LIMITS } from './limits'

export interface AppOptions {
  services: Services
  h5Dir: string
  rateLimit: boolean
  /** Addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For is believed (server/src/http/client-address.ts). */
  trustProxy: readonly string[] | false
  /** Production: no /docs, HSTS. */
  production?: boolean
  /** Timeouts and connection caps (the rest of OperationalLimits is used by main.ts). */
  limits?: Partial<OperationalLimits>
  /** Keys the rate limiter holds per route before newcomers share one bucket (default 50,000). */
  rateLimitCapacity?: number
  /** The rate limiter's clock (tests: a window that cannot end while they run). */
  rateLimitClock?: () => number
  /** Pino level, or false for no logging at all. */
  logLevel: string | false
  /** Where logs go (default stdout). */
  logStream?: NodeJS.WritableStream
  /** How often expired submissions are swept (default 10 minutes; 0 = only at boot). */
  sweepIntervalMs?: number
}

/** Log timestamps to the second only (ISO 8601, UTC). */
export function secondTimestamp(): string {
  return `,"time":"${new Date().toISOString().slice(0, 19)}Z"`
}

/**
 * Logger options. One line per answered request (see the onResponse hook below): method, route
 * template (never a URL with a submission id or a query string), status. No address, port, host,
 * user agent or any other header, no `hostname` or `pid`, and times to the second.
 */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    base: null,
    timestamp: secondTimestamp,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (req: { method?: string }) => ({ method: req.method }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  } as FastifyServerOptions['logger']
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { services } = options
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const app = Fastify({
    logger: options.logLevel === false ? false : loggerOptions(options.logLevel, options.logStream),
    // Fastify's own request lines carry the URL; ours (onResponse below) the route template.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy === false ? false : [...options.trustProxy],
    // Slow clients: the whole request, its headers, and any silence are bounded.
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // Node checks the two timeouts above this often (its default, 30 s, would overshoot them).
      connectionsCheckingInterval: Math.max(100, Math.min(5000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    bodyLimit: LIMITS.smallBodyBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Errors raised before routing (malformed URL encoding) get the same { code, message } shape.
    frameworkErrors: (err, _request, reply) => {
      sendError(reply, toApiError(err))
    },
    ajv: {
      // Unknown fields are refused (not stripped) and types are never coerced.
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false },
    },
  })

  // Past this many open connections the listener refuses new ones at once.
  app.server.maxConnections = limits.maxConnections

  // JSON only: without this, a text/plain body would reach the schema as a string.
  app.removeContentTypeParser('text/plain')

  const indexFile = path.join(options.h5Dir, 'index.html')
  installErrorHandlers(app, (request, reply) => {
    // Page loads of unknown paths get the H5 app (its router takes over); APIs get JSON 404s.
    const accept = request.headers.accept ?? ''
    if ((request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/api/') && accept.includes('text/html')) {
      if (h5Available(options.h5Dir)) {
        return reply.code(200).type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(fs.createReadStream(indexFile) as Readable)
      }
    }
    return undefined
  })

  // An error answered before the body was read still reaches the client (no TCP reset).
  installLingeringClose(app)

  const headers = securityHeaders({ production: options.production === true, scriptHashes: h5ScriptHashes(options.h5Dir) })
  app.addHook('onSend', async (request, reply) => {
    reply.headers(headers)
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('Cache-Control', 'no-store')
  })

  // Public responses over 1 KiB (config, docs) compressed; never those carrying per-report values.
  await installCompression(app)

  // The one log line per request: route template and status, nothing about the client. Refused
  // requests (429) get none, so that a flood cannot fill the log.
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 429) return
    const code = errorCodeOf(request)
    request.log.info({ method: request.method, route: request.routeOptions.url ?? '(no route)', status: reply.statusCode, ...(code ? { code } : {}) }, 'request')
  })

  app.addSchema(errorSchema)
  app.addSchema(campaignConfigSchema)

  if (options.rateLimit) {
    // Keyed by client address, held in memory only (never written anywhere).
    const capacity = options.rateLimitCapacity
    const now = options.rateLimitClock
    await app.register(rateLimit, {
      global: true,
      max: 300,
      timeWindow: '1 minute',
      // IPv6 clients by their /64; the client's address as the trusted proxies report it.
      keyGenerator: (request) => clientKey(request.ip),
      store: class extends WindowStore {
        constructor() {
          super({ capacity, now })
        }
      },
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        code: 'RATE_LIMITED',
        message: `Too many requests; retry in ${context.after}`,
      }),
    })
  }

  if (!options.production) await registerDocs(app)

  await app.register(configRoutes, { services })
  await app.register(keysRoutes, { services })
  // One failed-authentication counter for every route that can tell whether an authenticator exists.
  const caseAuth = new CaseAuthenticator(services, new AuthFailures())
  await app.register(submissionRoutes, { services, authFailures: caseAuth.failures })
  await app.register(attachmentRoutes, { services })
  await app.register(statusRoutes, { services })
  await app.register(caseRoutes, { services, auth: caseAuth })
  await app.register(caseUploadRoutes, { services, auth: caseAuth })
  await app.register(entryRoutes, { h5Dir: options.h5Dir })

  // Expired unfinished submissions and orphaned blobs: at boot, then periodically.
  let timer: NodeJS.Timeout | undefined
  let sweeping: Promise<unknown> = Promise.resolve()
  const runSweep = () => {
    sweeping = sweep(services.repository, services.blobs, services.now(), (id) => services.admission.release(id), services.caseBlobs, services.locks)
      .then(async (r) => {
        if (r.expired || r.orphans) app.log.info(r, 'swept expired submissions')
        // What other instances finished or swept stops counting here too.
        services.admission.reconcile([...(await services.repository.listOpenSizes()), ...(await services.repository.cases.listOpenMessageSizes()).map((o) => ({ id: messageHold(o.id) }))])
      })
      .catch((err) => app.log.error({ err }, 'sweep failed'))
    return sweeping
  }
  app.decorate('sweep', runSweep)
  app.addHook('onReady', async () => {
    await runSweep()
    const every = options.sweepIntervalMs ?? 10 * 60 * 1000
    if (every > 0) timer = setInterval(runSweep, every).unref()
  })
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer)
    await sweeping
    await services.repository.close()
    await services.locks.close()
  })
  return app
}

/** The OpenAPI document and its UI at /docs (development only). */
async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Clue report intake API',
        version: '1.0.0',
        description:
          'End-to-end encrypted crime reports: the server stores ciphertext only. Errors are JSON `{ code, message }` ' +
          'with a 4xx status; `code` is stable.',
      },
      tags: [
        { name: 'config', description: 'Campaign configuration' },
        { name: 'submissions', description: 'Create and finalize submissions' },
        { name: 'attachments', description: 'Resumable attachment uploads' },
        { name: 'status', description: 'Status by receipt' },
        { name: 'case', description: 'The encrypted case channel, authenticated by Case-Auth' },
        { name: 'entry', description: 'QR code entry into the H5 app' },
      ],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs one sweep of expired submissions and orphaned blobs now. */
    sweep: () => Promise<unknown>
  }
}
