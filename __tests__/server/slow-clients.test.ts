/**
 * Slow clients cannot pin the server: a body trickling in, headers that never end and silent
 * connections are cut off by the server within its timeouts (here set short), uploads in flight
 * are capped per client and in all, and connections in all. The 300-slow-body memory probe is a benchmark:
 * `npm run bench:slow`.
 */
import net from 'node:net'
import { makeTestEnv, request, seal, startServer, submissionBody, type RunningServer, type TestEnv } from './helpers'
import { randomBytes } from 'node:crypto'

let env: TestEnv
let server: RunningServer
let id: string
const TIMEOUTS = { REQUEST_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '1000', IDLE_TIMEOUT_MS: '1000', MAX_UPLOADS_PER_CLIENT: '2', MAX_CONNECTIONS: '8' }

async function createSubmission(): Promise<string> {
  const sealed = seal(env.key, { x: 1 }, [new Uint8Array(randomBytes(200_000))])
  const created = await request(server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed) })
  expect(created.status).toBe(201)
  return created.json.id
}

beforeAll(async () => {
  env = makeTestEnv()
  server = await startServer(env, { env: TIMEOUTS })
  id = await createSubmission()
})
afterAll(async () => {
  await server?.stop()
  env?.cleanup()
})

interface RawConnection {
  socket: net.Socket
  /** What the server sent and how long until it closed the connection. */
  closed: Promise<{ ms: number; received: string }>
  /** Resolves once what the server sent matches `pattern`. */
  received(pattern: RegExp): Promise<void>
}

function connect(from = '127.0.0.1', port = server.port): RawConnection {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress: from })
  const started = Date.now()
  let received = ''
  const waiting: { pattern: RegExp; resolve: () => void }[] = []
  socket.setEncoding('latin1').on('data', (d: string) => {
    received += d
    for (const w of waiting.splice(0)) {
      if (w.pattern.test(received)) w.resolve()
      else waiting.push(w)
    }
  })
  socket.on('error', () => undefined)
  const closed = new Promise<{ ms: number; received: string }>((resolve) => socket.once('close', () => resolve({ ms: Date.now() - started, received })))
  return {
    socket,
    closed,
    received: (pattern) => (pattern.test(received) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ pattern, resolve }))),
  }
}

const putHead = (length: number, offset = 0, submission = id) =>
  `PUT /api/v1/submissions/${submission}/attachments/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/offset+octet-stream\r\n` +
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
  // Two uploads held open by one client, each on a submission of its own (no offset race between
  // them). Each asks for 100-continue: the server answers it as it takes the request in, so once
  // both answers are here both uploads are counted, whatever the machine's load.
  const held = await Promise.all([0, 1].map(async () => {
    const sub = await createSubmission()
    const h = connect('127.0.0.2')
    h.socket.write(putHead(100_000, 0, sub).replace('\r\n\r\n', '\r\nExpect: 100-continue\r\n\r\n'))
    await h.received(/^HTTP\/1\.1 100 /)
    h.socket.write('x'.repeat(10))
    return h
  }))
  const third = await request(server.url, `/api/v1/submissions/${id}/attachments/0`, {
    method: 'PUT',
    localAddress: '127.0.0.2',
    headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': 0 },
    body: Buffer.alloc(10),
  })
  expect(third.status).toBe(429)
  expect(third.json.code).toBe('UPLOADS_IN_FLIGHT')
  expect(Number(third.headers['retry-after'])).toBeGreaterThan(0)
  // Another client is not affected.
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

describe('uploads in flight in all', () => {
  let capped: RunningServer
  beforeAll(async () => {
    capped = await startServer(env, { env: { MAX_UPLOADS: '2' } })
  })
  afterAll(async () => {
    await capped?.stop()
  })

  /** An upload held open from `from`, counted by the server once its 100-continue is here. */
  async function hold(from: string) {
    const sealed = seal(env.key, { x: 1 }, [new Uint8Array(randomBytes(200_000))])
    const created = await request(capped.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed) })
    expect(created.status).toBe(201)
    const h = connect(from, capped.port)
    h.socket.write(putHead(100_000, 0, created.json.id).replace('\r\n\r\n', '\r\nExpect: 100-continue\r\n\r\n'))
    await h.received(/^HTTP\/1\.1 100 /)
    h.socket.write('x'.repeat(10))
    return { h, sub: created.json.id as string }
  }

  test('beyond MAX_UPLOADS, a client of its own is answered 503 BUSY and its body is not read', async () => {
    const held = [await hold('127.0.1.1'), await hold('127.0.1.2')]
    // A third client, well within its own cap: the instance is full.
    const third = connect('127.0.1.3', capped.port)
    third.socket.write(putHead(100_000, 0, held[0].sub))
    third.socket.write('x'.repeat(1000))
    const { ms, received } = await third.closed
    expect(received).toMatch(/^HTTP\/1\.1 503 /)
    expect(received).toMatch(/"code":"BUSY"/)
    expect(received).toMatch(/\r\nretry-after: [1-9]/i)
    // Closed by the server after the answer, without waiting for the 99,000 bytes never sent.
    expect(ms).toBeLessThan(5000)
    // An upload that ends frees its place.
    held[0].h.socket.destroy()
    await held[0].h.closed
    const next = await hold('127.0.1.4')
    for (const { h } of [held[1], next]) h.socket.destroy()
    await Promise.all([held[1].h.closed, next.h.closed])
  })
})
