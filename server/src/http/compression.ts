/**
 * Compression of dynamic responses (the H5 files are compressed at build time and served by
 * routes/entry.ts). Only responses that are public and the same for everyone are compressed:
 * the campaign configuration and the API documentation, over 1 KiB, brotli or gzip.
 *
 * Never the submission, attachment, finalize or status answers, whatever their size: they carry
 * per-report values (submission ids, states, notes) next to text the client sent, and compressing
 * a secret together with attacker-chosen text lets an observer of sizes guess the secret (BREACH).
 * Request bodies are never decompressed. docs/server.md, "Compression".
 */
import compress from '@fastify/compress'
import type { FastifyInstance } from 'fastify'

/** Routes whose responses are public, identical for every client and free of reflected input. */
const PUBLIC_ROUTES = [/^\/api\/v1\/config$/, /^\/docs(\/|$)/]

export function isCompressedRoute(url: string): boolean {
  return PUBLIC_ROUTES.some((pattern) => pattern.test(url))
}

/** Call before any route is registered: routes declared later get their setting from their URL. */
export async function installCompression(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    route.compress = isCompressedRoute(route.url) ? {} : false
  })
  await app.register(compress, {
    global: false,
    globalDecompression: false,
    threshold: 1024,
    encodings: ['br', 'gzip'],
  })
}
