/**
 * The bureau API: a Fastify instance of its own, for its own listener (main.ts), configured apart
 * from the public API and bound to loopback unless told otherwise. The public app registers none
 * of these routes, and this one none of the public ones. Every request carries a workstation token
 * (auth.ts); every action on a case is written to the audit log.
 *
 * Optional second factor: TLS with client certificates (mTLS), see docs/bureau-api.md.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { SecureContextOptions } from 'node:tls'
import { loggerOptions } from '../app'
import { errorCodeOf, errorSchema, installErrorHandlers } from '../errors'
import type { Services } from '../services'
import { installBureauAuth } from './auth'
import casesRoutes from './routes/cases'
import messagesRoutes from './routes/messages'
import notesRoutes from './routes/notes'
import sessionRoutes from './routes/session'

export interface BureauTls extends SecureContextOptions {
  /** PEM of the CA whose client certificates are accepted; when set, a client certificate is required. */
  ca?: string | Buffer
}

export interface BureauAppOptions {
  services: Services
  logLevel: string | false
  logStream?: NodeJS.WritableStream
  tls?: BureauTls
}

export async function buildBureauApp(options: BureauAppOptions): Promise<FastifyInstance> {
  const { services } = options
  const tls = options.tls
  const app = (Fastify as unknown as (o: object) => FastifyInstance)({
    logger: options.logLevel === false ? false : loggerOptions(options.logLevel, options.logStream),
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: 120_000,
    connectionTimeout: 120_000,
    bodyLimit: 64 * 1024,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    ...(tls ? { https: { ...tls, requestCert: tls.ca !== undefined, rejectUnauthorized: tls.ca !== undefined, minVersion: 'TLSv1.2' } } : {}),
  })
  app.removeContentTypeParser('text/plain')
  installErrorHandlers(app)
  app.addSchema(errorSchema)
  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff')
    reply.header('Cache-Control', 'no-store')
    reply.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
  })
  app.addHook('onResponse', async (request, reply) => {
    const code = errorCodeOf(request)
    request.log.info({ method: request.method, route: request.routeOptions.url ?? '(no route)', status: reply.statusCode, ...(code ? { code } : {}) }, 'bureau request')
  })
  const ctx = { repository: services.repository, now: services.now }
  installBureauAuth(app, ctx)
  await app.register(sessionRoutes, { ...ctx, campaign: services.campaign })
  await app.register(casesRoutes, { ...ctx, blobs: services.blobs })
  await app.register(notesRoutes, ctx)
  await app.register(messagesRoutes, { ...ctx, caseBlobs: services.caseBlobs })
  return app
}
