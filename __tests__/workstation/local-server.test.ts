/**
 * The workstation's local server over real HTTP (127.0.0.1, port 0): who may talk to it. The login
 * secret works once and only exactly; without the session cookie nothing but the login answers;
 * other Host names are refused (DNS rebinding); state changes need the X-Workstation header (no
 * cross-site form or fetch can send it); the page carries a strict CSP with a fresh nonce.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildWorkstation, type Workstation } from '../../bureau/workstation/server/app'
import { ConnectionStore } from '../../bureau/workstation/server/connection'
import { request } from '../server/helpers'

let ws: Workstation
let base: string
let port: number
let dir: string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-ws-'))
  const web = path.join(dir, 'web')
  fs.mkdirSync(path.join(web, 'assets'), { recursive: true })
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><meta name="csp-nonce" content="__CSP_NONCE__"><div id="root"></div><script type="module" src="/assets/a.js"></script>')
  fs.writeFileSync(path.join(web, 'assets', 'a.js'), 'console.log(1)')
  ws = await buildWorkstation({ webDir: web, connection: new ConnectionStore(path.join(dir, 'config')), idleMs: 60_000, exportDir: path.join(dir, 'export'), stateDir: path.join(dir, 'config') })
  await ws.app.listen({ host: '127.0.0.1', port: 0 })
  port = (ws.app.server.address() as { port: number }).port
  ws.setPort(port)
  base = `http://127.0.0.1:${port}`
})

afterAll(async () => {
  await ws.app.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

let cookie = ''

test('without the session cookie only the login answers, and says how to get in', async () => {
  const page = await request(base, '/')
  expect(page.status).toBe(401)
  expect(page.text).toContain('npm run workstation')
  const api = await request(base, '/api/state')
  expect([api.status, api.json.code]).toEqual([401, 'NO_SESSION'])
  expect((await request(base, '/api/state', { headers: { cookie: 'ws_session=guess' } })).status).toBe(401)
})

test('a wrong or partial login secret is refused; the right one works once', async () => {
  expect((await request(base, `/login?s=${ws.loginSecret.slice(0, -1)}`)).status).toBe(403)
  expect((await request(base, `/login?s=${ws.loginSecret}x`)).status).toBe(403)
  expect((await request(base, '/login')).status).toBe(403)
  const ok = await request(base, `/login?s=${ws.loginSecret}`)
  expect(ok.status).toBe(303)
  const set = String(ok.headers['set-cookie'])
  expect(set).toMatch(/^ws_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/)
  cookie = set.split(';')[0]
  const again = await request(base, `/login?s=${ws.loginSecret}`)
  expect(again.status).toBe(403)
  expect(again.text).toContain('已经用过')
})

test('the page: strict CSP with a fresh nonce each time, no framing, no caching', async () => {
  const a = await request(base, '/', { headers: { cookie } })
  const b = await request(base, '/', { headers: { cookie } })
  expect(a.status).toBe(200)
  const csp = String(a.headers['content-security-policy'])
  expect(csp).toContain("script-src 'self'")
  expect(csp).toContain("frame-ancestors 'none'")
  expect(csp).not.toContain('unsafe-inline')
  const nonce = /'nonce-([^']+)'/.exec(csp)![1]
  expect(a.text).toContain(`content="${nonce}"`)
  expect(String(b.headers['content-security-policy'])).not.toContain(nonce)
  expect(a.headers['cache-control']).toBe('no-store')
  expect(a.headers['x-content-type-options']).toBe('nosniff')
})

test('the built chunks: JavaScript type, kept by the browser (hashed names), only with the session, unknown names 404', async () => {
  const js = await request(base, '/assets/a.js', { headers: { cookie } })
  expect(js.status).toBe(200)
  expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
  expect(js.headers['cache-control']).toBe('private, max-age=31536000, immutable')
  expect(js.headers['x-content-type-options']).toBe('nosniff')
  expect(js.text).toBe('console.log(1)')
  expect((await request(base, '/assets/a.js')).status).toBe(401)
  expect((await request(base, '/assets/missing-0123abcd.js', { headers: { cookie } })).status).toBe(404)
  // The page itself is never cached: it names the chunks of the build being served.
  expect((await request(base, '/', { headers: { cookie } })).headers['cache-control']).toBe('no-store')
})

test('other Host names are refused, even with the cookie (DNS rebinding)', async () => {
  for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `127.0.0.1.evil.example:${port}`]) {
    const r = await request(base, '/api/state', { headers: { host, cookie } })
    expect([host, r.status]).toEqual([host, 421])
  }
  expect((await request(base, '/api/state', { headers: { host: `localhost:${port}`, cookie } })).status).toBe(200)
})

test('state changes need the X-Workstation header (cross-site requests cannot send it)', async () => {
  const without = await request(base, '/api/lock', { method: 'POST', headers: { cookie }, body: {} })
  expect([without.status, without.json.code]).toEqual([403, 'CSRF'])
  const form = await request(base, '/api/setup', { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: '{"server":"http://127.0.0.1:1","token":"x"}' })
  expect(form.status).toBe(403)
  const withHeader = await request(base, '/api/lock', { method: 'POST', headers: { cookie, 'x-workstation': '1' }, body: {} })
  expect(withHeader.status).toBe(200)
})

test('locked: the inbox answers 423 with a Chinese message; bad setup input is a clear error', async () => {
  const r = await request(base, '/api/cases', { headers: { cookie } })
  expect([r.status, r.json.code]).toEqual([423, 'LOCKED'])
  expect(r.json.message).toMatch(/已锁定/)
  const bad = await request(base, '/api/setup', { method: 'POST', headers: { cookie, 'x-workstation': '1' }, body: { server: 'ftp://x', token: 'cw1_x' } })
  expect([bad.status, bad.json.code]).toEqual([400, 'REFUSED'])
  expect(bad.json.message).toMatch(/服务器地址格式不对/)
  const unlock = await request(base, '/api/unlock', { method: 'POST', headers: { cookie, 'x-workstation': '1' }, body: { keyFiles: ['{}'], passphrase: 'x' } })
  expect([unlock.status, unlock.json.code]).toEqual([409, 'NOT_CONFIGURED'])
  // A server that cannot be reached is named, never a 500.
  const down = await request(base, '/api/setup', { method: 'POST', headers: { cookie, 'x-workstation': '1' }, body: { server: 'http://127.0.0.1:9', token: `cw1_${'A'.repeat(43)}` } })
  expect([down.status, down.json.code]).toEqual([502, 'UNREACHABLE'])
  expect(down.json.message).toMatch(/无法连接举报服务器/)
  // Malformed bodies: a plain Chinese message, not Fastify's English.
  const malformed = await request(base, '/api/setup', { method: 'POST', headers: { cookie, 'x-workstation': '1' }, body: { server: 1 } })
  expect([malformed.status, malformed.json.message]).toEqual([400, '请求格式错误。'])
})
