/**
 * Production mode means production: no /docs, the header policy (CSP fit for the H5 app with its
 * inline scripts hashed, HSTS, nosniff, no-referrer, Permissions-Policy), log level warn, no log
 * line per 429, route templates and second timestamps in the logs, data files 0600 whatever the
 * umask, and database times to the minute.
 */
import Database from 'better-sqlite3'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { filesUnder, makeTestEnv, receipt, request, seal, startServer, submissionBody, upload, type RunningServer, type TestEnv } from './helpers'

const INLINE = 'window.__boot = 1'
let env: TestEnv
let prod: RunningServer
let dev: RunningServer
const devEnv = makeTestEnv()

beforeAll(async () => {
  env = makeTestEnv()
  fs.writeFileSync(path.join(env.h5Dir, 'index.html'), `<!doctype html><title>h5</title><script>${INLINE}</script><script src="/js/app.0123abcd.js"></script>`)
  const pepper = path.join(env.dir, 'pepper')
  fs.writeFileSync(pepper, randomBytes(32).toString('hex'))
  // A careless umask: nothing in the data directory may become readable by others.
  const umask = process.umask(0)
  try {
    ;[prod, dev] = await Promise.all([
      startServer(env, { args: ['--production'], env: { RECEIPT_PEPPER_FILE: pepper } }),
      startServer(devEnv, { env: { LOG_LEVEL: 'info' } }),
    ])
  } finally {
    process.umask(umask)
  }
})
afterAll(async () => {
  await prod?.stop()
  await dev?.stop()
  env?.cleanup()
  devEnv.cleanup()
})

test('no /docs in production (development keeps them)', async () => {
  expect((await request(prod.url, '/docs', { headers: { accept: 'application/json' } })).status).toBe(404)
  expect((await request(prod.url, '/docs/json')).status).toBe(404)
  expect((await request(dev.url, '/docs/json')).status).toBe(200)
  expect(prod.output()).not.toContain('/docs')
})

test('the header policy on pages and API answers', async () => {
  for (const p of ['/', '/api/v1/config']) {
    const res = await request(prod.url, p, { headers: { accept: 'text/html' } })
    const csp = String(res.headers['content-security-policy'])
    const hash = `'sha256-${createHash('sha256').update(INLINE).digest('base64')}'`
    expect(csp).toContain(`script-src 'self' ${hash}`)
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
    expect(csp).toContain("connect-src 'self'")
    expect(csp).toContain("worker-src 'self'")
    expect(csp).toContain("img-src 'self' blob: data:")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d{8,}/)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.headers['permissions-policy']).toContain('camera=()')
    expect(res.headers['permissions-policy']).toContain('geolocation=()')
  }
  // HSTS is for production only (the development server is plain HTTP on localhost).
  expect((await request(dev.url, '/api/v1/config')).headers['strict-transport-security']).toBeUndefined()
})

test('data files are 0600 and directories 0700 whatever the umask; times are kept to the minute', async () => {
  const sealed = seal(env.key, { x: 1 }, [new Uint8Array(randomBytes(3000))])
  const created = await request(prod.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed) })
  expect(created.status).toBe(201)
  await upload(prod.url, created.json.id, 0, sealed.attachments[0])
  const fin = await request(prod.url, `/api/v1/submissions/${created.json.id}/finalize`, { method: 'POST', body: { receipt: receipt() } })
  expect(fin.status).toBe(200)
  expect(fin.json.acceptedAt).toMatch(/:00\.000Z$/)
  expect(created.json.expiresAt).toMatch(/:00\.000Z$/)
  const files = filesUnder(env.dataDir)
  expect(files.some((f) => f.endsWith('.sqlite-wal'))).toBe(true)
  for (const f of files) expect([f, (fs.statSync(f).mode & 0o777).toString(8)]).toEqual([f, '600'])
  const dirs = [env.dataDir, ...files.map((f) => path.dirname(f))]
  for (const d of new Set(dirs)) expect([d, (fs.statSync(d).mode & 0o777).toString(8)]).toEqual([d, '700'])

  const db = new Database(path.join(env.dataDir, 'submissions.sqlite'), { readonly: true })
  const row = db.prepare('SELECT created_at, accepted_at, status_changed_at FROM submissions WHERE id = ?').get(created.json.id) as Record<string, number>
  db.close()
  for (const t of Object.values(row)) expect(t % 60_000).toBe(0)
})

test('logs: warn by default in production; in development one line per request with the route template, none per 429', async () => {
  // Production: nothing at info level, even after requests.
  await request(prod.url, '/api/v1/config')
  expect(prod.output()).not.toContain('"level":30')
  // Development (LOG_LEVEL=info): 11 status lookups, the last one 429.
  const codes: number[] = []
  for (let i = 0; i < 11; i++) codes.push((await request(dev.url, '/api/v1/status', { method: 'POST', body: { receipt: receipt() } })).status)
  expect(codes[10]).toBe(429)
  await new Promise((r) => setTimeout(r, 200))
  const lines = dev.output().split('\n').filter((l) => l.includes('"route":"/api/v1/status"'))
  expect(lines).toHaveLength(10)
  expect(dev.output()).not.toContain('"status":429')
  expect(dev.output()).not.toContain('RATE_LIMITED')
  for (const line of dev.output().split('\n').filter((l) => l.startsWith('{'))) {
    expect(JSON.parse(line).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  }
})
