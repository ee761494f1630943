/**
 * Slow clients cannot pin the server: a body trickling in, headers that never end and silent
 * connections are cut off by the server within its timeouts (here set short), uploads in flight
 * are capped per client, and connections in all. The 300-slow-body memory probe is a benchmark:
 * `npm run bench:slow`.
 */
import net from 'node:net'
import { makeTestEnv, request, seal, startServer, submissionBody, type RunningServer, type TestEnv } from './helpers'
import { randomBytes } from 'node:crypto'

let env: TestEnv
let server: RunningServer
let id: string
const TIMEOUTS = { REQUEST_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '1000', IDLE_TIMEOUT_MS: '1000', MAX_UPLOADS_PER_CLIENT: '2', MAX_CONNECTIONS: '8' }

beforeAll(async () => {
  env = makeTestEnv()
  server = await startServer(env, { env: TIMEOUTS })
  const sealed = seal(env.key, { x: 1 }, [new Uint8Array(randomBytes(200_000))])
  const created = await request(server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed) })
  expect(created.status).toBe(201)
  id = created.json.id
})
afterAll(async () => {
  await server?.stop()
  env?.cleanup()
})

/** A raw connection; resolves with what the server sent and how long until it closed the connection. */
function connect(from = '127.0.0.1'): { socket: net.Socket; closed: Promise<{ ms: number; received: string }> } {
  const socket = net.connect({ host: '127.0.0.1', port: server.port, localAddress: from })
  const started = Date.now()
  let received = ''
  socket.setEncoding('latin1').on('data', (d: string) => (received += d))
  socket.on('error', () => undefined)
  const closed = new Promise<{ ms: number; received: string }>((resolve) => socket.once('close', () => resolve({ ms: Date.now() - started, received })))
  return { socket, closed }
}

const putHead = (length: number, offset = 0) =>
  `PUT /api/v1/submissions/${id}/attachments/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/offset+octet-stream\r\n` +
  `Upload-Offset: ${offset}\r\nContent-Length: ${length}\r\n\r\n`

test('a body trickling in one byte at a time is cut off at the request timeout, and none of it is kept', async () => {
  const { socket, closed } = connect()
  socket.write(putHead(1000))
  const drip = setInterval(() => socket.writable && socket.write('x'), 200)
  const { ms, received } = await closed
  clearInterval(drip)
  expect(ms).toBeGreaterThanOrEqual(1400)
  expect(ms).toBeLessThan(6000)
  // Node answers 408 when it cuts a request off (or just closes when the answer cannot be sent).
  if (received) expect(received).toMatch(/^HTTP\/1\.1 408/)
  const head = await request(server.url, `/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD' })
  expect(head.headers['upload-offset']).toBe('0')
})

test('headers that never end are cut off at the headers timeout', async () => {
  const { socket, closed } = connect()
  socket.write('POST /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n')
  const drip = setInterval(() => socket.writable && socket.write('X-A: b\r\n'), 200)
  const { ms } = await closed
  clearInterval(drip)
  expect(ms).toBeLessThan(5000)
})

test('a silent connection is closed at the idle timeout', async () => {
  const { closed } = connect()
  const { ms } = await closed
  expect(ms).toBeGreaterThanOrEqual(900)
  expect(ms).toBeLessThan(5000)
})

test('uploads in flight are capped per client, not for others', async () => {
  const held = [connect('127.0.0.2'), connect('127.0.0.2')]
  for (const h of held) h.socket.write(`${putHead(100_000)}${'x'.repeat(10)}`)
  await new Promise((r) => setTimeout(r, 200))
  const third = await request(server.url, `/api/v1/submissions/${id}/attachments/0`, {
    method: 'PUT',
    localAddress: '127.0.0.2',
    headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': 0 },
    body: Buffer.alloc(10),
  })
  expect(third.status).toBe(429)
  expect(third.json.code).toBe('UPLOADS_IN_FLIGHT')
  expect(Number(third.headers['retry-after'])).toBeGreaterThan(0)
  // Another client is not affected (its chunk meets the offset race of the held ones: 200 or 409).
  const other = await request(server.url, `/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD', localAddress: '127.0.0.3' })
  expect(other.status).toBe(200)
  for (const h of held) h.socket.destroy()
  await Promise.all(held.map((h) => h.closed))
})

test('connections beyond the cap are refused at once', async () => {
  await new Promise((r) => setTimeout(r, 100))
  const open = Array.from({ length: 8 }, () => connect('127.0.0.4'))
  await new Promise((r) => setTimeout(r, 300))
  const extra = connect('127.0.0.4')
  const { ms } = await extra.closed
  expect(ms).toBeLessThan(800)
  for (const o of open) o.socket.destroy()
})
