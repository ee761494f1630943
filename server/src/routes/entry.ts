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
    setHeaders(res, file) {
      // Built assets carry a content hash in their name; the page itself must be revalidated.
      const immutable = /\.[0-9a-f]{8,}\.(js|css)$/.test(file) || /\/static\//.test(file)
      res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    },
  })
}

export default entryRoutes
