/**
 * PostgreSQL restarted while reports upload: two server instances on a private PostgreSQL server
 * (pg-cluster.ts), clients uploading several reports at once, and the database stopped (fast
 * shutdown: open transactions aborted) and started again in the middle. The clients get 503
 * STORAGE_UNAVAILABLE (with Retry-After) and retry as the phone's outbox does, resuming from the
 * HEAD offset; the instances stay up; nothing acknowledged is lost (every HEAD after the restart
 * is at or past the last acknowledged offset) and every report ends finalized, byte-exact.
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { readObject, openStorage } from '../../server/src/services'
import { makeTestEnv, receipt, request, seal, startServer, submissionBody, type HttpResponse, type RunningServer, type TestEnv } from './helpers'
import { startPrivateCluster, type PrivateCluster } from '../../scripts/pg-private-cluster'
import { PG_URL } from './pg-test-db'

const KiB = 1024
// Child processes and a database on a shared machine: generous bounds, the assertions decide.
jest.setTimeout(120_000)
const runs = PG_URL || process.env.CI === 'true' ? describe : describe.skip
let env: TestEnv
let cluster: PrivateCluster
let servers: RunningServer[] = []

interface Tally {
  unavailable: number
  connectionErrors: number
  acknowledged: number
}

/** One request, retried on 503 and on connection failures (as the outbox does, with short waits here). */
async function withRetry(tally: Tally, send: () => Promise<HttpResponse>): Promise<HttpResponse> {
  for (let attempt = 0; attempt < 200; attempt++) {
    let res: HttpResponse
    try {
      res = await send()
    } catch {
      tally.connectionErrors += 1
      await sleep(100)
      continue
    }
    if (res.status !== 503) return res
    expect(res.json.code).toBe('STORAGE_UNAVAILABLE')
    expect(res.headers['retry-after']).toBeDefined()
    tally.unavailable += 1
    await sleep(100)
  }
  throw new Error('still unavailable after 200 attempts')
}

async function sendReport(server: RunningServer, object: Uint8Array, sealed: ReturnType<typeof seal>, tally: Tally): Promise<{ id: string; code: string }> {
  const body = submissionBody(sealed)
  const created = await withRetry(tally, () => request(server.url, '/api/v1/submissions', { method: 'POST', body }))
  expect([200, 201]).toContain(created.status)
  const id: string = created.json.id
  const path = `/api/v1/submissions/${id}/attachments/0`
  const chunk = 96 * KiB
  let acked = 0
  let offset = 0
  while (offset < object.length) {
    const res = await withRetry(tally, () =>
      request(server.url, path, {
        method: 'PUT',
        headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': offset },
        body: Buffer.from(object.subarray(offset, offset + chunk)),
      }),
    )
    if (res.status === 200) {
      acked = res.json.offset
      offset = acked
      tally.acknowledged += 1
      continue
    }
    // A chunk whose answer was lost may have been kept: the server says where it stands.
    expect(res.status).toBe(409)
    expect(res.json.code).toBe('OFFSET_MISMATCH')
    const head = await withRetry(tally, () => request(server.url, path, { method: 'HEAD' }))
    const durable = Number(head.headers['upload-offset'])
    // Nothing acknowledged is lost.
    expect(durable).toBeGreaterThanOrEqual(acked)
    offset = durable
  }
  const code = receipt()
  const fin = await withRetry(tally, () => request(server.url, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: code } }))
  expect(fin.status).toBe(200)
  return { id, code }
}

runs('PostgreSQL restarted during uploads', () => {
  beforeAll(async () => {
    env = makeTestEnv()
    cluster = await startPrivateCluster()
    servers = await Promise.all(
      ['a', 'b'].map((x) => startServer({ ...env, dataDir: `${env.dataDir}-${x}` }, { env: { DATABASE_URL: cluster.url, PG_POOL_MAX: '6' } })),
    )
  }, 150_000)

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
    cluster?.destroy()
    env?.cleanup()
  })

  test('clients get 503s and retry; nothing acknowledged is lost; every report is finalized intact', async () => {
    const tally: Tally = { unavailable: 0, connectionErrors: 0, acknowledged: 0 }
    const reports = [0, 1, 2, 3].map(() => {
      const sealed = seal(env.key, { description: '数据库重启测试' }, [new Uint8Array(randomBytes(1200 * KiB))])
      return { sealed, object: sealed.attachments[0] }
    })
    const uploads = reports.map((r, i) => sendReport(servers[i % 2], r.object, r.sealed, tally))
    // Restart once the uploads are well under way.
    while (tally.acknowledged < 8) await sleep(20)
    cluster.stop()
    await sleep(1500)
    cluster.start()
    const results = await Promise.all(uploads)
    expect(tally.unavailable).toBeGreaterThan(0)
    // Both instances survived the restart (no crash on a dropped connection).
    for (const s of servers) expect(s.child.exitCode).toBeNull()

    const storage = await openStorage(`${env.dataDir}-check`, { databaseUrl: cluster.url })
    try {
      for (let i = 0; i < reports.length; i++) {
        const stored = await readObject(storage, results[i].id, 'attachment/0')
        expect(stored && Buffer.from(reports[i].object).equals(stored)).toBe(true)
        expect((await storage.repository.getSubmission(results[i].id))?.state).toBe('accepted')
        const status = await request(servers[(i + 1) % 2].url, '/api/v1/status', { method: 'POST', body: { receipt: results[i].code } })
        expect(status.status).toBe(200)
      }
    } finally {
      await storage.repository.close()
      await storage.locks.close()
    }
  })
})
