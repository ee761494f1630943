/**
 * Compression over real HTTP: the H5 build's precompressed copies (Content-Encoding, Vary, the
 * same bytes once decoded, cache headers), public API responses compressed on the fly, and the
 * responses that reflect client text never compressed (BREACH).
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import zlib from 'node:zlib'
import { precompressDir } from '../../config/h5/precompress'
import { cacheControlOf } from '../../server/src/routes/entry'
import { isCompressedRoute } from '../../server/src/http/compression'
import { makeBureauKey, makeTestEnv, seal, startServer, submissionBody, type RunningServer, type TestEnv } from './helpers'

let env: TestEnv
let server: RunningServer
const SCRIPT = `/* app */ ${'window.report = function report(category) { return category + "：举报线索"; };\n'.repeat(200)}`

beforeAll(async () => {
  // Extra (not current) keys, as after rotations, so the configuration is over the 1 KiB threshold.
  env = makeTestEnv((campaign) => {
    for (let i = 0; i < 4; i++) {
      const key = makeBureauKey()
      campaign.keys.push({ kid: key.kid, publicKey: Buffer.from(key.publicKey).toString('base64'), current: false })
    }
  })
  fs.writeFileSync(path.join(env.h5Dir, 'js', 'app.0123abcd.js'), SCRIPT)
  precompressDir(env.h5Dir)
  server = await startServer(env)
})
afterAll(async () => {
  await server?.stop()
  env?.cleanup()
})

interface Raw {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

function raw(urlPath: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${urlPath}`, { method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

function decode(res: Raw): Buffer {
  const encoding = res.headers['content-encoding']
  if (encoding === 'br') return zlib.brotliDecompressSync(res.body)
  if (encoding === 'gzip') return zlib.gunzipSync(res.body)
  if (encoding === undefined) return res.body
  throw new Error(`unexpected encoding ${encoding}`)
}

describe('the H5 build', () => {
  test.each([
    ['br, gzip', 'br'],
    ['gzip, deflate', 'gzip'],
    ['gzip;q=0.5, br;q=1', 'br'],
    ['identity', undefined],
    ['', undefined],
  ])('Accept-Encoding "%s" → %s, decoding to the bytes of the file', async (accept, expected) => {
    const file = fs.readFileSync(path.join(env.h5Dir, 'js', 'app.0123abcd.js'))
    const res = await raw('/js/app.0123abcd.js', accept ? { 'accept-encoding': accept } : {})
    expect(res.status).toBe(200)
    expect(res.headers['content-encoding']).toBe(expected)
    expect(res.headers.vary).toMatch(/accept-encoding/i)
    expect(res.headers['content-type']).toMatch(/javascript/)
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    if (expected) expect(res.body.length).toBeLessThan(file.length / 5)
    expect(decode(res).equals(file)).toBe(true)
  })

  test('index.html is compressed too and always revalidated', async () => {
    const res = await raw('/', { 'accept-encoding': 'br' })
    expect(res.headers['content-encoding']).toBe('br')
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(decode(res).equals(fs.readFileSync(path.join(env.h5Dir, 'index.html')))).toBe(true)
  })

  test('the compressed copies are not reachable by name', async () => {
    expect((await raw('/js/app.0123abcd.js.br')).status).toBe(404)
    expect((await raw('/js/app.0123abcd.js.gz')).status).toBe(404)
  })

  test.each([
    ['js/app.0123abcd.js', 'public, max-age=31536000, immutable'],
    ['js/app.0123abcd.js.br', 'public, max-age=31536000, immutable'],
    ['css/app.0123abcd4567ef89.css.gz', 'public, max-age=31536000, immutable'],
    ['js/149.ba44e20f.js', 'public, max-age=31536000, immutable'],
    ['index.html', 'no-cache'],
    ['index.html.br', 'no-cache'],
    ['sw.js', 'no-cache'],
    ['sw.js.br', 'no-cache'],
    ['js/app.js', 'no-cache'],
  ])('Cache-Control of %s: %s', (file, expected) => {
    expect(cacheControlOf(file)).toBe(expected)
  })
})

describe('API responses', () => {
  test('the campaign configuration (public, the same for everyone) is compressed over 1 KiB', async () => {
    const plain = await raw('/api/v1/config')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.length).toBeGreaterThan(1024)
    for (const [accept, encoding] of [['br', 'br'], ['gzip', 'gzip']]) {
      const res = await raw('/api/v1/config', { 'accept-encoding': accept })
      expect(res.headers['content-encoding']).toBe(encoding)
      expect(res.headers.vary).toMatch(/accept-encoding/i)
      expect(res.body.length).toBeLessThan(plain.body.length)
      expect(JSON.parse(decode(res).toString('utf8'))).toEqual(JSON.parse(plain.body.toString('utf8')))
    }
  })

  test('an answer that reflects client text is never compressed, however large (BREACH)', async () => {
    // The error names the unknown field the client sent, twice: over 1 KiB of attacker-chosen text.
    const field = 'x'.repeat(800)
    const res = await raw('/api/v1/submissions', { 'accept-encoding': 'br, gzip', 'content-type': 'application/json' }, 'POST', JSON.stringify({ ...submissionBody(seal(env.key, { x: 1 }, [])), [field]: 1 }))
    expect(res.status).toBe(400)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.body.length).toBeGreaterThan(1024)
    expect(res.body.toString('utf8')).toContain(field)
  })

  test.each([
    ['/api/v1/config', true],
    ['/docs', true],
    ['/docs/json', true],
    ['/docs/static/*', true],
    ['/api/v1/submissions', false],
    ['/api/v1/submissions/:id/finalize', false],
    ['/api/v1/submissions/:id/attachments/:n', false],
    ['/api/v1/status', false],
    ['/api/v1/configuration', false],
    ['/r', false],
    ['/*', false],
  ])('route %s compressed: %s', (url, expected) => {
    expect(isCompressedRoute(url)).toBe(expected)
  })
})
