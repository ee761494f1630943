/**
 * Receipt hashing (scrypt) cannot be used to burn the CPU or to test receipts quickly: finalize
 * looks the submission up before hashing, every hash goes through a bounded queue (503 BUSY with
 * Retry-After when full), and RECEIPT_IN_USE takes the status lookup's minimum time. Also the
 * server's side of issue 10: the receipt pepper (outside the data directory, required in
 * production, existing receipts still work) and create's epk checks.
 */
import Database from 'better-sqlite3'
import { randomBytes, scryptSync } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { ReceiptHasher } from '../../server/src/receipts'
import { QueueFullError, WorkQueue } from '../../server/src/work-queue'
import { makeTestEnv, receipt, request, runMain, seal, startServer, submissionBody, type TestEnv } from './helpers'
import { startInProcess } from './in-process'

let env: TestEnv
beforeEach(() => {
  env = makeTestEnv()
})
afterEach(() => env.cleanup())

const finalize = (base: string, id: string, code: string) => request(base, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: code } })
const status = (base: string, code = receipt()) => request(base, '/api/v1/status', { method: 'POST', body: { receipt: code } })

test('finalize of an unknown submission answers 404 without hashing anything', async () => {
  fs.mkdirSync(env.dataDir, { recursive: true })
  const real = ReceiptHasher.open(env.dataDir, { pepper: randomBytes(32) })
  let hashed = 0
  const counting = Object.assign(Object.create(real), { digests: (r: string) => ((hashed += 1), real.digests(r)) }) as ReceiptHasher
  const app = await startInProcess(env, { services: { receipts: counting } })
  try {
    for (let i = 0; i < 5; i++) {
      const res = await finalize(app.base, randomBytes(16).toString('hex'), receipt())
      expect(res.json.code).toBe('SUBMISSION_NOT_FOUND')
    }
    expect(hashed).toBe(0)
    // A real one is hashed once.
    const created = await request(app.base, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { x: 1 })) })
    expect((await finalize(app.base, created.json.id, receipt())).status).toBe(200)
    expect(hashed).toBe(1)
  } finally {
    await app.close()
  }
})

test('a status flood fills the bounded queue: the excess gets 503 BUSY with Retry-After at once, never a 500', async () => {
  const app = await startInProcess(env, { storage: { hashQueue: { concurrency: 1, maxWaiting: 3, maxWaitMs: 5000 } } })
  try {
    const answers = await Promise.all(Array.from({ length: 24 }, () => status(app.base)))
    const codes = answers.map((a) => a.status)
    expect(codes.filter((c) => c === 503).length).toBeGreaterThanOrEqual(15)
    expect(codes.filter((c) => c === 404).length).toBeGreaterThanOrEqual(4)
    expect(codes.every((c) => c === 404 || c === 503)).toBe(true)
    const busy = answers.find((a) => a.status === 503)!
    expect(busy.json.code).toBe('BUSY')
    expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0)
    // Once the flood is over, lookups are answered again.
    expect((await status(app.base)).status).toBe(404)
  } finally {
    await app.close()
  }
})

test('a hash that waits too long for its turn is refused, and the queue hands slots on in order', async () => {
  const q = new WorkQueue({ concurrency: 1, maxWaiting: 10, maxWaitMs: 50 })
  let release!: () => void
  const first = q.run(() => new Promise<void>((r) => (release = r)))
  const second = q.run(async () => 'second')
  await expect(second).rejects.toBeInstanceOf(QueueFullError)
  const third = q.run(async () => 'third')
  release()
  await first
  await expect(third).resolves.toBe('third')
  expect(q.running).toBe(0)
  expect(q.refused).toBe(1)
})

test('RECEIPT_IN_USE takes at least the status lookup minimum, like a status miss', async () => {
  const app = await startInProcess(env, { services: { statusMinMs: 700 } })
  try {
    const code = receipt()
    const a = await request(app.base, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { a: 1 })) })
    const b = await request(app.base, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { b: 1 })) })
    expect((await finalize(app.base, a.json.id, code)).status).toBe(200)
    const started = performance.now()
    const inUse = await finalize(app.base, b.json.id, code)
    const took = performance.now() - started
    expect(inUse.json.code).toBe('RECEIPT_IN_USE')
    expect(took).toBeGreaterThanOrEqual(690)
  } finally {
    await app.close()
  }
})

describe('the receipt pepper', () => {
  test('production refuses to start without one, or with one inside the data directory', async () => {
    const noPepper = await runMain(['--data', env.dataDir, '--campaign', env.campaignFile, '--h5', env.h5Dir, '--port', '0', '--production'])
    expect(noPepper.code).toBe(2)
    expect(noPepper.output).toContain('Production mode needs a receipt pepper kept outside the data directory')
    fs.mkdirSync(env.dataDir, { recursive: true })
    const inside = path.join(env.dataDir, 'pepper')
    fs.writeFileSync(inside, randomBytes(32))
    const res = await runMain(['--data', env.dataDir, '--campaign', env.campaignFile, '--port', '0', '--production'], { RECEIPT_PEPPER_FILE: inside })
    expect(res.code).toBe(2)
    expect(res.output).toContain('is inside the data directory')
    const short = await runMain(['--data', env.dataDir, '--campaign', env.campaignFile, '--port', '0', '--production'], { RECEIPT_PEPPER: 'ab'.repeat(16) })
    expect(short.code).toBe(2)
    expect(short.output).toContain('at least 32 random bytes')
  })

  test('new receipts use the pepper; receipts stored before it (scheme 1) still work', async () => {
    const pepperFile = path.join(env.dir, 'receipt-pepper')
    fs.writeFileSync(pepperFile, randomBytes(32).toString('hex'))
    const server = await startServer(env, { env: { RECEIPT_PEPPER_FILE: pepperFile } })
    try {
      const fresh = receipt()
      const a = await request(server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { a: 1 })) })
      expect((await finalize(server.url, a.json.id, fresh)).status).toBe(200)
      expect((await status(server.url, fresh)).json.status).toBe('received')
      // An "old" receipt: stored as scrypt(receipt, salt) with scheme 1, as before the pepper.
      const old = receipt()
      const b = await request(server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { b: 1 })) })
      const salt = fs.readFileSync(path.join(env.dataDir, 'receipt-salt'))
      const legacy = scryptSync(old, salt, 32, { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('hex')
      const db = new Database(path.join(env.dataDir, 'submissions.sqlite'))
      db.prepare(`UPDATE submissions SET state = 'accepted', receipt_hash = ?, receipt_scheme = 1, status = 'received', status_changed_at = 0, accepted_at = 0, expires_at = NULL WHERE id = ?`).run(legacy, b.json.id)
      const stored = db.prepare('SELECT receipt_hash, receipt_scheme FROM submissions WHERE id = ?').get(a.json.id) as { receipt_hash: string; receipt_scheme: number }
      db.close()
      expect((await status(server.url, old)).json.status).toBe('received')
      // The finalize of the old one with its receipt is still the same answer; another receipt is not.
      expect((await finalize(server.url, b.json.id, old)).status).toBe(200)
      expect((await finalize(server.url, b.json.id, receipt())).json.code).toBe('RECEIPT_MISMATCH')
      // The new receipt's row is scheme 2, and its hash is not what the data directory alone gives.
      expect(stored.receipt_scheme).toBe(2)
      expect(stored.receipt_hash).not.toBe(scryptSync(fresh, salt, 32, { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('hex'))
      // The legacy receipt is reserved too: nobody can take it for a new report.
      const c = await request(server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { c: 1 })) })
      expect((await finalize(server.url, c.json.id, old)).json.code).toBe('RECEIPT_IN_USE')
    } finally {
      await server.stop()
    }
  })
})

describe('create checks the envelope key as the decryptor does', () => {
  const p = Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex')
  test.each([
    ['the zero point (low order)', Buffer.alloc(32)],
    ['u = 1 (low order)', Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])],
    ['u = p − 1 (low order)', Buffer.concat([Buffer.from([0xec]), p.subarray(1)])],
    ['an order-8 point', Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex')],
    ['u = p (not canonical)', p],
    ['the top bit set (not canonical)', Buffer.concat([randomBytes(31), Buffer.from([0x80])])],
  ])('%s is refused with INVALID_EPK', async (_name, epk) => {
    const app = await startInProcess(env)
    try {
      const body = submissionBody(seal(env.key, { x: 1 }))
      body.header.epk = epk.toString('base64')
      const res = await request(app.base, '/api/v1/submissions', { method: 'POST', body })
      expect(res.status).toBe(400)
      expect(res.json).toMatchObject({ code: 'INVALID_EPK', field: '/header/epk' })
    } finally {
      await app.close()
    }
  })
})
