/**
 * The case channel and the bureau API across two real server processes sharing one PostgreSQL
 * database (as behind a load balancer; multi-instance.test.ts does the same for reports): a
 * resident message posted through one instance is read by the other's bureau API; a bureau reply
 * posted with one msgId (its idempotency key) at both instances at once is stored once; the
 * per-case daily message quota holds exactly when messages alternate between the instances (and
 * when the last slot is raced on both); an added file's upload resumes on the other instance
 * after the first is SIGKILLed, and the bureau reads it byte-exact. One pair of processes.
 */
import { randomBytes } from 'node:crypto'
import { openCaseObject, sealCaseReply } from '../../server/src/envelope'
import { CASE_MESSAGE_SCHEMA, encodeCaseMessage } from '@/case'
import { runCli } from '../bureau/fixture'
import { newMsgId, openAsResident, residentKeys, sealResidentMessage, type ResidentKeys } from '../support/case-client'
import { makeTestEnv, receipt, request, seal, startPartialPut, startServer, submissionBody, type RunningServer, type TestEnv } from './helpers'
import { describePg, freshSchema, requirePg, type TestSchema } from './pg-test-db'

const KiB = 1024
const PER_DAY = 4
// Child processes and a database on a shared machine: generous bounds, the assertions decide.
jest.setTimeout(120_000)
let env: TestEnv
let db: TestSchema
let a: RunningServer
let b: RunningServer
let token: string

interface Case {
  caseId: string
  keys: ResidentKeys
}

function start(dataDir: string): Promise<RunningServer> {
  return startServer({ ...env, dataDir }, { env: { DATABASE_URL: db.url, PG_POOL_MAX: '6', CASE_MESSAGES_PER_DAY: String(PER_DAY) } })
}

/** A report created on one instance and finalized with the authenticator on the other. */
async function newCase(): Promise<Case> {
  const keys = residentKeys(receipt())
  const created = await request(a.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { description: '两个实例', replyKey: keys.replyKey })) })
  expect(created.status).toBe(201)
  expect((await request(b.url, `/api/v1/submissions/${created.json.id}/finalize`, { method: 'POST', body: { authenticator: keys.auth } })).status).toBe(200)
  return { caseId: created.json.id, keys }
}

const post = (server: RunningServer, c: Case, body: unknown) =>
  request(server.url, '/api/v1/case/messages', { method: 'POST', headers: { 'case-auth': c.keys.auth }, body })
const bureau = (server: RunningServer, path: string, options: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
  request(server.bureauUrl!, path, { ...options, headers: { authorization: `Bearer ${token}`, ...options.headers } })
const putChunk = (server: RunningServer, c: Case, msgId: string, offset: number, bytes: Uint8Array) =>
  request(server.url, `/api/v1/case/messages/${msgId}/attachments/0`, {
    method: 'PUT', headers: { 'case-auth': c.keys.auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': offset }, body: Buffer.from(bytes),
  })

function sealReply(c: Case, text: string) {
  const msgId = newMsgId()
  const plaintext = encodeCaseMessage({ schema: CASE_MESSAGE_SCHEMA, caseId: c.caseId, msgId, from: 'bureau', writtenAt: '2026-12-02T06:00Z', text, requestsMaterial: false, inReplyTo: null, attachments: [] })
  const sealed = sealCaseReply({ caseId: c.caseId, msgId, bureauKey: env.key, replyPublicKey: c.keys.D, plaintext })
  return { msgId, header: sealed.header, message: sealed.message.toString('base64'), copy: sealed.copy.toString('base64') }
}

describePg('the case channel and the bureau API on two instances of one PostgreSQL database', () => {
  beforeAll(async () => {
    requirePg()
    env = makeTestEnv()
    db = await freshSchema()
    ;[a, b] = await Promise.all([start(`${env.dataDir}-a`), start(`${env.dataDir}-b`)])
    expect(a.bureauUrl && b.bureauUrl).toBeTruthy()
    // A workstation token made by the bureau tool on the shared database works on every instance.
    const made = await runCli(['token', 'create', '--name', '市局工作站', '--data', `${env.dir}/no-data-dir`, '--campaign', env.campaignFile], { DATABASE_URL: db.url })
    expect(made.code).toBe(0)
    token = /cw1_[A-Za-z0-9_-]{43}/.exec(made.stdout)![0]
  }, 150_000)

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await db?.drop()
    env?.cleanup()
  })

  test('a resident message posted through A is read and opened through B’s bureau API', async () => {
    const c = await newCase()
    const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '对方又打来电话。' })
    const posted = await post(a, c, m.body)
    expect([posted.status, posted.json.state, posted.json.seq]).toEqual([201, 'accepted', 1])
    const list = await bureau(b, `/bureau/v1/cases/${c.caseId}/messages`)
    expect(list.status).toBe(200)
    expect(list.json.messages).toEqual([expect.objectContaining({ msgId: m.msgId, from: 'resident', seq: 1, readAt: null })])
    const object = await fetch(`${b.bureauUrl}/bureau/v1/cases/${c.caseId}/messages/${m.msgId}/object`, { headers: { authorization: `Bearer ${token}` } })
    expect(object.status).toBe(200)
    const bytes = Buffer.from(await object.arrayBuffer())
    const opened = openCaseObject({ header: list.json.messages[0].header, reader: { keys: env.key, replyPublicKey: c.keys.D }, caseId: c.caseId, msgId: m.msgId, from: 'resident', kind: 'message', object: bytes })
    expect(JSON.parse(opened.toString('utf8')).text).toBe('对方又打来电话。')
    // Marked read through B, the unread count A's bureau API gives follows.
    expect((await bureau(b, `/bureau/v1/cases/${c.caseId}/messages/read`, { method: 'POST', body: {} })).json.marked).toBe(1)
    const again = await bureau(a, `/bureau/v1/cases/${c.caseId}/messages`)
    expect(typeof again.json.messages[0].readAt).toBe('number')
  })

  test('a bureau reply posted with one msgId at both instances at once is stored once, with one seq', async () => {
    const c = await newCase()
    for (let round = 0; round < 3; round++) {
      const reply = sealReply(c, `第 ${round + 1} 次回复`)
      const answers = await Promise.all([a, b, a, b].map((s) => bureau(s, `/bureau/v1/cases/${c.caseId}/messages`, { method: 'POST', body: reply })))
      expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 201])
      expect(new Set(answers.map((r) => r.json.message.seq))).toEqual(new Set([round + 1]))
    }
    const rows = await db.query<{ n: number; seqs: number }>(`SELECT count(*)::int AS n, count(DISTINCT seq)::int AS seqs FROM case_messages WHERE case_id = $1`, [c.caseId])
    expect(rows.rows[0]).toEqual({ n: 3, seqs: 3 })
    // The resident reads the replies through either instance.
    const view = await request(b.url, '/api/v1/case', { method: 'POST', headers: { 'case-auth': c.keys.auth } })
    expect(view.json.messages.map((x: { seq: number; from: string }) => [x.seq, x.from])).toEqual([[1, 'bureau'], [2, 'bureau'], [3, 'bureau']])
    const first = await request(a.url, `/api/v1/case/messages/${view.json.messages[0].msgId}`, { headers: { 'case-auth': c.keys.auth } })
    expect(openAsResident({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, view: first.json }).text).toBe('第 1 次回复')
  })

  test(`the daily quota (${PER_DAY}) holds exactly across instances: alternating, and the last slot raced on both`, async () => {
    const message = (c: Case, text: string) => sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text })
    const c = await newCase()
    for (let i = 0; i < PER_DAY; i++) {
      const m = message(c, `第 ${i + 1} 条`)
      expect((await post(i % 2 ? b : a, c, m.body)).status).toBe(201)
      // A retry through the other instance is the same message and takes no slot.
      expect((await post(i % 2 ? a : b, c, m.body)).status).toBe(200)
    }
    for (const s of [a, b]) {
      const over = await post(s, c, message(c, '超出').body)
      expect([over.status, over.json.code]).toEqual([429, 'MESSAGE_QUOTA'])
    }
    // One slot left, eight new messages for it at once, four on each instance: exactly one gets it.
    for (let round = 0; round < 2; round++) {
      const d = await newCase()
      for (let i = 0; i < PER_DAY - 1; i++) expect((await post(i % 2 ? b : a, d, message(d, `${i}`).body)).status).toBe(201)
      const racers = Array.from({ length: 8 }, (_, i) => message(d, `争 ${i}`))
      const answers = await Promise.all(racers.map((m, i) => post(i % 2 ? b : a, d, m.body)))
      expect(answers.map((r) => r.status).sort()).toEqual([201, 429, 429, 429, 429, 429, 429, 429])
      const stored = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM case_messages WHERE case_id = $1 AND sender = 'resident'`, [d.caseId])
      expect(stored.rows[0].n).toBe(PER_DAY)
    }
  })

  test('an added file’s upload resumes on B after A is SIGKILLed mid-chunk; finalized on B, the bureau reads it byte-exact', async () => {
    const c = await newCase()
    const file = new Uint8Array(randomBytes(700 * KiB))
    const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '截图', files: [{ name: '截图.png', bytes: file }] })
    const object = m.files[0]
    expect((await post(a, c, m.body)).json.state).toBe('open')
    const acknowledged = 256 * KiB
    expect((await putChunk(a, c, m.msgId, 0, object.subarray(0, acknowledged))).status).toBe(200)
    await startPartialPut(a.url, `/api/v1/case/messages/${m.msgId}/attachments/0`, acknowledged, object.subarray(acknowledged, acknowledged + 256 * KiB), 100 * KiB, { 'case-auth': c.keys.auth })
    await a.kill()
    expect(a.child.signalCode).toBe('SIGKILL')
    const head = await request(b.url, `/api/v1/case/messages/${m.msgId}/attachments/0`, { method: 'HEAD', headers: { 'case-auth': c.keys.auth } })
    expect([head.status, Number(head.headers['upload-offset'])]).toEqual([200, acknowledged])
    for (let off = acknowledged; off < object.length; off += 256 * KiB) {
      expect((await putChunk(b, c, m.msgId, off, object.subarray(off, off + 256 * KiB))).status).toBe(200)
    }
    const fin = await request(b.url, `/api/v1/case/messages/${m.msgId}/finalize`, { method: 'POST', headers: { 'case-auth': c.keys.auth } })
    expect([fin.status, fin.json.state, fin.json.seq]).toEqual([200, 'accepted', 1])
    const got = await fetch(`${b.bureauUrl}/bureau/v1/cases/${c.caseId}/messages/${m.msgId}/attachments/0`, { headers: { authorization: `Bearer ${token}` } })
    expect(got.status).toBe(200)
    const stored = Buffer.from(await got.arrayBuffer())
    expect(stored.equals(Buffer.from(object))).toBe(true)
    const opened = openCaseObject({ header: m.body.header as never, reader: { keys: env.key, replyPublicKey: c.keys.D }, caseId: c.caseId, msgId: m.msgId, from: 'resident', kind: 'attachment', n: 0, object: stored })
    expect(Buffer.from(opened).equals(Buffer.from(file))).toBe(true)
  })
})
