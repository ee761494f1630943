/**
 * The storage contract every backend passes (SQLite + files, PostgreSQL + chunk rows): repository,
 * blob store, cluster locks and the sweep, through the interfaces only. repository-sqlite.test.ts
 * and repository-pg.test.ts run it; a new table's repository methods get their cases here, once.
 *
 * `open()` gives one instance's storage; backends shared by several instances also give
 * `openAnother()`, a second, independent instance on the same data (its own connections), for the
 * cross-instance cases.
 */
import { randomBytes } from 'node:crypto'
import { OffsetMismatchError } from '../../server/src/blobstore'
import { LIMITS } from '../../server/src/limits'
import type { NewSubmission } from '../../server/src/repository'
import { purgeSubmission, readObject, sweep, type Storage } from '../../server/src/services'

const header = { t: 'case-message' as const, v: 1 as const, suite: 'x25519-hkdf-sha256-chacha20poly1305-stream64k-padme', kid: '0011223344556677', rkid: '8899aabbccddeeff', epk: randomBytes(32).toString('base64') }

export interface Backend {
  open(): Promise<Storage>
  openAnother?(): Promise<Storage>
}

const hex = (n: number) => randomBytes(n).toString('hex')
/** A receipt's hashes under both schemes (random stand-ins). */
const digests = () => ({ 1: hex(32), 2: hex(32) })
const MINUTE = 60_000

export function newSubmission(overrides: Partial<NewSubmission> = {}): NewSubmission {
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

async function readAll(storage: Storage, id: string, n: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of await storage.blobs.openRead(id, n)) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

export function storageContract(backend: Backend): void {
  const opened: Storage[] = []
  const open = async (another = false) => {
    const s = another ? await backend.openAnother!() : await backend.open()
    opened.push(s)
    return s
  }
  afterEach(async () => {
    for (const s of opened.splice(0)) {
      await s.repository.close()
      await s.locks.close()
    }
  })

  describe('repository', () => {
    test('creates idempotently, also when the creates arrive together', async () => {
      const { repository: repo } = await open()
      const input = newSubmission()
      const results = await Promise.all([0, 1, 2].map((i) => repo.createSubmission({ ...input, id: i === 0 ? input.id : hex(16) }, 2000)))
      expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'existing', 'existing'])
      const ids = new Set(results.map((r) => ('submission' in r ? r.submission.id : '')))
      expect(ids.size).toBe(1)
      const conflict = await repo.createSubmission({ ...input, id: hex(16), requestHash: hex(32) }, 2000)
      expect(conflict.outcome).toBe('conflict')
      expect(await repo.listSubmissions()).toHaveLength(1)
    })

    test('stores what it was given: header, report, declarations of both versions, times to the minute', async () => {
      const { repository: repo } = await open()
      const input = newSubmission({
        header: { v: 2, suite: 'x25519-hkdf-sha256-chacha20poly1305-stream', kid: 'aabbccddeeff0011', epk: randomBytes(32).toString('base64') },
        attachments: [
          { n: 0, size: 5000, crc32: '0a1b2c3d' },
          { n: 1, size: 7000, crc32: 'ffffffff' },
        ],
        createdAt: 5 * MINUTE + 59_999,
        expiresAt: 10 * MINUTE + 1,
      })
      const created = await repo.createSubmission(input, 1)
      expect(created.outcome).toBe('created')
      const sub = (await repo.getSubmission(input.id))!
      expect(sub).toMatchObject({
        id: input.id,
        state: 'open',
        header: input.header,
        attachments: input.attachments,
        reportSize: input.report.length,
        createdAt: 5 * MINUTE,
        expiresAt: 10 * MINUTE,
        acceptedAt: null,
        status: null,
        receiptHash: null,
        requestHash: input.requestHash,
      })
      expect(await repo.getReport(input.id)).toEqual(input.report)
      expect(await repo.getReport(hex(16))).toBeUndefined()
      expect(await repo.getSubmission(hex(16))).toBeUndefined()
      expect(await repo.listOpenSizes()).toEqual([{ id: input.id, bytes: input.report.length + 12000 }])
    })

    test('an expired open submission is gone for clients and listed for the sweeper', async () => {
      const { repository: repo } = await open()
      const input = newSubmission()
      await repo.createSubmission(input, 1000)
      expect(await repo.getSubmission(input.id, input.expiresAt - 1)).toBeDefined()
      expect(await repo.getSubmission(input.id, input.expiresAt)).toBeUndefined()
      expect(await repo.listExpired(input.expiresAt)).toEqual([input.id])
      expect(await repo.listExpired(input.expiresAt - 1)).toEqual([])
      expect((await repo.acceptSubmission(input.id, digests(), input.expiresAt)).outcome).toBe('not-found')
      // The same idempotency key after expiry makes a new submission.
      const again = await repo.createSubmission({ ...input, id: hex(16) }, input.expiresAt + 1)
      expect(again.outcome).toBe('created')
      expect(await repo.exists(input.id)).toBe(false)
    })

    test('accept, status, note, list, delete (the bureau operations)', async () => {
      const { repository: repo } = await open()
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
      expect((await repo.acceptSubmission(hex(16), digests(), 12 * MINUTE)).outcome).toBe('not-found')
      expect(await repo.findStatusByReceipt(hash)).toEqual({ status: 'received', changedAt: 10 * MINUTE, publicNote: null })
      expect(await repo.setStatus(b.id, 'closed', null, 20 * MINUTE)).toBeUndefined() // not accepted
      await repo.setStatus(a.id, 'reviewing', '核查中', 20 * MINUTE + 1)
      await repo.setStatus(a.id, 'closed', undefined, 30 * MINUTE + 30_000)
      expect(await repo.findStatusByReceipt(hash)).toEqual({ status: 'closed', changedAt: 30 * MINUTE, publicNote: '核查中' })
      // A receipt matches a row under the row's own scheme only.
      expect(await repo.findStatusByReceipt({ 1: hash[2], 2: hex(32) })).toBeUndefined()
      await expect(repo.setStatus(a.id, 'closed', 'x'.repeat(501), 40 * MINUTE)).rejects.toThrow(RangeError)
      expect((await repo.listSubmissions({ state: 'accepted' })).map((s) => s.id)).toEqual([a.id])
      expect((await repo.listSubmissions({ state: 'open' })).map((s) => s.id)).toEqual([b.id])
      expect((await repo.listSubmissions({ status: 'closed' })).map((s) => s.id)).toEqual([a.id])
      expect((await repo.listSubmissions({ since: 2 * MINUTE })).map((s) => s.id)).toEqual([b.id])
      expect((await repo.listSubmissions({ limit: 1 })).map((s) => s.id)).toEqual([a.id])
      expect((await repo.listSubmissions({ after: a.id })).map((s) => s.id)).toEqual([b.id])
      expect((await repo.listSubmissions())[1].attachments).toEqual(b.attachments)
      expect(await repo.getReport(a.id)).toEqual(a.report)
      expect(await repo.deleteSubmission(a.id)).toBe(true)
      expect(await repo.deleteSubmission(a.id)).toBe(false)
      expect(await repo.findStatusByReceipt(hash)).toBeUndefined()
    })

    test('finalize races: exactly one accept wins, whatever the receipts', async () => {
      const first = await open()
      const second = backend.openAnother ? await open(true) : first
      const input = newSubmission()
      await first.repository.createSubmission(input, 5)
      const receipts = [digests(), digests(), digests(), digests()]
      const results = await Promise.all(receipts.map((r, i) => (i % 2 ? second : first).repository.acceptSubmission(input.id, r, 10)))
      expect(results.filter((r) => r.outcome === 'accepted')).toHaveLength(1)
      expect(results.filter((r) => r.outcome === 'receipt-mismatch')).toHaveLength(3)
      // Two submissions finalized at once under one receipt: one gets it, the other must draw again.
      const [x, y] = [newSubmission(), newSubmission()]
      await first.repository.createSubmission(x, 5)
      await first.repository.createSubmission(y, 5)
      const same = digests()
      const both = await Promise.all([first.repository.acceptSubmission(x.id, same, 10), second.repository.acceptSubmission(y.id, same, 10)])
      expect(both.map((r) => r.outcome).sort()).toEqual(['accepted', 'receipt-in-use'])
    })

    test('the data outlives the instance: a reopen keeps everything', async () => {
      const storage = await open()
      const input = newSubmission()
      await storage.repository.createSubmission(input, 1000)
      await storage.blobs.append(input.id, 0, 0, Buffer.from('kept'))
      const again = await open()
      expect((await again.repository.getSubmission(input.id))?.attachments).toEqual(input.attachments)
      expect(await readAll(again, input.id, 0)).toEqual(Buffer.from('kept'))
    })
  })

  describe('blob store', () => {
    test('appends at the durable end only, commits idempotently, reads back, discards and deletes', async () => {
      const { blobs } = await open()
      const id = hex(16)
      expect(await blobs.size(id, 0)).toBe(0)
      expect(await blobs.isCommitted(id, 0)).toBe(false)
      expect(await blobs.append(id, 0, 0, Buffer.from('hello '))).toBe(6)
      await expect(blobs.append(id, 0, 0, Buffer.from('again'))).rejects.toEqual(new OffsetMismatchError(6))
      await expect(blobs.append(id, 0, 7, Buffer.from('gap'))).rejects.toBeInstanceOf(OffsetMismatchError)
      expect(await blobs.append(id, 0, 6, Buffer.from('world'))).toBe(11)
      expect(await blobs.sha256(id, 0)).toBe('b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9')
      expect(await blobs.crc32(id, 0)).toBe('0d4a1185')
      await blobs.commit(id, 0)
      await blobs.commit(id, 0)
      expect(await blobs.isCommitted(id, 0)).toBe(true)
      expect(await blobs.size(id, 0)).toBe(11)
      await expect(blobs.append(id, 0, 11, Buffer.from('!'))).rejects.toBeInstanceOf(OffsetMismatchError)
      await blobs.append(id, 1, 0, Buffer.from('second'))
      await blobs.discard(id, 1)
      expect(await blobs.size(id, 1)).toBe(0)
      await expect(blobs.openRead(id, 1)).rejects.toMatchObject({ code: 'ENOENT' })
      expect(await blobs.listSubmissionIds()).toEqual([id])
      await blobs.deleteSubmission(id)
      expect(await blobs.listSubmissionIds()).toEqual([])
      expect(await blobs.size(id, 0)).toBe(0)
    })

    test('a streamed chunk longer than its limit, or cut off, leaves nothing', async () => {
      const storage = await open()
      const id = hex(16)
      await storage.blobs.append(id, 0, 0, Buffer.from('abc'))
      async function* tooLong() {
        yield Buffer.alloc(600)
        yield Buffer.alloc(600)
      }
      await expect(storage.blobs.appendStream(id, 0, 3, tooLong(), 1000)).rejects.toThrow('longer than 1000')
      async function* cutOff() {
        yield Buffer.alloc(100)
        throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' })
      }
      await expect(storage.blobs.appendStream(id, 0, 3, cutOff(), 1000)).rejects.toThrow('aborted')
      expect(await storage.blobs.size(id, 0)).toBe(3)
      expect(await readAll(storage, id, 0)).toEqual(Buffer.from('abc'))
    })

    test('large objects read back byte-exact, in order', async () => {
      const storage = await open()
      const id = hex(16)
      const bytes = randomBytes(5 * 256 * 1024 + 77)
      for (let off = 0; off < bytes.length; off += 256 * 1024) {
        await storage.blobs.append(id, 0, off, bytes.subarray(off, Math.min(bytes.length, off + 256 * 1024)))
      }
      expect(await readAll(storage, id, 0)).toEqual(bytes)
      // Byte ranges (the bureau API's Range requests): inside one chunk, across chunks, to the end.
      const limit = bytes.length - 1
      for (const [start, end] of [[10, 19], [256 * 1024 - 5, 256 * 1024 + 4], [3 * 256 * 1024, limit], [limit, limit]]) {
        const parts: Buffer[] = []
        for await (const c of await storage.blobs.openRead(id, 0, { start, end })) parts.push(c as Buffer)
        expect(Buffer.concat(parts).equals(bytes.subarray(start, end + 1))).toBe(true)
      }
    }, 120_000)

    test('concurrent appends at the same offset, from every instance: exactly one wins', async () => {
      const first = await open()
      const second = backend.openAnother ? await open(true) : first
      const id = hex(16)
      // At 0 (the object is new) and at 1000 (it exists): one winner each time, the others told the offset.
      for (const offset of [0, 1000]) {
        const results = await Promise.allSettled([1, 2, 3, 4].map((i) => (i % 2 ? second : first).blobs.append(id, 1, offset, Buffer.alloc(1000, i))))
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toEqual(new OffsetMismatchError(offset + 1000))
      }
      expect(await first.blobs.size(id, 1)).toBe(2000)
      const bytes = await readAll(second, id, 1)
      expect(bytes).toEqual(Buffer.concat([Buffer.alloc(1000, bytes[0]), Buffer.alloc(1000, bytes[1000])]))
    })

    test('refuses ids that are not 32 hex digits (no path or key tricks)', async () => {
      const { blobs } = await open()
      await expect(blobs.append('../../../../tmp/x', 0, 0, Buffer.from('x'))).rejects.toThrow('invalid submission id')
    })
  })

  describe('locks and sweep', () => {
    test('a lock admits one task at a time across instances; tryRun skips while it is held', async () => {
      const first = await open()
      const second = backend.openAnother ? await open(true) : first
      const order: string[] = []
      let release!: () => void
      const held = first.locks.run('k', async () => {
        order.push('a-in')
        await new Promise<void>((r) => (release = r))
        order.push('a-out')
      })
      while (order.length === 0) await new Promise((r) => setTimeout(r, 5))
      const waiting = second.locks.run('k', async () => void order.push('b'))
      expect(await second.locks.tryRun('k', async () => 'ran')).toEqual({ ran: false })
      expect(await second.locks.tryRun('other', async () => 'ran')).toEqual({ ran: true, value: 'ran' })
      await new Promise((r) => setTimeout(r, 50))
      expect(order).toEqual(['a-in'])
      release()
      await Promise.all([held, waiting])
      expect(order).toEqual(['a-in', 'a-out', 'b'])
    })

    test('a held key does not hold up other keys, however many requests wait for it on every instance', async () => {
      const first = await open()
      const second = backend.openAnother ? await open(true) : first
      let release!: () => void
      let entered!: () => void
      const inside = new Promise<void>((r) => (entered = r))
      const held = first.locks.run('busy', async () => {
        entered()
        await new Promise<void>((r) => (release = r))
      })
      await inside
      // More waiters than the lock pool has connections (8 on PostgreSQL), on both instances.
      let running = 0
      let most = 0
      let done = 0
      const waiters = Array.from({ length: 24 }, (_, i) =>
        (i % 3 === 0 ? first : second).locks.run('busy', async () => {
          most = Math.max(most, ++running)
          await new Promise((r) => setTimeout(r, 2))
          running -= 1
          done += 1
        }),
      )
      await new Promise((r) => setTimeout(r, 100))
      const within = <T>(p: Promise<T>, ms: number) =>
        Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms))])
      // Other keys are taken at once on both instances, with run and with tryRun.
      await expect(within(second.locks.run('other', async () => 'ran'), 3000)).resolves.toBe('ran')
      await expect(within(first.locks.run('other-2', async () => 'ran'), 3000)).resolves.toBe('ran')
      await expect(within(second.locks.tryRun('other-3', async () => 'ran'), 3000)).resolves.toEqual({ ran: true, value: 'ran' })
      expect(done).toBe(0)
      release()
      await held
      await within(Promise.all(waiters), 20_000)
      expect([done, most]).toEqual([24, 1])
    }, 30_000)

    test('sweeps running at once on every instance delete each expired submission once', async () => {
      const first = await open()
      const second = backend.openAnother ? await open(true) : first
      const inputs = [newSubmission(), newSubmission(), newSubmission()]
      for (const s of inputs) {
        await first.repository.createSubmission(s, 5)
        await first.blobs.append(s.id, 0, 0, Buffer.from('x'))
      }
      const orphan = hex(16)
      await first.blobs.append(orphan, 0, 0, Buffer.from('orphan'))
      const now = inputs[0].expiresAt
      const results = await Promise.all([
        sweep(first.repository, first.blobs, now, undefined, first.caseBlobs, first.locks),
        sweep(second.repository, second.blobs, now, undefined, second.caseBlobs, second.locks),
        sweep(first.repository, first.blobs, now, undefined, first.caseBlobs, first.locks),
      ])
      expect(results.reduce((n, r) => n + r.expired, 0)).toBe(3)
      expect(results.reduce((n, r) => n + r.orphans, 0)).toBe(1)
      expect(results.filter((r) => r.skipped).length).toBeGreaterThanOrEqual(1)
      expect(await first.blobs.listSubmissionIds()).toEqual([])
      for (const s of inputs) expect(await second.repository.exists(s.id)).toBe(false)
    })

    test('a finalize that wins the race with the sweep keeps its report, its files and its message', async () => {
      const storage = await open()
      const input = newSubmission({ attachments: [{ n: 0, size: 10, sha256: hex(32) }] })
      await storage.repository.createSubmission(input, MINUTE)
      await storage.blobs.append(input.id, 0, 0, randomBytes(10))
      await storage.blobs.commit(input.id, 0)
      const owner = newSubmission({ attachments: [] })
      await storage.repository.createSubmission(owner, MINUTE)
      await storage.repository.acceptSubmission(owner.id, { 1: '-', 2: hex(32) }, MINUTE, 'case')
      const quota = { messagesPerDay: 20, materialBytes: 1 << 30, ttlMs: 86_400_000 }
      const created = await storage.repository.cases.createResidentMessage(
        { caseId: owner.id, from: 'resident', header, message: randomBytes(48), copy: randomBytes(48), requestHash: hex(32), msgId: hex(16), attachments: [{ n: 0, size: 10, crc32: '00000000' }] },
        quota,
        MINUTE,
      )
      if (created.outcome !== 'created') throw new Error('not created')
      const msgId = created.message.msgId
      await storage.caseBlobs.append(msgId, 0, 0, randomBytes(10))
      await storage.caseBlobs.commit(msgId, 0)
      // The sweeper lists both as expired; each finalize (its clock read just before expiry)
      // commits between that listing and the delete.
      const repository = Object.create(storage.repository) as typeof storage.repository
      const cases = Object.create(storage.repository.cases) as typeof storage.repository.cases
      Object.defineProperty(repository, 'cases', { value: cases })
      repository.listExpired = async (now, limit) => {
        const ids = await storage.repository.listExpired(now, limit)
        expect(ids).toContain(input.id)
        expect((await storage.repository.acceptSubmission(input.id, digests(), input.expiresAt - 1)).outcome).toBe('accepted')
        return ids
      }
      cases.listExpiredMessages = async (now, limit) => {
        const ids = await storage.repository.cases.listExpiredMessages(now, limit)
        expect(ids).toContain(msgId)
        expect((await storage.repository.cases.acceptMessage(owner.id, msgId, MINUTE + 86_400_000 - 1))?.seq).toBe(1)
        return ids
      }
      const later = Math.max(input.expiresAt, MINUTE + 86_400_000)
      expect(await sweep(repository, storage.blobs, later, () => {}, storage.caseBlobs)).toMatchObject({ expired: 0 })
      expect((await storage.repository.getSubmission(input.id))?.state).toBe('accepted')
      expect(await storage.blobs.isCommitted(input.id, 0)).toBe(true)
      expect(await storage.repository.cases.messageExists(msgId)).toBe(true)
      expect(await storage.caseBlobs.isCommitted(msgId, 0)).toBe(true)
    })

    test('readObject and purge', async () => {
      const storage = await open()
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
    })
  })

  describe('case channel', () => {
    test('open messages expire with their uploads; purge removes a case with its added files; closing starts the writing window', async () => {
      const storage = await open()
      const sub = newSubmission({ attachments: [] })
      await storage.repository.createSubmission(sub, MINUTE)
      await storage.repository.acceptSubmission(sub.id, { 1: '-', 2: hex(32) }, MINUTE, 'case')
      const quota = { messagesPerDay: 20, materialBytes: 1 << 30, ttlMs: 86_400_000 }
      const base = { caseId: sub.id, from: 'resident' as const, header, message: randomBytes(48), copy: randomBytes(48), requestHash: hex(32) }
      const pending = await storage.repository.cases.createResidentMessage({ ...base, msgId: hex(16), attachments: [{ n: 0, size: 100, crc32: '00000000' }] }, quota, MINUTE)
      const done = await storage.repository.cases.createResidentMessage({ ...base, msgId: hex(16), attachments: [{ n: 0, size: 100, crc32: '00000000' }] }, quota, MINUTE)
      if (pending.outcome !== 'created' || done.outcome !== 'created') throw new Error('not created')
      await storage.caseBlobs.append(pending.message.msgId, 0, 0, randomBytes(50))
      await storage.caseBlobs.append(done.message.msgId, 0, 0, randomBytes(100))
      await storage.caseBlobs.commit(done.message.msgId, 0)
      expect((await storage.repository.cases.acceptMessage(sub.id, done.message.msgId, 2 * MINUTE))?.seq).toBe(1)

      const swept = await sweep(storage.repository, storage.blobs, MINUTE + 86_400_000 + MINUTE, () => {}, storage.caseBlobs)
      expect(swept.expired).toBe(1)
      expect(await storage.repository.cases.messageExists(pending.message.msgId)).toBe(false)
      expect(await storage.caseBlobs.size(pending.message.msgId, 0)).toBe(0)
      expect(await storage.caseBlobs.isCommitted(done.message.msgId, 0)).toBe(true)

      const closed = await storage.repository.setStatus(sub.id, 'closed', null, 10 * MINUTE)
      expect(closed?.status).toBe('closed')
      expect((await storage.repository.cases.getCase(sub.id))?.closedAt).toBe(10 * MINUTE)
      await storage.repository.setStatus(sub.id, 'closed', 'note', 20 * MINUTE)
      expect((await storage.repository.cases.getCase(sub.id))?.closedAt).toBe(10 * MINUTE)
      await storage.repository.setStatus(sub.id, 'reviewing', null, 30 * MINUTE)
      expect((await storage.repository.cases.getCase(sub.id))?.closedAt).toBeNull()

      expect(await purgeSubmission(storage, sub.id)).toBe(true)
      expect(await storage.repository.cases.messageExists(done.message.msgId)).toBe(false)
      expect(await storage.caseBlobs.isCommitted(done.message.msgId, 0)).toBe(false)
    })

    test('messages written at once on every instance: the quota holds and each accepted message gets its own seq', async () => {
      const first = await open()
      const second = backend.openAnother ? await open(true) : first
      const sub = newSubmission({ attachments: [] })
      await first.repository.createSubmission(sub, MINUTE)
      await first.repository.acceptSubmission(sub.id, { 1: '-', 2: hex(32) }, MINUTE, 'case')
      const base = { caseId: sub.id, from: 'resident' as const, header, message: randomBytes(48), copy: randomBytes(48), attachments: [] }
      const quota = { messagesPerDay: 3, materialBytes: 1 << 30, ttlMs: 86_400_000 }
      const results = await Promise.all(
        [0, 1, 2, 3, 4, 5].map((i) => (i % 2 ? second : first).repository.cases.createResidentMessage({ ...base, msgId: hex(16), requestHash: hex(32) }, quota, 2 * MINUTE)),
      )
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(3)
      expect(results.filter((r) => r.outcome === 'quota')).toHaveLength(3)
      const seqs = (await second.repository.cases.listMessages(sub.id, 2 * MINUTE)).map((m) => m.seq)
      expect(seqs).toEqual([1, 2, 3])
      const replies = await Promise.all(
        [0, 1, 2, 3].map((i) => (i % 2 ? second : first).repository.cases.postBureauMessage({ ...base, from: 'bureau', msgId: hex(16), requestHash: hex(32) }, 3 * MINUTE)),
      )
      expect(replies.every((r) => r.outcome === 'created')).toBe(true)
      expect((await first.repository.cases.listMessages(sub.id, 3 * MINUTE)).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7])
      expect(await first.repository.cases.markRead(sub.id, 4 * MINUTE, 2)).toBe(2)
      expect(await second.repository.cases.listActivity([sub.id])).toEqual([{ caseId: sub.id, unread: 1, unreadAttachments: 0, messages: 7, lastAt: 3 * MINUTE }])
    })

    test('listActivity gives exactly the cases asked for that have accepted messages, however many ids', async () => {
      const { repository: repo } = await open()
      const quota = { messagesPerDay: 20, materialBytes: 1 << 30, ttlMs: 86_400_000 }
      const cases: string[] = []
      for (let i = 0; i < 5; i++) {
        const sub = newSubmission({ attachments: [] })
        await repo.createSubmission(sub, MINUTE)
        await repo.acceptSubmission(sub.id, { 1: '-', 2: hex(32) }, MINUTE, 'case')
        cases.push(sub.id)
      }
      const [a, b, c, openOnly, silent] = cases
      const base = { from: 'resident' as const, header, message: randomBytes(48), copy: randomBytes(48), attachments: [] }
      const write = async (caseId: string, n: number, at: number) => {
        for (let i = 0; i < n; i++) {
          const r = await repo.cases.createResidentMessage({ ...base, caseId, msgId: hex(16), requestHash: hex(32) }, quota, at)
          if (r.outcome !== 'created') throw new Error(r.outcome)
        }
      }
      await write(a, 2, 2 * MINUTE)
      await write(b, 3, 3 * MINUTE)
      await write(c, 1, 4 * MINUTE)
      await repo.cases.postBureauMessage({ ...base, caseId: c, from: 'bureau', msgId: hex(16), requestHash: hex(32) }, 5 * MINUTE)
      // A message still waiting for its files is not counted, and a case with only that is absent.
      await repo.cases.createResidentMessage({ ...base, caseId: openOnly, msgId: hex(16), requestHash: hex(32), attachments: [{ n: 0, size: 10, crc32: '00000000' }] }, quota, 2 * MINUTE)

      const all = [
        { caseId: a, unread: 2, unreadAttachments: 0, messages: 2, lastAt: 2 * MINUTE },
        { caseId: b, unread: 3, unreadAttachments: 0, messages: 3, lastAt: 3 * MINUTE },
        { caseId: c, unread: 1, unreadAttachments: 0, messages: 2, lastAt: 5 * MINUTE },
      ].sort((x, y) => (x.caseId < y.caseId ? -1 : 1))
      const only = (...ids: string[]) => all.filter((x) => ids.includes(x.caseId))
      expect(await repo.cases.listActivity(cases)).toEqual(all)
      // A subset: those cases only (b has messages and must not appear), in case id order.
      expect(await repo.cases.listActivity([c, a, silent, openOnly])).toEqual(only(a, c))
      expect(await repo.cases.listActivity([b])).toEqual(only(b))
      expect(await repo.cases.listActivity([])).toEqual([])
      // Unknown ids (and ones that are no id at all) are ignored; a repeated id counts once.
      expect(await repo.cases.listActivity([hex(16), "x') OR 1=1 --", a, a])).toEqual(only(a))
      // Far more ids than SQLite binds in one statement (32,766): one query still answers.
      const many = Array.from({ length: 40_000 }, () => hex(16))
      many.splice(20_000, 0, b)
      many.push(c)
      expect(await repo.cases.listActivity(many)).toEqual(only(b, c))
    })
  })

  describe('bureau tables', () => {
    test('tokens, a gap-free append-only audit log written from every instance, notes, read marks', async () => {
      const first = await open()
      const second = backend.openAnother ? await open(true) : first
      const token = await first.repository.createToken({ id: hex(8), name: '工作站 1', secretHash: hex(32), branches: ['sj'], createdAt: MINUTE })
      expect(await second.repository.findToken(hex(32))).toBeUndefined()
      expect((await second.repository.listTokens()).map((t) => t.id)).toEqual([token.id])
      expect(await second.repository.revokeToken(token.id, 2 * MINUTE)).toBe(true)
      const entry = (i: number) => ({ at: MINUTE, tokenId: token.id, tokenName: token.name, action: 'case.view' as const, caseId: null, detail: String(i) })
      await Promise.all([0, 1, 2, 3, 4, 5].map((i) => (i % 2 ? second : first).repository.appendAudit(entry(i))))
      await Promise.all([first.repository.appendAuditMany([entry(6), entry(7)]), second.repository.appendAuditMany([entry(8), entry(9)])])
      const seqs = (await first.repository.listAudit({ newestFirst: false, limit: 1000 })).map((e) => e.seq)
      expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      const sub = newSubmission({ attachments: [] })
      await first.repository.createSubmission(sub, MINUTE)
      await first.repository.acceptSubmission(sub.id, digests(), MINUTE)
      await second.repository.addNote({ id: hex(16), caseId: sub.id, tokenId: token.id, createdAt: MINUTE, header: '{}', object: randomBytes(40) })
      expect(await first.repository.markRead(sub.id, 3 * MINUTE + 5)).toBe(3 * MINUTE)
      expect(await second.repository.markRead(sub.id, 9 * MINUTE)).toBe(3 * MINUTE)
      expect((await first.repository.caseBureauStates([sub.id])).get(sub.id)).toEqual({ readAt: 3 * MINUTE, notes: 1 })
      expect((await first.repository.listNotes(sub.id))).toHaveLength(1)
    })
  })
}
