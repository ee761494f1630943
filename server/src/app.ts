/**
 * The intake server as a Fastify instance composed of plugins: error handling, rate limiting,
 * OpenAPI docs, then the routes by resource. main.ts listens; tests may use it in-process.
 */
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { installLingeringClose } from './http/lingering-close'
import { errorSchema, installErrorHandlers, sendError, toApiError } from './errors'
import attachmentRoutes from './routes/attachments'
import configRoutes, { campaignConfigSchema } from './routes/config'
import entryRoutes, { h5Available } from './routes/entry'
import keysRoutes from './routes/keys'
import statusRoutes from './routes/status'
import submissionRoutes from './routes/submissions'
import { sweep, type Services } from './services'
import { LIMITS } from './limits'

export interface AppOptions {
  services: Services
  h5Dir: string
  rateLimit: boolean
  trustProxy: boolean | number | string
  /** Pino level, or false for no logging at all. */
  logLevel: string | false
  /** Where logs go (default stdout). */
  logStream?: NodeJS.WritableStream
  /** How often expired submissions are swept (default 10 minutes; 0 = only at boot). */
  sweepIntervalMs?: number
}

/** The query string is dropped: it may carry codes or, by client mistake, a receipt. */
function pathOnly(url: string | undefined): string {
  const u = url ?? ''
  const q = u.indexOf('?')
  return q === -1 ? u : u.slice(0, q)
}

/**
 * Logger options. Requests are logged as method, path, status and response time only: no address,
 * port, host, user agent or any other header, and no `hostname` or `pid` of the machine either.
 */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    base: null,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (req: { method?: string; url?: string }) => ({ method: req.method, url: pathOnly(req.url) }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  } as FastifyServerOptions['logger']
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { services } = options
  const app = Fastify({
    logger: options.logLevel === false ? false : loggerOptions(options.logLevel, options.logStream),
    // A hop count is valid at run time (proxy-addr), though the typings omit numbers.
    trustProxy: options.trustProxy as boolean | string,
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

  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff')
    reply.header('Referrer-Policy', 'no-referrer')
    reply.header('X-Frame-Options', 'DENY')
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('Cache-Control', 'no-store')
  })

  app.addSchema(errorSchema)
  app.addSchema(campaignConfigSchema)

  if (options.rateLimit) {
    // Keyed by client address, held in memory only (never written anywhere).
    await app.register(rateLimit, {
      global: true,
      max: 300,
      timeWindow: '1 minute',
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        code: 'RATE_LIMITED',
        message: `Too many requests; retry in ${context.after}`,
      }),
    })
  }

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
        { name: 'entry', description: 'QR code entry into the H5 app' },
      ],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  await app.register(configRoutes, { services })
  await app.register(keysRoutes, { services })
  await app.register(submissionRoutes, { services })
  await app.register(attachmentRoutes, { services })
  await app.register(statusRoutes, { services })
  await app.register(entryRoutes, { h5Dir: options.h5Dir })

  // Expired unfinished submissions and orphaned blobs: at boot, then periodically.
  let timer: NodeJS.Timeout | undefined
  let sweeping: Promise<unknown> = Promise.resolve()
  const runSweep = () => {
    sweeping = sweep(services.repository, services.blobs, services.now())
      .then((r) => {
        if (r.expired || r.orphans) app.log.info(r, 'swept expired submissions')
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
  })
  return app
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs one sweep of expired submissions and orphaned blobs now. */
    sweep: () => Promise<unknown>
  }
}
