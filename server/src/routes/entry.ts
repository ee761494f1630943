/**
 * The H5 app at `/` (with index.html as the fallback for page loads), and `/r?b=…&c=…`, the link
 * printed in the notice's QR codes, which redirects into the app with the same preselection.
 */
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'
import fs from 'node:fs'
import path from 'node:path'

/** Hash-router path of the home page, which reads `b` (branch) and `c` (category). */
export const H5_HOME = '/#/pages/index/index'
const CODE = /^[a-z0-9]{1,16}$/

/** The redirect target for /r: only short [a-z0-9] codes are kept, and it is always local. */
export function entryLocation(query: Record<string, unknown>): string {
  const params: string[] = []
  for (const key of ['b', 'c']) {
    const value = query[key]
    if (typeof value === 'string' && CODE.test(value)) params.push(`${key}=${value}`)
  }
  return params.length ? `${H5_HOME}?${params.join('&')}` : H5_HOME
}

export function h5Available(h5Dir: string): boolean {
  return fs.existsSync(path.join(h5Dir, 'index.html'))
}

const entryRoutes: FastifyPluginAsync<{ h5Dir: string }> = async (app, { h5Dir }) => {
  app.get(
    '/r',
    {
      schema: {
        summary: 'QR code entry',
        description: 'Redirects to the H5 app with the branch (b) and category (c) preselected; invalid values are dropped.',
        tags: ['entry'],
        querystring: {
          type: 'object',
          // No types: repeated or odd values are dropped by the handler rather than refused.
          properties: { b: { description: 'Branch code, [a-z0-9]{1,16}' }, c: { description: 'Category code, [a-z0-9]{1,16}' } },
        },
        response: { 302: { description: 'Redirect into the H5 app', type: 'null' } },
      },
    },
    async (request, reply) => {
      return reply.header('Cache-Control', 'no-store').redirect(entryLocation(request.query as Record<string, unknown>), 302)
    },
  )

  if (!h5Available(h5Dir)) {
    app.log.warn(`No H5 build at ${h5Dir} (run npm run build:h5); / will answer 404`)
    return
  }
  await app.register(fastifyStatic, {
    root: h5Dir,
    prefix: '/',
    index: ['index.html'],
    cacheControl: false,
    // The build writes x.br and x.gz next to every text file (config/h5/precompress.ts): sent as
    // they are with Content-Encoding when the client accepts them, else the file itself.
    preCompressed: true,
    // The compressed copies are reached only through content negotiation, never by name.
    allowedPath: (pathname) => !COMPRESSED_COPY.test(pathname),
    setHeaders(res, file) {
      res.setHeader('Cache-Control', cacheControlOf(path.relative(h5Dir, file)))
      res.setHeader('Vary', 'Accept-Encoding')
    },
  })
}

const COMPRESSED_COPY = /\.(br|gz)$/
/** Built assets carry a content hash in their name (js/app.1a2b3c4d.js, css/app.<hash>.css). */
const HASHED_ASSET = /\.[0-9a-f]{8,}\.(js|css)$/

/**
 * Hashed assets never change: cached for a year without revalidation. Everything else —
 * index.html, sw.js (the service worker, so that a new release is seen at once) — is revalidated
 * on every use. `file` is the path sent, possibly a compressed copy (x.js.br).
 */
export function cacheControlOf(file: string): string {
  const name = file.replace(COMPRESSED_COPY, '').split(path.sep).join('/')
  return HASHED_ASSET.test(name) || name.startsWith('static/') ? 'public, max-age=31536000, immutable' : 'no-cache'
}

export default entryRoutes
