/**
 * Two real server processes on two ports sharing one PostgreSQL database (rows, chunk rows, locks),
 * each with its own data directory, as behind a load balancer: one report's chunks alternate
 * between them; the same chunk sent to both at once has one winner; finalizes racing on both are
 * accepted exactly once; one instance is SIGKILLed mid-upload and the client resumes on the other;
 * then the bureau tool exports every report from the database, byte-exact.
 */
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { writePrivateKeyFile } from '../../server/src/envelope'
import { PG_MIGRATIONS } from '../../server/src/repository/pg-migrations'
import { buildReport, listFiles, PASSPHRASE, runCli } from '../bureau/fixture'
import {
  makeTestEnv, receipt, request, seal, startPartialPut, startServer, submissionBody, upload,
  type RunningServer, type Sealed, type TestEnv,
} from './helpers'
import { describePg, freshSchema, requirePg, type TestSchema } from './pg-test-db'

const KiB = 1024
// Child processes and a database on a shared machine: generous bounds, the assertions decide.
jest.setTimeout(120_000)
let env: TestEnv
let db: TestSchema
let a: RunningServer
let b: RunningServer
const sent: { id: string; files: { name: string; bytes: Buffer }[] }[] = []

function start(dataDir: string): Promise<RunningServer> {
  return startServer({ ...env, dataDir }, { env: { DATABASE_URL: db.url, PG_POOL_MAX: '6' } })
}

/** A sealed report with attachments (real report plaintext, so that the bureau can export it). */
function makeReport(sizes: number[]): { sealed: Sealed; files: { name: string; bytes: Buffer }[] } {
  const files = sizes.map((size, i) => ({ name: `证据-${i + 1}.png`, bytes: randomBytes(size) }))
  const report = buildReport({ category: 'other', branch: 'sj', description: '两个实例的测试', files })
  return { sealed: seal(env.key, report, files.map((f) => new Uint8Array(f.bytes))), files }
}

async function create(server: RunningServer, sealed: Sealed): Promise<string> {
  const res = await request(server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed) })
  expect(res.status).toBe(201)
  return res.json.id
}

const put = (server: RunningServer, id: string, n: number, offset: number, bytes: Uint8Array) =>
  request(server.url, `/api/v1/submissions/${id}/attachments/${n}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': offset },
    body: Buffer.from(bytes),
  })

const finalize = (server: RunningServer, id: string, code: string) =>
  request(server.url, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: code } })

describePg('two instances on one PostgreSQL database', () => {
  beforeAll(async () => {
    requirePg()
    env = makeTestEnv()
    db = await freshSchema()
    // Started together: the migrations must run once under the advisory lock.
    ;[a, b] = await Promise.all([start(`${env.dataDir}-a`), start(`${env.dataDir}-b`)])
  }, 150_000)

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await db?.drop()
    env?.cleanup()
  })

  test('the migrations ran once although both instances started together', async () => {
    const versions = await db.query('SELECT version FROM schema_migrations')
    expect(versions.rows.map((r) => r.version).sort()).toEqual(PG_MIGRATIONS.map((_, i) => i + 1))
  })

  test('half the chunks through each instance; finalized on one, its status read on the other', async () => {
    const { sealed, files } = makeReport([300 * KiB, 70 * KiB])
    // The idempotent create, retried through the other instance, finds the same submission.
    const body = submissionBody(sealed)
    const first = await request(a.url, '/api/v1/submissions', { method: 'POST', body })
    const again = await request(b.url, '/api/v1/submissions', { method: 'POST', body })
    expect([first.status, again.status]).toEqual([201, 200])
    expect(again.json.id).toBe(first.json.id)
    const id: string = first.json.id

    const chunk = 64 * KiB
    let turn = 0
    for (let n = 0; n < sealed.attachments.length; n++) {
      const object = sealed.attachments[n]
      for (let off = 0; off < object.length; off += chunk, turn++) {
        const res = await put(turn % 2 ? b : a, id, n, off, object.subarray(off, off + chunk))
        expect(res.status).toBe(200)
      }
    }
    expect(turn).toBeGreaterThanOrEqual(6)
    const head = await request(b.url, `/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD' })
    expect(head.headers['upload-offset']).toBe(String(sealed.attachments[0].length))
    const code = receipt()
    expect((await finalize(a, id, code)).status).toBe(200)
    const status = await request(b.url, '/api/v1/status', { method: 'POST', body: { receipt: code } })
    expect(status.status).toBe(200)
    expect(status.json.status).toBe('received')
    sent.push({ id, files })
  })

  test('the same chunk sent to both instances at once: exactly one wins, every time', async () => {
    const { sealed, files } = makeReport([200 * KiB])
    const id = await create(b, sealed)
    const object = sealed.attachments[0]
    const chunk = 20 * KiB
    for (let off = 0; off < object.length; off += chunk) {
      const piece = object.subarray(off, off + chunk)
      const answers = await Promise.all([put(a, id, 0, off, piece), put(b, id, 0, off, piece), put(a, id, 0, off, piece)])
      const statuses = answers.map((r) => r.status).sort()
      expect(statuses).toEqual([200, 409, 409])
      for (const r of answers.filter((x) => x.status === 409)) expect(r.json).toMatchObject({ code: 'OFFSET_MISMATCH', offset: off + piece.length })
    }
    expect((await finalize(b, id, receipt())).status).toBe(200)
    sent.push({ id, files })
  })

  test('finalize races on both instances: exactly one is accepted', async () => {
    for (let round = 0; round < 3; round++) {
      const { sealed, files } = makeReport([40 * KiB])
      const id = await create(a, sealed)
      await upload(b.url, id, 0, sealed.attachments[0])
      const codes = [receipt(), receipt(), receipt(), receipt()]
      const answers = await Promise.all(codes.map((c, i) => finalize(i % 2 ? b : a, id, c)))
      expect(answers.filter((r) => r.status === 200)).toHaveLength(1)
      expect(answers.filter((r) => r.status !== 200).map((r) => r.json.code)).toEqual(['RECEIPT_MISMATCH', 'RECEIPT_MISMATCH', 'RECEIPT_MISMATCH'])
      const winner = codes[answers.findIndex((r) => r.status === 200)]
      // Only the winner's receipt finds the report, through either instance.
      for (const c of codes) {
        const s = await request(c === winner ? a.url : b.url, '/api/v1/status', { method: 'POST', body: { receipt: c } })
        expect(s.status).toBe(c === winner ? 200 : 404)
      }
      sent.push({ id, files })
    }
    const accepted = await db.query(`SELECT count(*)::int AS n FROM submissions WHERE state = 'accepted'`)
    expect(accepted.rows[0].n).toBe(sent.length)
  })

  test('one instance SIGKILLed mid-upload: the client resumes on the other from its HEAD offset', async () => {
    const { sealed, files } = makeReport([900 * KiB])
    const object = sealed.attachments[0]
    const id = await create(a, sealed)
    const acknowledged = 512 * KiB
    await upload(a.url, id, 0, object.subarray(0, acknowledged), 256 * KiB)
    await startPartialPut(a.url, `/api/v1/submissions/${id}/attachments/0`, acknowledged, object.subarray(acknowledged, acknowledged + 256 * KiB), 100 * KiB)
    await a.kill()
    expect(a.child.signalCode).toBe('SIGKILL')
    const head = await request(b.url, `/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    // The cut-off chunk was never acknowledged and left nothing: the durable offset is what was.
    expect(Number(head.headers['upload-offset'])).toBe(acknowledged)
    await upload(b.url, id, 0, object, 256 * KiB, acknowledged)
    expect((await finalize(b, id, receipt())).status).toBe(200)
    sent.push({ id, files })
    // The killed instance comes back on the same database and sees it finalized.
    a = await start(`${env.dataDir}-a`)
    const view = await request(a.url, `/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD' })
    expect(view.headers['upload-offset']).toBe(String(object.length))
  })

  test('the bureau tool exports every report from the database, byte-exact', async () => {
    const keyFile = path.join(env.dir, 'bureau.key.json')
    await writePrivateKeyFile(keyFile, env.key, PASSPHRASE, { scryptLogN: 14 })
    const out = path.join(env.dir, 'export')
    const result = await runCli(['export', '--key', keyFile, '--out', out, '--data', path.join(env.dir, 'no-data-dir'), '--campaign', env.campaignFile], {
      DATABASE_URL: db.url,
      BUREAU_KEY_PASSPHRASE: PASSPHRASE,
    })
    expect(result.code).toBe(0)
    const folders = fs.readdirSync(out).filter((f) => !f.startsWith('.'))
    expect(folders).toHaveLength(sent.length)
    for (const s of sent) {
      const folder = folders.find((f) => f.endsWith(`-${s.id}`))!
      expect(folder).toBeDefined()
      const names = listFiles(path.join(out, folder))
      for (const f of s.files) {
        expect(names).toContain(f.name)
        expect(fs.readFileSync(path.join(out, folder, f.name)).equals(f.bytes)).toBe(true)
      }
    }
    // The other commands read the same database.
    const list = await runCli(['list', '--state', 'finalized', '--json'], { DATABASE_URL: db.url })
    expect(list.code).toBe(0)
    expect((JSON.parse(list.stdout) as { id: string }[]).map((r) => r.id).sort()).toEqual(sent.map((s) => s.id).sort())
  })
})
