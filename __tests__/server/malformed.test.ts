/**
 * Every malformed request gets a 4xx with a precise code: never a 500, never a crash. One real
 * server process answers the whole table, and must still be healthy (and have logged no error)
 * at the end.
 */
import { LIMITS } from '../../server/src/limits'
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import {
  idempotencyKey, makeTestEnv, receipt, request, seal, startServer, submissionBody, upload,
  type RequestOptions, type RunningServer, type TestEnv,
} from './helpers'

let env: TestEnv
let server: RunningServer
let base: string
/** An open submission with two attachments (5000 and 2 MiB + change of plaintext). */
let open: { id: string; sizes: number[]; bytes: Uint8Array[] }
/** A finalized one, with its receipt. */
let done: { id: string; receipt: string }
let valid: () => ReturnType<typeof submissionBody>

beforeAll(async () => {
  env = makeTestEnv()
  // Rate limiting is tested on its own (entry.test.ts); this table sends many requests quickly.
  server = await startServer(env, { env: { RATE_LIMIT: 'off' } })
  base = server.url
  const sealed = seal(env.key, { description: 'x' }, [new Uint8Array(randomBytes(5000)), new Uint8Array(randomBytes(1024 * 1024 + 10))])
  valid = () => submissionBody(sealed, idempotencyKey())
  const created = await request(base, '/api/v1/submissions', { method: 'POST', body: valid() })
  open = { id: created.json.id, sizes: sealed.attachments.map((a) => a.length), bytes: sealed.attachments }

  const small = seal(env.key, { description: 'done' })
  const c2 = await request(base, '/api/v1/submissions', { method: 'POST', body: submissionBody(small) })
  done = { id: c2.json.id, receipt: receipt() }
  const fin = await request(base, `/api/v1/submissions/${done.id}/finalize`, { method: 'POST', body: { receipt: done.receipt } })
  expect(fin.status).toBe(200)
})

afterAll(async () => {
  await server?.stop()
  env?.cleanup()
})

type Case = [name: string, path: () => string, options: () => RequestOptions, status: number, code: string, extra?: Record<string, unknown>]

const json = (body: unknown): RequestOptions => ({ method: 'POST', body })
const raw = (text: string, type = 'application/json'): RequestOptions => ({ method: 'POST', body: text, headers: { 'content-type': type } })
const withBody = (patch: (b: any) => void) => () => {
  const b: any = valid()
  patch(b)
  return json(b)
}
const create = () => '/api/v1/submissions'
const put = (offset: string | number | undefined, body: Buffer, type = 'application/offset+octet-stream'): RequestOptions => ({
  method: 'PUT',
  headers: { 'content-type': type, ...(offset === undefined ? {} : { 'upload-offset': offset }) },
  body,
})
const att = (n: number | string = 0, id?: string) => () => `/api/v1/submissions/${id ?? open.id}/attachments/${n}`
const MiB = 1024 * 1024
const fakeId = '0123456789abcdef0123456789abcdef'

const cases: Case[] = [
  // POST /api/v1/submissions: shape
  ['bad JSON', create, () => raw('{"idempotencyKey": '), 400, 'INVALID_JSON'],
  ['empty JSON body', create, () => raw(''), 400, 'EMPTY_BODY'],
  ['no body at all', create, () => ({ method: 'POST' }), 400, 'EMPTY_BODY'],
  ['a JSON array instead of an object', create, () => raw('[1,2]'), 400, 'INVALID_FIELD'],
  ['prototype poisoning', create, () => raw('{"__proto__": {"x": 1}}'), 400, 'INVALID_JSON'],
  ['text/plain body', create, () => raw('hello', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['form body', create, () => raw('a=1', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['unknown top-level field', create, withBody((b) => (b.ip = '1.2.3.4')), 400, 'UNKNOWN_FIELD', { field: '/ip' }],
  ['unknown header field', create, withBody((b) => (b.header.alg = 'none')), 400, 'UNKNOWN_FIELD', { field: '/header/alg' }],
  ['unknown attachment field', create, withBody((b) => (b.attachments[0].name = 'a.jpg')), 400, 'UNKNOWN_FIELD', { field: '/attachments/0/name' }],
  ['unknown query parameter', () => '/api/v1/submissions?debug=1', () => json(valid()), 400, 'UNKNOWN_FIELD'],
  ['missing report', create, withBody((b) => delete b.report), 400, 'MISSING_FIELD', { field: '/report' }],
  ['missing header.epk', create, withBody((b) => delete b.header.epk), 400, 'MISSING_FIELD', { field: '/header/epk' }],
  ['attachments is an object', create, withBody((b) => (b.attachments = {})), 400, 'INVALID_FIELD', { field: '/attachments' }],
  ['size as a string (no coercion)', create, withBody((b) => (b.attachments[0].size = String(b.attachments[0].size))), 400, 'INVALID_FIELD'],
  ['size not an integer', create, withBody((b) => (b.attachments[0].size = 5056.5)), 400, 'INVALID_FIELD'],
  ['v as a string', create, withBody((b) => (b.header.v = '1')), 400, 'INVALID_FIELD'],
  ['report as a number', create, withBody((b) => (b.report = 12)), 400, 'INVALID_FIELD'],
  ['idempotencyKey too short', create, withBody((b) => (b.idempotencyKey = 'short')), 400, 'INVALID_IDEMPOTENCY_KEY'],
  ['idempotencyKey with bad characters', create, withBody((b) => (b.idempotencyKey = 'a/b+c='.repeat(5))), 400, 'INVALID_IDEMPOTENCY_KEY'],
  // POST /api/v1/submissions: envelope
  ['envelope version 3', create, withBody((b) => (b.header.v = 3)), 400, 'UNSUPPORTED_VERSION'],
  ['version 2 with the v1 suite', create, withBody((b) => (b.header.suite = 'x25519-hkdf-sha256-aes256cbc-hmacsha256')), 400, 'UNSUPPORTED_SUITE'],
  ['version 1 with the v2 suite', create, withBody((b) => (b.header.v = 1)), 400, 'UNSUPPORTED_SUITE'],
  ['wrong suite', create, withBody((b) => (b.header.suite = 'x25519-hkdf-sha256-aes256gcm')), 400, 'UNSUPPORTED_SUITE'],
  ['unknown kid', create, withBody((b) => (b.header.kid = '0000000000000000')), 400, 'UNKNOWN_KID'],
  ['epk not base64', create, withBody((b) => (b.header.epk = 'not base64!')), 400, 'INVALID_BASE64', { field: '/header/epk' }],
  ['epk of 31 bytes', create, withBody((b) => (b.header.epk = randomBytes(31).toString('base64'))), 400, 'INVALID_EPK'],
  ['report not base64', create, withBody((b) => (b.report = '@@@@')), 400, 'INVALID_BASE64', { field: '/report' }],
  ['report base64 without padding', create, withBody((b) => (b.report = randomBytes(100).toString('base64').replace(/=+$/, ''))), 400, 'INVALID_BASE64'],
  ['report base64url', create, withBody((b) => (b.report = Buffer.alloc(100, 0xff).toString('base64url'))), 400, 'INVALID_BASE64'],
  ['report of a size no envelope has', create, withBody((b) => (b.report = randomBytes(100).toString('base64'))), 400, 'INVALID_REPORT_SIZE'],
  ['report over the limit', create, withBody((b) => (b.report = randomBytes(260 * 1024).toString('base64'))), 400, 'REPORT_TOO_LARGE'],
  ['body over the limit', create, withBody((b) => (b.report = randomBytes(420 * 1024).toString('base64'))), 413, 'BODY_TOO_LARGE'],
  // POST /api/v1/submissions: attachments
  ['21 attachments', create, withBody((b) => (b.attachments = Array(21).fill(b.attachments[0]))), 400, 'TOO_MANY_ATTACHMENTS'],
  ['attachment size no envelope has', create, withBody((b) => (b.attachments[0].size = 5000)), 400, 'INVALID_ATTACHMENT_SIZE'],
  ['attachment size below the minimum', create, withBody((b) => (b.attachments[0].size = 10)), 400, 'INVALID_ATTACHMENT_SIZE'],
  ['negative attachment size', create, withBody((b) => (b.attachments[0].size = -64)), 400, 'INVALID_ATTACHMENT_SIZE'],
  ['attachment over 20 MiB', create, withBody((b) => (b.attachments[0].size = 21 * MiB + 48)), 400, 'ATTACHMENT_TOO_LARGE'],
  [
    'attachments over 100 MiB together',
    create,
    withBody((b) => (b.attachments = Array(6).fill({ size: LIMITS.maxAttachmentBytes, crc32: 'a'.repeat(8) }))),
    400,
    'SUBMISSION_TOO_LARGE',
  ],
  ['crc32 in upper case', create, withBody((b) => (b.attachments[0].crc32 = 'ABCDEF01')), 400, 'INVALID_CRC32'],
  ['crc32 too short', create, withBody((b) => (b.attachments[0].crc32 = 'abc')), 400, 'INVALID_CRC32'],
  ['sha256 malformed', create, withBody((b) => (b.attachments[0].sha256 = 'abc')), 400, 'INVALID_SHA256'],
  ['a v2 attachment without its crc32', create, withBody((b) => delete b.attachments[1].crc32), 400, 'MISSING_FIELD', { field: '/attachments/1/crc32' }],
  ['a v2 attachment with a v1 sha256', create, withBody((b) => (b.attachments[0].sha256 = 'a'.repeat(64))), 400, 'UNKNOWN_FIELD', { field: '/attachments/0/sha256' }],

  // HEAD/PUT attachments
  ['PUT without Upload-Offset', att(0), () => put(undefined, Buffer.from('x')), 400, 'MISSING_UPLOAD_OFFSET'],
  ['PUT with a non-numeric Upload-Offset', att(0), () => put('abc', Buffer.from('x')), 400, 'INVALID_UPLOAD_OFFSET'],
  ['PUT with a negative Upload-Offset', att(0), () => put('-1', Buffer.from('x')), 400, 'INVALID_UPLOAD_OFFSET'],
  ['PUT with a zero-padded Upload-Offset', att(0), () => put('00', Buffer.from('x')), 400, 'INVALID_UPLOAD_OFFSET'],
  ['PUT at a wrong offset', att(0), () => put(10, Buffer.from('x')), 409, 'OFFSET_MISMATCH', { offset: 0 }],
  ['PUT past the declared size', att(0), () => put(0, Buffer.alloc(6000)), 413, 'UPLOAD_EXCEEDS_SIZE', { offset: 0 }],
  ['PUT with a JSON body', att(0), () => ({ method: 'PUT', headers: { 'upload-offset': 0 }, body: { bytes: 'x' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['PUT to an unknown submission', att(0, fakeId), () => put(0, Buffer.from('x')), 404, 'SUBMISSION_NOT_FOUND'],
  ['PUT to a malformed submission id', att(0, 'ABC'), () => put(0, Buffer.from('x')), 404, 'SUBMISSION_NOT_FOUND'],
  ['PUT to a path with dot segments', att(0, '..%2F..%2Fetc'), () => put(0, Buffer.from('x')), 404, 'SUBMISSION_NOT_FOUND'],
  ['PUT to an undeclared attachment', att(2), () => put(0, Buffer.from('x')), 404, 'ATTACHMENT_NOT_FOUND'],
  ['PUT to attachment "01"', att('01'), () => put(0, Buffer.from('x')), 404, 'ATTACHMENT_NOT_FOUND'],
  ['PUT to attachment "-1"', att('-1'), () => put(0, Buffer.from('x')), 404, 'ATTACHMENT_NOT_FOUND'],
  ['HEAD of an unknown submission', att(0, fakeId), () => ({ method: 'HEAD' }), 404, ''],
  ['HEAD of an undeclared attachment', att(7), () => ({ method: 'HEAD' }), 404, ''],
  ['PUT after finalize (replay)', () => `/api/v1/submissions/${done.id}/attachments/0`, () => put(0, Buffer.from('x')), 404, 'ATTACHMENT_NOT_FOUND'],

  // finalize
  ['finalize an unknown submission', () => `/api/v1/submissions/${fakeId}/finalize`, () => json({ receipt: receipt() }), 404, 'SUBMISSION_NOT_FOUND'],
  ['finalize before upload', () => `/api/v1/submissions/${open.id}/finalize`, () => json({ receipt: receipt() }), 409, 'UPLOAD_INCOMPLETE'],
  ['finalize with a 15-digit receipt', () => `/api/v1/submissions/${open.id}/finalize`, () => json({ receipt: '123456789012345' }), 400, 'INVALID_RECEIPT'],
  ['finalize with a receipt with letters', () => `/api/v1/submissions/${open.id}/finalize`, () => json({ receipt: '12345678901234ab' }), 400, 'INVALID_RECEIPT'],
  ['finalize with a numeric receipt', () => `/api/v1/submissions/${open.id}/finalize`, () => json({ receipt: 1234567890123456 }), 400, 'INVALID_FIELD'],
  ['finalize without a receipt', () => `/api/v1/submissions/${open.id}/finalize`, () => json({}), 400, 'MISSING_FIELD'],
  ['finalize with an unknown field', () => `/api/v1/submissions/${open.id}/finalize`, () => json({ receipt: receipt(), force: true }), 400, 'UNKNOWN_FIELD'],
  ['finalize with an oversized body', () => `/api/v1/submissions/${open.id}/finalize`, () => json({ receipt: 'x'.repeat(2000) }), 413, 'BODY_TOO_LARGE'],
  ['finalize replay with another receipt', () => `/api/v1/submissions/${done.id}/finalize`, () => json({ receipt: receipt() }), 409, 'RECEIPT_MISMATCH'],

  // status
  ['status with the receipt in the URL', () => '/api/v1/status?receipt=1234567890123456', () => json({ receipt: '1234567890123456' }), 400, 'UNKNOWN_FIELD'],
  ['status by GET', () => '/api/v1/status', () => ({ method: 'GET' }), 404, 'NOT_FOUND'],
  ['status with a malformed receipt', () => '/api/v1/status', () => json({ receipt: '1234' }), 400, 'INVALID_RECEIPT'],
  ['status with bad JSON', () => '/api/v1/status', () => raw('{receipt:1}'), 400, 'INVALID_JSON'],
  ['status with an unknown receipt', () => '/api/v1/status', () => json({ receipt: receipt() }), 404, 'RECEIPT_NOT_FOUND'],

  // anything else
  ['unknown API route', () => '/api/v1/submissions/x/y/z', () => ({ method: 'GET' }), 404, 'NOT_FOUND'],
  ['DELETE a submission', () => `/api/v1/submissions/${open.id}`, () => ({ method: 'DELETE' }), 404, 'NOT_FOUND'],
  ['malformed URL encoding', () => '/api/v1/%zz', () => ({ method: 'GET' }), 400, 'BAD_URL'],
]

describe('malformed requests get a precise 4xx', () => {
  test.each(cases.map((c) => [c[0], c] as const))('%s', async (_name, [, path, options, status, code, extra]) => {
    const res = await request(base, path(), options())
    expect({ status: res.status, code: res.json?.code ?? '' }).toEqual({ status, code })
    if (extra) expect(res.json).toMatchObject(extra)
    if (code) expect(typeof res.json.message).toBe('string')
  })

  /**
   * A PUT that sends `pieces` one after the other and waits for the answer before ending: once the
   * server has answered, the client writes nothing more (so no write races the server's close).
   */
  function putPieces(headers: Record<string, string>, pieces: Buffer[]): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const url = new URL(att(1)(), base)
      let answered = false
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers }, (r) => {
        answered = true
        let body = ''
        r.setEncoding('utf8').on('data', (d) => (body += d))
        r.on('end', () => {
          req.destroy()
          resolve({ status: r.statusCode ?? 0, body })
        })
      })
      req.on('error', (err) => {
        if (!answered) reject(err)
      })
      req.flushHeaders()
      for (const piece of pieces) req.write(piece)
    })
  }

  test('a declared Content-Length over 1 MiB is refused before the body is read', async () => {
    const res = await putPieces({ 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'content-length': String(MiB + 1) }, [])
    expect(res.status).toBe(413)
    expect(JSON.parse(res.body).code).toBe('BODY_TOO_LARGE')
  })

  test('a chunked PUT body over 1 MiB is cut off with 413', async () => {
    // No Content-Length: node sends chunked transfer encoding; the last byte goes over the limit.
    const pieces = [...Array(4)].map(() => Buffer.alloc(256 * 1024, 1)).concat([Buffer.from([1])])
    const res = await putPieces({ 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, pieces)
    expect(res.status).toBe(413)
    expect(JSON.parse(res.body).code).toBe('BODY_TOO_LARGE')
    const head = await request(base, att(1)(), { method: 'HEAD' })
    expect(head.headers['upload-offset']).toBe('0')
  })

  test('an exact 1 MiB chunk is fine, and the upload completes after the errors above', async () => {
    await upload(base, open.id, 0, open.bytes[0])
    await upload(base, open.id, 1, open.bytes[1])
    const fin = await request(base, `/api/v1/submissions/${open.id}/finalize`, { method: 'POST', body: { receipt: receipt() } })
    expect(fin.status).toBe(200)
  })

  test('the server is still up and logged no error', async () => {
    const res = await request(base, '/api/v1/config')
    expect(res.status).toBe(200)
    const lines = server.output().split('\n').filter((l) => l.startsWith('{'))
    const records = lines.map((l) => JSON.parse(l))
    expect(records.filter((r) => r.level >= 50)).toEqual([])
    expect(records.filter((r) => r.res?.statusCode >= 500)).toEqual([])
  })
})
