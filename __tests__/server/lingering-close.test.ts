/**
 * An error answered before the request body was read (a body over the limit) must reach the client
 * and must not be followed by a TCP reset while the client is still sending: the server half-closes
 * and reads the rest (lingering close). Without it, a client still writing gets EPIPE/ECONNRESET and
 * can lose the answer it had already received (the flaky "body over the limit" test).
 */
import net from 'node:net'
import { makeTestEnv, startServer, type RunningServer, type TestEnv } from './helpers'

let env: TestEnv
let server: RunningServer

beforeAll(async () => {
  env = makeTestEnv()
  server = await startServer(env, { env: { RATE_LIMIT: 'off' } })
})

afterAll(async () => {
  await server?.stop()
  env?.cleanup()
})

interface Outcome {
  answer: string
  writeErrors: string[]
  socketError?: string
  endedByServer: boolean
  /** Body pieces written after the answer. */
  written: number
}

/**
 * Sends the head of an over-limit POST, waits for the whole answer, then keeps sending the body in
 * 64 KiB pieces 10 ms apart, as a slow phone still would.
 */
function overLimitThenKeepSending(port: number, declared: number, pieces: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true })
    const out: Outcome = { answer: '', writeErrors: [], endedByServer: false, written: 0 }
    socket.on('error', (e: NodeJS.ErrnoException) => (out.socketError = e.code ?? e.message))
    socket.on('end', () => (out.endedByServer = true))
    socket.on('close', () => resolve(out))
    let sending = false
    socket.on('data', (d: Buffer) => {
      out.answer += d.toString('latin1')
      if (sending || !out.answer.includes('\r\n\r\n') || !/"message"/.test(out.answer)) return
      sending = true
      let left = pieces
      const next = () => {
        if (socket.destroyed) return
        if (left-- === 0) {
          socket.end()
          return
        }
        socket.write(Buffer.alloc(64 * 1024, 0x41), (err) => {
          if (err) out.writeErrors.push((err as NodeJS.ErrnoException).code ?? err.message)
          else out.written++
          setTimeout(next, 10)
        })
      }
      next()
    })
    socket.write(
      `POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n{"report":"`,
    )
  })
}

test('a 413 before the body is read: the answer arrives, the client may finish sending, no reset', async () => {
  const port = Number(new URL(server.url).port)
  const out = await overLimitThenKeepSending(port, 560 * 1024, 8)
  expect(out.answer).toMatch(/^HTTP\/1\.1 413 /)
  expect(out.answer).toMatch(/connection: close/i)
  expect(JSON.parse(out.answer.slice(out.answer.indexOf('\r\n\r\n') + 4)).code).toBe('BODY_TOO_LARGE')
  expect({ written: out.written, writeErrors: out.writeErrors, socketError: out.socketError }).toEqual({ written: 8, writeErrors: [], socketError: undefined })
  expect(out.endedByServer).toBe(true)
})

test('lingering is bounded: a client that never stops sending is cut off after the byte cap', async () => {
  const port = Number(new URL(server.url).port)
  // 64 pieces of 64 KiB = 4 MiB, over the 2 MiB the server reads after its answer.
  const out = await overLimitThenKeepSending(port, 100 * 1024 * 1024, 64)
  expect(out.answer).toMatch(/^HTTP\/1\.1 413 /)
  // It lingered (took well over the first pieces) but stopped reading near 2 MiB, long before 4 MiB.
  expect(out.written).toBeGreaterThanOrEqual(16)
  expect(out.written).toBeLessThan(64)
  expect(out.writeErrors.length + (out.socketError ? 1 : 0)).toBeGreaterThan(0)
})
