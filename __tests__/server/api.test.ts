/**
 * The intake API end to end over real HTTP against the real server process: config, create,
 * resumable upload, finalize, status; envelopes made by the client crypto code and opened by the
 * Node decryptor.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { FsBlobStore } from '../../server/src/blobstore'
import { SqliteRepository } from '../../server/src/repository'
import {
  idempotencyKey, makeTestEnv, openStored, receipt, request, seal, sha256Hex, startServer, submissionBody, upload,
  type RunningServer, type TestEnv,
} from './helpers'

let env: TestEnv
let server: RunningServer
let base: string

beforeAll(async () => {
  env = makeTestEnv()
  server = await startServer(env)
  base = server.url
})

afterAll(async () => {
  await server?.stop()
  env?.cleanup()
})

describe('GET /api/v1/config', () => {
  test('serves the campaign configuration with an ETag and answers 304 to If-None-Match', async () => {
    const res = await request(base, '/api/v1/config')
    expect(res.status).toBe(200)
    const file = JSON.parse(fs.readFileSync(env.campaignFile, 'utf8'))
    expect(res.json).toEqual(file)
    expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/)
    expect(res.headers['cache-control']).toContain('max-age=')
    const again = await request(base, '/api/v1/config', { headers: { 'if-none-match': res.headers.etag as string } })
    expect(again.status).toBe(304)
    expect(again.text).toBe('')
  })
})

describe('a report with attachments, start to finish', () => {
  const small = new Uint8Array(randomBytes(1000))
  const large = new Uint8Array(randomBytes(2 * 1024 * 1024 + 12345))
  const report = { category: 'loan', description: '测试线索 — test report', links: ['https://example.invalid/x'] }
  let sealed: ReturnType<typeof seal>
  let body: ReturnType<typeof submissionBody>
  let id: string
  const code = receipt()

  beforeAll(() => {
    sealed = seal(env.key, report, [small, large])
    body = submissionBody(sealed)
  })

  test('create answers 201 with the declared attachments at offset 0', async () => {
    const res = await request(base, '/api/v1/submissions', { method: 'POST', body })
    expect(res.status).toBe(201)
    expect(res.json.id).toMatch(/^[0-9a-f]{32}$/)
    expect(res.json.state).toBe('open')
    expect(Date.parse(res.json.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000)
    expect(res.json.attachments).toEqual([
      { n: 0, size: sealed.attachments[0].length, offset: 0 },
      { n: 1, size: sealed.attachments[1].length, offset: 0 },
    ])
    expect(res.headers.location).toBe(`/api/v1/submissions/${res.json.id}`)
    id = res.json.id
  })

  test('the same idempotency key returns the same submission, never a duplicate', async () => {
    const res = await request(base, '/api/v1/submissions', { method: 'POST', body })
    expect(res.status).toBe(200)
    expect(res.json.id).toBe(id)
    const repo = SqliteRepository.open(env.dataDir)
    try {
      expect((await repo.listSubmissions()).filter((s) => s.id === id)).toHaveLength(1)
    } finally {
      await repo.close()
    }
  })

  test('the same idempotency key with another body is refused', async () => {
    const other = submissionBody(seal(env.key, { other: true }), body.idempotencyKey)
    const res = await request(base, '/api/v1/submissions', { method: 'POST', body: other })
    expect(res.status).toBe(409)
    expect(res.json.code).toBe('IDEMPOTENCY_KEY_REUSED')
  })

  test('finalize before the upload is complete is refused with the offsets', async () => {
    const res = await request(base, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: code } })
    expect(res.status).toBe(409)
    expect(res.json.code).toBe('UPLOAD_INCOMPLETE')
    expect(res.json.attachments).toEqual([
      { n: 0, offset: 0, size: sealed.attachments[0].length },
      { n: 1, offset: 0, size: sealed.attachments[1].length },
    ])
  })

  test('HEAD answers the durable offset while uploading in 1 MiB chunks', async () => {
    await upload(base, id, 0, sealed.attachments[0])
    const bytes = sealed.attachments[1]
    const first = await request(base, `/api/v1/submissions/${id}/attachments/1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': 0 },
      body: Buffer.from(bytes.subarray(0, 1024 * 1024)),
    })
    expect(first.status).toBe(200)
    expect(first.json).toEqual({ offset: 1024 * 1024, size: bytes.length })
    expect(first.headers['upload-offset']).toBe(String(1024 * 1024))
    const head = await request(base, `/api/v1/submissions/${id}/attachments/1`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers['upload-offset']).toBe(String(1024 * 1024))
    expect(head.headers['upload-length']).toBe(String(bytes.length))
    // A retried chunk (wrong offset) is refused with the current offset.
    const retry = await request(base, `/api/v1/submissions/${id}/attachments/1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': 0 },
      body: Buffer.from(bytes.subarray(0, 1024)),
    })
    expect(retry.status).toBe(409)
    expect(retry.json).toMatchObject({ code: 'OFFSET_MISMATCH', offset: 1024 * 1024 })
    expect(retry.headers['upload-offset']).toBe(String(1024 * 1024))
    await upload(base, id, 1, bytes, 1024 * 1024, 1024 * 1024)
    const done = await request(base, `/api/v1/submissions/${id}/attachments/1`, { method: 'HEAD' })
    expect(done.headers['upload-offset']).toBe(String(bytes.length))
  })

  test('the replayed create now reports the upload offsets', async () => {
    const res = await request(base, '/api/v1/submissions', { method: 'POST', body })
    expect(res.status).toBe(200)
    expect(res.json.attachments.map((a: { offset: number }) => a.offset)).toEqual(sealed.attachments.map((a) => a.length))
  })

  test('finalize accepts it; again with the same receipt gives the same answer; another receipt is refused', async () => {
    const res = await request(base, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: code } })
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ id, state: 'accepted', acceptedAt: expect.any(String) })
    const again = await request(base, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: code } })
    expect(again.status).toBe(200)
    expect(again.json).toEqual(res.json)
    const other = await request(base, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: receipt() } })
    expect(other.status).toBe(409)
    expect(other.json.code).toBe('RECEIPT_MISMATCH')
    const put = await request(base, `/api/v1/submissions/${id}/attachments/0`, {
      method: 'PUT',
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': 0 },
      body: Buffer.from('x'),
    })
    expect(put.status).toBe(409)
    expect(put.json.code).toBe('SUBMISSION_FINALIZED')
  })

  test('only ciphertext is stored, and the Node decryptor opens it back to the plaintext', async () => {
    const repo = SqliteRepository.open(env.dataDir)
    const blobs = FsBlobStore.open(env.dataDir)
    try {
      const sub = await repo.getSubmission(id)
      expect(sub?.state).toBe('accepted')
      expect(sub?.receiptHash).not.toContain(code)
      const storedReport = (await repo.getReport(id))!
      expect(Buffer.compare(storedReport, Buffer.from(sealed.report))).toBe(0)
      const stored = [0, 1].map((n) => fs.readFileSync(blobs.filePath(id, n, true)))
      stored.forEach((bytes, n) => expect(sha256Hex(bytes)).toBe(sha256Hex(sealed.attachments[n])))
      const opened = openStored(env.key, sub!.header, storedReport, stored)
      expect(JSON.parse(Buffer.from(opened.report).toString('utf8'))).toEqual(report)
      expect(Buffer.compare(Buffer.from(opened.attachments[0]), Buffer.from(small))).toBe(0)
      expect(Buffer.compare(Buffer.from(opened.attachments[1]), Buffer.from(large))).toBe(0)
      // The receipt itself is nowhere in the data directory.
      for (const f of ['submissions.sqlite', 'submissions.sqlite-wal']) {
        const p = `${env.dataDir}/${f}`
        if (fs.existsSync(p)) expect(fs.readFileSync(p).includes(Buffer.from(code))).toBe(false)
      }
    } finally {
      await repo.close()
    }
  })

  test('status by receipt: received, then what the bureau sets, with its public note', async () => {
    const res = await request(base, '/api/v1/status', { method: 'POST', body: { receipt: code } })
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ status: 'received', changedAt: expect.any(String) })
    const repo = SqliteRepository.open(env.dataDir)
    try {
      await repo.setStatus(id, 'reviewing', '已转交御东分局核查', Date.parse('2026-01-02T03:04:05Z'))
    } finally {
      await repo.close()
    }
    const after = await request(base, '/api/v1/status', { method: 'POST', body: { receipt: code } })
    expect(after.json).toEqual({ status: 'reviewing', changedAt: '2026-01-02T03:04:00.000Z', note: '已转交御东分局核查' })
  })

  test('unknown receipts get the same 404 as any other miss, no faster than a hit', async () => {
    const t0 = performance.now()
    const hit = await request(base, '/api/v1/status', { method: 'POST', body: { receipt: code } })
    const hitMs = performance.now() - t0
    const t1 = performance.now()
    const miss = await request(base, '/api/v1/status', { method: 'POST', body: { receipt: receipt() } })
    const missMs = performance.now() - t1
    expect(hit.status).toBe(200)
    expect(miss.status).toBe(404)
    expect(miss.json).toEqual({ code: 'RECEIPT_NOT_FOUND', message: expect.any(String) })
    // STATUS_MIN_MS is 50 in tests; scrypt alone takes tens of milliseconds.
    expect(missMs).toBeGreaterThanOrEqual(45)
    expect(hitMs).toBeGreaterThanOrEqual(45)
  })
})

describe('small reports', () => {
  test('a report without attachments finalizes directly', async () => {
    const sealed = seal(env.key, { description: 'no evidence' })
    const created = await request(base, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed) })
    expect(created.status).toBe(201)
    expect(created.json.attachments).toEqual([])
    const code = receipt()
    const fin = await request(base, `/api/v1/submissions/${created.json.id}/finalize`, { method: 'POST', body: { receipt: code } })
    expect(fin.status).toBe(200)
    const status = await request(base, '/api/v1/status', { method: 'POST', body: { receipt: code } })
    expect(status.json.status).toBe('received')
  })

  test('an attachment whose bytes do not match its SHA-256 is refused at finalize and reset to 0', async () => {
    const sealed = seal(env.key, { x: 1 }, [new Uint8Array(randomBytes(5000))])
    const created = await request(base, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed, idempotencyKey()) })
    const id = created.json.id
    const tampered = Buffer.from(sealed.attachments[0])
    tampered[100] ^= 1
    await upload(base, id, 0, tampered)
    const fin = await request(base, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: receipt() } })
    expect(fin.status).toBe(409)
    expect(fin.json).toMatchObject({ code: 'ATTACHMENT_HASH_MISMATCH', attachments: [{ n: 0, offset: 0, size: tampered.length }] })
    const head = await request(base, `/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD' })
    expect(head.headers['upload-offset']).toBe('0')
    await upload(base, id, 0, sealed.attachments[0])
    const again = await request(base, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: receipt() } })
    expect(again.status).toBe(200)
  })
})

describe('docs', () => {
  test('the OpenAPI document is generated from the route schemas and served with the UI at /docs', async () => {
    const doc = await request(base, '/docs/json')
    expect(doc.status).toBe(200)
    expect(doc.json.openapi).toMatch(/^3\./)
    const paths = Object.keys(doc.json.paths)
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/config',
        '/api/v1/submissions',
        '/api/v1/submissions/{id}/attachments/{n}',
        '/api/v1/submissions/{id}/finalize',
        '/api/v1/status',
      ]),
    )
    const create = doc.json.paths['/api/v1/submissions'].post
    expect(create.requestBody.content['application/json'].schema.additionalProperties).toBe(false)
    expect(JSON.stringify(create.responses['400'])).toContain('UNKNOWN_KID')
    const ui = await request(base, '/docs/')
    expect(ui.status).toBe(200)
    expect(ui.text).toContain('swagger')
  })
})
