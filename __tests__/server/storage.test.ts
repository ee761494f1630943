/**
 * The storage layer (repository, blob store, receipts) and the expiry sweep, in-process; the
 * expiry test runs the app with an injected clock and talks to it over real HTTP.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { FsBlobStore, OffsetMismatchError } from '../../server/src/blobstore'
import { LIMITS } from '../../server/src/limits'
import { ReceiptHasher } from '../../server/src/receipts'
import { SqliteRepository, type NewSubmission } from '../../server/src/repository'
import { openStorage, purgeSubmission, readObject, sweep } from '../../server/src/services'
import { makeTestEnv, receipt, request, seal, submissionBody, upload, type TestEnv } from './helpers'
import { startInProcess } from './in-process'

let env: TestEnv
beforeEach(() => {
  env = makeTestEnv()
  fs.mkdirSync(env.dataDir)
})
afterEach(() => env.cleanup())

const hex = (n: number) => randomBytes(n).toString('hex')
/** A receipt's hashes under both schemes (random stand-ins). */
const digests = () => ({ 1: hex(32), 2: hex(32) })
const pepper = randomBytes(32)
const MINUTE = 60_000

function newSubmission(overrides: Partial<NewSubmission> = {}): NewSubmission {
  return {
    id: hex(16),
    idempotencyKeyHash: hex(32),
    requestHash: hex(32),
    header: { v: 1, suite: 'x25519-hkdf-sha256-aes256cbc-hmacsha256', kid: '0011223344556677', epk: randomBytes(32).toString('base64') },
    report: randomBytes(112),
    attachments: [{ n: 0, size: 1072, sha256: hex(32) }],
    createdAt: MINUTE,
    expiresAt: MINUTE + LIMITS.submissionTtlMs,
    ...overrides,
  }
}

describe('FsBlobStore', () => {
  test('appends at the durable end only, commits atomically and idempotently, and deletes', async () => {
    const blobs = FsBlobStore.open(env.dataDir)
    const id = hex(16)
    expect(await blobs.size(id, 0)).toBe(0)
    expect(await blobs.append(id, 0, 0, Buffer.from('hello '))).toBe(6)
    await expect(blobs.append(id, 0, 0, Buffer.from('again'))).rejects.toEqual(new OffsetMismatchError(6))
    await expect(blobs.append(id, 0, 7, Buffer.from('gap'))).rejects.toBeInstanceOf(OffsetMismatchError)
    expect(await blobs.append(id, 0, 6, Buffer.from('world'))).toBe(11)
    expect(fs.statSync(blobs.filePath(id, 0, false)).mode & 0o777).toBe(0o600)
    expect(await blobs.sha256(id, 0)).toBe('b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9')
    await blobs.commit(id, 0)
    await blobs.commit(id, 0)
    expect(fs.existsSync(blobs.filePath(id, 0, false))).toBe(false)
    expect(fs.readFileSync(blobs.filePath(id, 0, true), 'utf8')).toBe('hello world')
    expect(await blobs.isCommitted(id, 0)).toBe(true)
    expect(await blobs.size(id, 0)).toBe(11)
    await expect(blobs.append(id, 0, 11, Buffer.from('!'))).rejects.toBeInstanceOf(OffsetMismatchError)
    expect(await blobs.listSubmissionIds()).toEqual([id])
    await blobs.deleteSubmission(id)
    expect(await blobs.listSubmissionIds()).toEqual([])
    expect(await blobs.size(id, 0)).toBe(0)
  })

  test('concurrent appends at the same offset: exactly one wins', async () => {
    const blobs = FsBlobStore.open(env.dataDir)
    const id = hex(16)
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => blobs.append(id, 1, 0, Buffer.alloc(1000, i))))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(await blobs.size(id, 1)).toBe(1000)
  })

  test('refuses ids that are not 32 hex digits (no path tricks)', async () => {
    const blobs = FsBlobStore.open(env.dataDir)
    await expect(blobs.append('../../../../tmp/x', 0, 0, Buffer.from('x'))).rejects.toThrow('invalid submission id')
  })
})

describe('SqliteRepository', () => {
  test('creates idempotently, also within one group commit', async () => {
    const repo = SqliteRepository.open(env.dataDir)
    const input = newSubmission()
    const results = await Promise.all([0, 1, 2].map((i) => repo.createSubmission({ ...input, id: i === 0 ? input.id : hex(16) }, 2000)))
    expect(results.map((r) => r.outcome)).toEqual(['created', 'existing', 'existing'])
    expect(results.map((r) => ('submission' in r ? r.submission.id : ''))).toEqual([input.id, input.id, input.id])
    const conflict = await repo.createSubmission({ ...input, id: hex(16), requestHash: hex(32) }, 2000)
    expect(conflict.outcome).toBe('conflict')
    expect(await repo.listSubmissions()).toHaveLength(1)
    await repo.close()
  })

  test('an expired open submission is gone for clients and listed for the sweeper', async () => {
    const repo = SqliteRepository.open(env.dataDir)
    const input = newSubmission()
    await repo.createSubmission(input, 1000)
    expect(await repo.getSubmission(input.id, input.expiresAt - 1)).toBeDefined()
    expect(await repo.getSubmission(input.id, input.expiresAt)).toBeUndefined()
    expect(await repo.listExpired(input.expiresAt)).toEqual([input.id])
    expect((await repo.acceptSubmission(input.id, digests(), input.expiresAt)).outcome).toBe('not-found')
    // The same idempotency key after expiry makes a new submission.
    const again = await repo.createSubmission({ ...input, id: hex(16) }, input.expiresAt + 1)
    expect(again.outcome).toBe('created')
    await repo.close()
  })

  test('accept, status, note, list, delete (the bureau operations)', async () => {
    const repo = SqliteRepository.open(env.dataDir)
    const a = newSubmission({ createdAt: MINUTE })
    const b = newSubmission({ createdAt: 2 * MINUTE })
    await repo.createSubmission(a, 5)
    await repo.createSubmission(b, 5)
    const hash = digests()
    // Times are kept to the minute (rounded down).
    expect((await repo.acceptSubmission(a.id, hash, 10 * MINUTE + 59_999)).outcome).toBe('accepted')
    expect((await repo.acceptSubmission(a.id, hash, 11 * MINUTE)).outcome).toBe('already')
    expect((await repo.acceptSubmission(a.id, digests(), 11 * MINUTE)).outcome).toBe('receipt-mismatch')
    expect((await repo.acceptSubmission(b.id, hash, 12 * MINUTE)).outcome).toBe('receipt-in-use')
    expect(await repo.findStatusByReceipt(hash)).toEqual({ status: 'received', changedAt: 10 * MINUTE, publicNote: null })
    expect(await repo.setStatus(b.id, 'closed', null, 20 * MINUTE)).toBeUndefined() // not accepted
    await repo.setStatus(a.id, 'reviewing', '核查中', 20 * MINUTE + 1)
    await repo.setStatus(a.id, 'closed', undefined, 30 * MINUTE + 30_000)
    expect(await repo.findStatusByReceipt(hash)).toEqual({ status: 'closed', changedAt: 30 * MINUTE, publicNote: '核查中' })
    // A receipt matches a row under the row's own scheme only.
    expect(await repo.findStatusByReceipt({ 1: hash[2], 2: hex(32) })).toBeUndefined()
    await expect(repo.setStatus(a.id, 'closed', 'x'.repeat(501), 40 * MINUTE)).rejects.toThrow(RangeError)
    expect((await repo.listSubmissions({ state: 'accepted' })).map((s) => s.id)).toEqual([a.id])
    expect((await repo.listSubmissions({ limit: 1 })).map((s) => s.id)).toEqual([a.id])
    expect((await repo.listSubmissions({ after: a.id })).map((s) => s.id)).toEqual([b.id])
    expect(await repo.getReport(a.id)).toEqual(a.report)
    expect(await repo.deleteSubmission(a.id)).toBe(true)
    expect(await repo.deleteSubmission(a.id)).toBe(false)
    expect(await repo.findStatusByReceipt(hash)).toBeUndefined()
    await repo.close()
  })

  test('the schema version is recorded and a reopen keeps everything', async () => {
    const repo = SqliteRepository.open(env.dataDir)
    const input = newSubmission()
    await repo.createSubmission(input, 1000)
    await repo.close()
    const again = SqliteRepository.open(env.dataDir)
    expect((await again.getSubmission(input.id))?.attachments).toEqual(input.attachments)
    await again.close()
  })
})

describe('ReceiptHasher', () => {
  test('creates a 0600 salt on first boot and reuses it; the pepper changes scheme 2 only', async () => {
    const a = ReceiptHasher.open(env.dataDir, { pepper })
    const file = path.join(env.dataDir, 'receipt-salt')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const r = receipt()
    const hash = await a.digests(r)
    expect(hash[1]).toMatch(/^[0-9a-f]{64}$/)
    expect(hash[2]).toMatch(/^[0-9a-f]{64}$/)
    expect(hash[2]).not.toBe(hash[1])
    expect(await ReceiptHasher.open(env.dataDir, { pepper }).digests(r)).toEqual(hash)
    expect((await a.digests(receipt()))[2]).not.toBe(hash[2])
    const other = await ReceiptHasher.open(env.dataDir, { pepper: randomBytes(32) }).digests(r)
    expect(other[1]).toBe(hash[1])
    expect(other[2]).not.toBe(hash[2])
    expect(() => ReceiptHasher.open(env.dataDir, { pepper: randomBytes(31) })).toThrow('pepper too short')
  })
})

describe('expiry', () => {
  test('unfinished submissions expire after 24 hours and their blobs are deleted', async () => {
    let clock = Date.parse('2026-03-01T00:00:00Z')
    const { app, base, services } = await startInProcess(env, { services: { now: () => clock }, app: { rateLimit: true } })
    const storage = services
    try {
      const sealed = seal(env.key, { x: 1 }, [new Uint8Array(randomBytes(4000))])
      const created = await request(base, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed) })
      expect(created.json.expiresAt).toBe('2026-03-02T00:00:00.000Z')
      const id = created.json.id
      await upload(base, id, 0, sealed.attachments[0].subarray(0, 1000))
      // An orphan left by an earlier crash (blobs without a row) goes too.
      const orphan = hex(16)
      await storage.blobs.append(orphan, 0, 0, Buffer.from('orphan'))

      clock += LIMITS.submissionTtlMs - 1
      expect((await request(base, `/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD' })).status).toBe(200)
      clock += 1
      const head = await request(base, `/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD' })
      expect(head.status).toBe(404)
      const fin = await request(base, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: receipt() } })
      expect(fin.json.code).toBe('SUBMISSION_NOT_FOUND')

      expect((await storage.blobs.listSubmissionIds()).sort()).toEqual([id, orphan].sort())
      await app.sweep()
      expect(await storage.blobs.listSubmissionIds()).toEqual([])
      expect(await storage.repository.exists(id)).toBe(false)
    } finally {
      await app.close()
    }
  })

  test('readObject, sweep and purge on their own', async () => {
    const storage = openStorage(env.dataDir)
    const input = newSubmission()
    await storage.repository.createSubmission(input, 1000)
    await storage.blobs.append(input.id, 0, 0, Buffer.from('x'))
    expect(await readObject(storage, input.id, 'report')).toEqual(input.report)
    expect(await readObject(storage, input.id, 'attachment/0')).toEqual(Buffer.from('x'))
    expect(await readObject(storage, input.id, 'attachment/1')).toBeUndefined()
    await expect(readObject(storage, input.id, 'attachment/01')).rejects.toThrow('invalid object label')
    expect(await sweep(storage.repository, storage.blobs, input.expiresAt - 1)).toEqual({ expired: 0, orphans: 0 })
    expect(await purgeSubmission(storage, input.id)).toBe(true)
    expect(await storage.blobs.listSubmissionIds()).toEqual([])
    await storage.repository.close()
  })
})

describe('campaign period', () => {
  test('a campaign that ended without acceptAfterEnd refuses new submissions with CAMPAIGN_CLOSED', async () => {
    const { app, base } = await startInProcess(env, {
      campaign: (c) => (c.campaign.acceptAfterEnd = false),
      services: { now: () => Date.parse('2030-01-01T00:00:00Z') },
    })
    try {
      const res = await request(base, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { x: 1 })) })
      expect(res.status).toBe(403)
      expect(res.json.code).toBe('CAMPAIGN_CLOSED')
    } finally {
      await app.close()
    }
  })
})
