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
import { SqliteRepository } from '../../server/src/repository'
import { makeTestEnv, receipt, request, seal, submissionBody, upload, type TestEnv } from './helpers'
import { startInProcess } from './in-process'
import { newSubmission } from './repository-contract'

let env: TestEnv
beforeEach(() => {
  env = makeTestEnv()
  fs.mkdirSync(env.dataDir)
})
afterEach(() => env.cleanup())

const hex = (n: number) => randomBytes(n).toString('hex')
const pepper = randomBytes(32)

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

// The repository and blob store contract (both backends): repository-contract.ts.

describe('SqliteRepository', () => {
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
