/**
 * No IP address, user agent or other client fingerprint reaches the database, the blob files or
 * the logs. The client connects from 127.0.0.2 (the server listens on 127.0.0.1) with a unique
 * User-Agent and forwarding headers, exercises every route, and then the data directory and the
 * complete log output (at trace level) are searched for them.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { filesUnder, makeTestEnv, receipt, request, seal, startServer, submissionBody, type RequestOptions, type RunningServer, type TestEnv } from './helpers'

const CLIENT_ADDRESS = '127.0.0.2'
const canary = randomBytes(8).toString('hex')
const USER_AGENT = `Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) MicroMessenger/8.0.${canary}`
const FORWARDED_FOR = '203.0.113.77'
const fingerprintHeaders = {
  'user-agent': USER_AGENT,
  'x-forwarded-for': FORWARDED_FOR,
  'x-real-ip': FORWARDED_FOR,
  forwarded: `for=${FORWARDED_FOR}`,
  referer: `https://servicewechat.com/wx${canary}/0/page-frame.html`,
  cookie: `sid=${canary}`,
  'accept-language': `zh-CN-x-${canary}`,
}
const needles = [CLIENT_ADDRESS, FORWARDED_FOR, USER_AGENT, canary, 'MicroMessenger']

let env: TestEnv
let server: RunningServer

beforeAll(async () => {
  env = makeTestEnv()
  server = await startServer(env, { env: { LOG_LEVEL: 'trace' } })
})

afterAll(async () => {
  await server?.stop()
  env?.cleanup()
})

function call(path: string, options: RequestOptions = {}) {
  return request(server.url, path, { ...options, localAddress: CLIENT_ADDRESS, headers: { ...fingerprintHeaders, ...(options.headers ?? {}) } })
}

test('a full submission leaves no client address, agent or header anywhere', async () => {
  const sealed = seal(env.key, { description: 'privacy' }, [new Uint8Array(randomBytes(300 * 1024))])
  const body = submissionBody(sealed)
  expect((await call('/api/v1/config')).status).toBe(200)
  const created = await call('/api/v1/submissions', { method: 'POST', body })
  expect(created.status).toBe(201)
  const id = created.json.id
  const put = await call(`/api/v1/submissions/${id}/attachments/0`, {
    method: 'PUT',
    headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
    body: Buffer.from(sealed.attachments[0]),
  })
  expect(put.status).toBe(200)
  expect((await call(`/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD' })).status).toBe(200)
  const code = receipt()
  expect((await call(`/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: code } })).status).toBe(200)
  expect((await call('/api/v1/status', { method: 'POST', body: { receipt: code } })).status).toBe(200)
  expect((await call('/api/v1/status', { method: 'POST', body: { receipt: receipt() } })).status).toBe(404)
  // Errors and other routes log too.
  expect((await call('/api/v1/submissions', { method: 'POST', body: '{oops', headers: { 'content-type': 'application/json' } })).status).toBe(400)
  expect((await call(`/api/v1/status?receipt=${code}`, { method: 'POST', body: { receipt: code } })).status).toBe(400)
  expect((await call('/r?b=yd&c=loan')).status).toBe(302)
  expect((await call('/', { headers: { accept: 'text/html' } })).status).toBe(200)
  expect((await call('/nowhere')).status).toBe(404)

  // The log records requests (so the search below is meaningful) ...
  const log = server.output()
  expect(log).toContain('"route":"/api/v1/submissions"')
  expect(log).toContain('"status":201')
  // Route templates, never a URL with a submission id; times to the second.
  expect(log).toContain('"route":"/api/v1/submissions/:id/finalize"')
  expect(log).not.toMatch(/[0-9a-f]{32}/)
  expect(log).toMatch(/"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/)
  expect(log).not.toMatch(/"time":(?!"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")/)
  // ... but never the query string (it could carry a receipt by mistake), nor any fingerprint.
  expect(log).not.toContain(code)
  for (const needle of needles) expect(log).not.toContain(needle)
  for (const key of ['remoteAddress', 'remotePort', 'hostname', 'user-agent', 'userAgent', '"ip"', '"ips"', 'headers']) {
    expect(log).not.toContain(key)
  }

  // Neither the database (with its WAL) nor the blob files nor anything else in the data directory.
  const scan = () => {
    const files = filesUnder(env.dataDir)
    expect(files.some((f) => f.endsWith('.sqlite'))).toBe(true)
    expect(files.some((f) => f.endsWith('.bin'))).toBe(true)
    for (const file of files) {
      const bytes = fs.readFileSync(file)
      for (const needle of [...needles, code]) {
        if (bytes.includes(Buffer.from(needle))) throw new Error(`${file} contains ${needle}`)
      }
    }
  }
  scan()
  await server.stop()
  scan()
  expect(server.output()).not.toContain(CLIENT_ADDRESS)
})
