/**
 * A full disk is never a 500 and loses nothing: below the free-space reserve, and on ENOSPC,
 * EDQUOT or SQLITE_FULL, create and PUT answer 507 STORAGE_FULL with Retry-After, status lookups
 * keep working, every acknowledged byte stays, and uploads resume once there is room. On a real
 * small tmpfs when this runs as root and may mount (CI does); with the errors injected at the blob
 * store and the repository in every case. Also: the caps on unfinished declared bytes.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { FsBlobStore } from '../../server/src/blobstore'
import { SqliteRepository } from '../../server/src/repository'
import { MiB } from '../../server/src/limits'
import { makeTestEnv, openStored, receipt, request, seal, startServer, submissionBody, upload, type HttpResponse, type TestEnv } from './helpers'
import { startInProcess } from './in-process'

/** Mounts a small tmpfs, or says why not (not root, no permission in this container). */
function tryMount(sizeMiB: number): { dir: string; unmount: () => void } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-tmpfs-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir], { stdio: 'ignore' })
    return {
      dir,
      unmount: () => {
        execFileSync('umount', [dir], { stdio: 'ignore' })
        fs.rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch {
    fs.rmSync(dir, { recursive: true, force: true })
    return undefined
  }
}

const tmpfs = tryMount(16)
const onTmpfs = tmpfs ? describe : describe.skip
afterAll(() => tmpfs?.unmount())

const put = (base: string, id: string, offset: number, bytes: Uint8Array, from?: string) =>
  request(base, `/api/v1/submissions/${id}/attachments/0`, {
    method: 'PUT',
    headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': offset },
    body: Buffer.from(bytes),
    localAddress: from,
  })
const create = (base: string, body: unknown, from?: string) => request(base, '/api/v1/submissions', { method: 'POST', body, localAddress: from })

function expectStorageFull(res: HttpResponse): void {
  expect(res.status).toBe(507)
  expect(res.json.code).toBe('STORAGE_FULL')
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
}

onTmpfs('on a real 16 MiB tmpfs', () => {
  let env: TestEnv
  beforeAll(() => {
    env = makeTestEnv()
    env.dataDir = path.join(tmpfs!.dir, 'data')
  })
  afterAll(() => env.cleanup())

  test('below the reserve: 507 with Retry-After, status keeps working, 0 × 500; room again: the upload resumes', async () => {
    const server = await startServer(env, { env: { MIN_FREE_BYTES: '6MiB', STATUS_MIN_MS: '0' } })
    try {
      const counts: Record<number, number> = {}
      const count = (r: HttpResponse) => ((counts[r.status] = (counts[r.status] ?? 0) + 1), r)
      const sent: { id: string; sealed: ReturnType<typeof seal>; offset: number }[] = []
      // Creates (2 MiB declared each) with their first MiB, until a create is refused: a create
      // needs room for what it declares.
      let refusedCreate: HttpResponse | undefined
      // One sealed report serves for all (the server neither knows nor cares that they are alike).
      // 2 MiB − 32 KiB − 8 bytes of plaintext: a Padmé value framed, so its v2 object is just under
      // 2 MiB and its second half fits one PUT.
      const sealed = seal(env.key, { fill: true }, [new Uint8Array(randomBytes(2 * MiB - 32 * 1024 - 8))])
      for (let i = 0; i < 30 && !refusedCreate; i++) {
        const c = count(await create(server.url, submissionBody(sealed), `127.0.3.${i + 1}`))
        if (c.status === 507) refusedCreate = c
        else {
          expect(c.status).toBe(201)
          const r = count(await put(server.url, c.json.id, 0, sealed.attachments[0].subarray(0, MiB), `127.0.3.${i + 1}`))
          expect(r.status).toBe(200)
          sent.push({ id: c.json.id, sealed, offset: r.json.offset })
        }
      }
      expect(refusedCreate).toBeDefined()
      expectStorageFull(refusedCreate!)
      // Then the second halves, until a PUT is refused.
      let refusedPut: (typeof sent)[number] | undefined
      for (const s of sent) {
        const r = count(await put(server.url, s.id, s.offset, s.sealed.attachments[0].subarray(s.offset)))
        if (r.status === 507) {
          refusedPut = s
          break
        }
        expect(r.status).toBe(200)
        s.offset = r.json.offset
      }
      expect(refusedPut).toBeDefined()
      const last = refusedPut!
      // More attempts while full: all 507, none 500; status lookups still answered.
      for (let k = 0; k < 5; k++) {
        expectStorageFull(count(await put(server.url, last.id, last.offset, last.sealed.attachments[0].subarray(last.offset))))
        expectStorageFull(count(await create(server.url, submissionBody(sealed))))
      }
      expect((await request(server.url, '/api/v1/status', { method: 'POST', body: { receipt: receipt() } })).status).toBe(404)
      expect(counts[500] ?? 0).toBe(0)
      expect(counts[507]).toBeGreaterThanOrEqual(12)
      if (process.env.PRINT_FIGURES) process.stdout.write(`tmpfs, reserve 6 MiB: ${JSON.stringify(counts)} (status: count)\n`)

      // Every acknowledged byte is there.
      for (const s of sent) {
        const head = await request(server.url, `/api/v1/submissions/${s.id}/attachments/0`, { method: 'HEAD' })
        expect(Number(head.headers['upload-offset'])).toBe(s.offset)
      }
      // Room again (the bureau removes the finished ones): the unfinished upload resumes and finalizes.
      for (const s of sent.filter((x) => x !== last)) {
        fs.rmSync(path.join(env.dataDir, 'blobs', s.id.slice(0, 2), s.id), { recursive: true, force: true })
      }
      await upload(server.url, last.id, 0, last.sealed.attachments[0], MiB, last.offset)
      const fin = await request(server.url, `/api/v1/submissions/${last.id}/finalize`, { method: 'POST', body: { receipt: receipt() } })
      expect(fin.status).toBe(200)
      const stored = fs.readFileSync(path.join(env.dataDir, 'blobs', last.id.slice(0, 2), last.id, '0.bin'))
      // (Buffer.equals: jest's toEqual walks 2 MiB element by element.)
      expect(openStored(env.key, last.sealed.header, last.sealed.report, [stored]).attachments[0].equals(Buffer.from(last.sealed.attachmentPlaintexts[0]))).toBe(true)
    } finally {
      await server.stop()
    }
  })

  test('no reserve, the disk really full: ENOSPC and SQLITE_FULL answer 507, never 500, and nothing acknowledged is lost', async () => {
    fs.rmSync(env.dataDir, { recursive: true, force: true })
    const server = await startServer(env, { env: { MIN_FREE_BYTES: '0', STATUS_MIN_MS: '0' } })
    const filler = path.join(tmpfs!.dir, 'filler')
    try {
      const sealed = seal(env.key, { big: true }, [new Uint8Array(randomBytes(3 * MiB))])
      const c = await create(server.url, submissionBody(sealed))
      expect(c.status).toBe(201)
      const id = c.json.id
      expect((await put(server.url, id, 0, sealed.attachments[0].subarray(0, MiB))).status).toBe(200)
      // Eat every free byte.
      const fd = fs.openSync(filler, 'w')
      try {
        const block = Buffer.alloc(MiB)
        for (;;) fs.writeSync(fd, block)
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC')
      } finally {
        fs.closeSync(fd)
      }
      const statuses: number[] = []
      for (let k = 0; k < 3; k++) {
        const r = await put(server.url, id, MiB, sealed.attachments[0].subarray(MiB, 2 * MiB))
        statuses.push(r.status)
        expectStorageFull(r)
      }
      for (let k = 0; k < 3; k++) {
        const r = await create(server.url, submissionBody(seal(env.key, { k }, [new Uint8Array(randomBytes(64 * 1024))])))
        statuses.push(r.status)
        // A create may still fit in the database's free pages; once it does not, SQLITE_FULL is a 507.
        expect([201, 507]).toContain(r.status)
      }
      expect(statuses).not.toContain(500)
      const head = await request(server.url, `/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD' })
      expect(head.headers['upload-offset']).toBe(String(MiB))
      fs.rmSync(filler)
      await upload(server.url, id, 0, sealed.attachments[0], MiB, MiB)
      expect((await request(server.url, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: receipt() } })).status).toBe(200)
      expect(server.output()).not.toContain('"level":50')
      if (process.env.PRINT_FIGURES) process.stdout.write(`tmpfs, no reserve, disk full: statuses ${JSON.stringify(statuses)}\n`)
    } finally {
      fs.rmSync(filler, { force: true })
      await server.stop()
    }
  })
})

describe('storage errors injected at the blob store and the repository', () => {
  let env: TestEnv
  beforeEach(() => {
    env = makeTestEnv()
  })
  afterEach(() => env.cleanup())

  test.each(['ENOSPC', 'EDQUOT'])('%s from the blob store is a 507, and the upload resumes from the acknowledged offset', async (code) => {
    let fail = false
    class FullBlobStore extends FsBlobStore {
      override appendStream(...a: Parameters<FsBlobStore['appendStream']>) {
        if (!fail) return super.appendStream(...a)
        // Fail part-way: after the store has written the first piece.
        const [id, n, offset, source, limit] = a
        async function* halfThenFail() {
          for await (const piece of source) {
            yield piece
            throw Object.assign(new Error(`${code}: no space left`), { code })
          }
        }
        return super.appendStream(id, n, offset, halfThenFail(), limit)
      }
    }
    fs.mkdirSync(env.dataDir, { recursive: true })
    const app = await startInProcess(env, { services: { blobs: new FullBlobStore(path.join(env.dataDir, 'blobs')) } })
    try {
      const sealed = seal(env.key, { x: 1 }, [new Uint8Array(randomBytes(2 * MiB - 64))])
      const id = (await create(app.base, submissionBody(sealed))).json.id
      expect((await put(app.base, id, 0, sealed.attachments[0].subarray(0, MiB))).status).toBe(200)
      fail = true
      expectStorageFull(await put(app.base, id, MiB, sealed.attachments[0].subarray(MiB, 2 * MiB)))
      const head = await request(app.base, `/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD' })
      expect(head.headers['upload-offset']).toBe(String(MiB))
      fail = false
      await upload(app.base, id, 0, sealed.attachments[0], MiB, MiB)
      expect((await request(app.base, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: receipt() } })).status).toBe(200)
    } finally {
      await app.close()
    }
  })

  test('SQLITE_FULL from the repository is a 507', async () => {
    fs.mkdirSync(env.dataDir, { recursive: true })
    const repository = SqliteRepository.open(env.dataDir)
    repository.createSubmission = async () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
    }
    const app = await startInProcess(env, { services: { repository } })
    try {
      expectStorageFull(await create(app.base, submissionBody(seal(env.key, { x: 1 }))))
      // Nothing is held for the refused submission.
      expect(app.services.admission.unfinishedBytes).toBe(0)
    } finally {
      await app.close()
    }
  })

  test('below the free-space reserve create and PUT answer 507; status still works', async () => {
    let free = 10 * MiB
    const app = await startInProcess(env, { admission: { minFreeBytes: 4 * MiB }, freeSpace: async () => free })
    try {
      const sealed = seal(env.key, { x: 1 }, [new Uint8Array(randomBytes(2 * MiB - 64))])
      const id = (await create(app.base, submissionBody(sealed))).json.id
      // Less room above the reserve than even the smallest object (40 bytes, envelope v2).
      free = 4 * MiB + 20
      expectStorageFull(await put(app.base, id, 0, sealed.attachments[0].subarray(0, MiB)))
      expectStorageFull(await create(app.base, submissionBody(seal(env.key, { y: 1 }))))
      expect((await request(app.base, '/api/v1/status', { method: 'POST', body: { receipt: receipt() } })).status).toBe(404)
      free = 100 * MiB
      expect((await put(app.base, id, 0, sealed.attachments[0].subarray(0, MiB))).status).toBe(200)
    } finally {
      await app.close()
    }
  })
})

describe('caps on unfinished declared bytes (in memory)', () => {
  let env: TestEnv
  beforeAll(() => {
    env = makeTestEnv()
  })
  afterAll(() => env.cleanup())

  test('per client: 429 UNFINISHED_QUOTA past the cap, others unaffected, finalizing gives room back; overall: 507', async () => {
    const app = await startInProcess(env, { admission: { unfinishedBytesPerClient: 5 * MiB, unfinishedBytesTotal: 7 * MiB } })
    try {
      const make = () => seal(env.key, { x: 1 }, [new Uint8Array(randomBytes(2 * MiB - 64))])
      const first = make()
      const a1 = await create(app.base, submissionBody(first), '127.0.0.7')
      expect(a1.status).toBe(201)
      expect((await create(app.base, submissionBody(make()), '127.0.0.7')).status).toBe(201)
      const over = await create(app.base, submissionBody(make()), '127.0.0.7')
      expect(over.status).toBe(429)
      expect(over.json.code).toBe('UNFINISHED_QUOTA')
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0)
      // The same request again (a retry) is not counted twice.
      expect((await create(app.base, submissionBody(first, JSON.parse(JSON.stringify(submissionBody(first))).idempotencyKey), '127.0.0.7')).status).toBe(429)
      // Another client may still create, until the overall cap.
      expect((await create(app.base, submissionBody(make()), '127.0.0.8')).status).toBe(201)
      expectStorageFull(await create(app.base, submissionBody(make()), '127.0.0.9'))
      // Finishing one gives its bytes back.
      await upload(app.base, a1.json.id, 0, first.attachments[0])
      expect((await request(app.base, `/api/v1/submissions/${a1.json.id}/finalize`, { method: 'POST', body: { receipt: receipt() } })).status).toBe(200)
      expect((await create(app.base, submissionBody(make()), '127.0.0.7')).status).toBe(201)
    } finally {
      await app.close()
    }
  })
})
