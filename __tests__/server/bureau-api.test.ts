/**
 * The bureau API over real HTTP: its own listener (the public one has none of its routes), tokens
 * made with the CLI (shown once, stored as a hash), revocation, branch limits, filters and paging,
 * ranges, status, notes, read marks, and the append-only audit log.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { Fixture, runCli, type Sent } from '../bureau/fixture'
import { makePng } from '../../e2e/harness'
import { request } from './helpers'

let fx: Fixture
let bureau: string
let all: string
let yd: string
let ydId: string
const sent: Sent[] = []

async function makeToken(name: string, branches: string[] = []): Promise<{ secret: string; id: string }> {
  const r = await runCli(['token', 'create', '--name', name, ...branches.flatMap((b) => ['--branch', b]), '--data', fx.dataDir, '--campaign', fx.env.campaignFile])
  expect(r.code).toBe(0)
  const secret = /cw1_[A-Za-z0-9_-]{43}/.exec(r.stdout)?.[0]
  const id = /编号 ([0-9a-f]{16})/.exec(r.stdout)?.[1]
  if (!secret || !id) throw new Error(r.output)
  return { secret, id }
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` })

beforeAll(async () => {
  fx = await Fixture.start()
  bureau = fx.server.bureauUrl!
  expect(bureau).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  const png = makePng(7)
  sent.push(await fx.send({ category: 'loan', branch: 'yd', description: '御东的套路贷', files: [{ name: 'a.png', bytes: png }] }))
  sent.push(await fx.send({ category: 'nude', branch: 'zs', description: '直属的裸聊敲诈' }))
  sent.push(await fx.send({ category: 'mlm', branch: 'sj', description: '市局的传销' }))
  const a = await makeToken('市局工作站')
  all = a.secret
  const b = await makeToken('御东分局工作站', ['yd'])
  yd = b.secret
  ydId = b.id
}, 60000)

afterAll(async () => {
  if (process.env.DEBUG_BUREAU) console.log(fx?.server.output())
  await fx?.stop()
})

test('the public listener has no bureau route, with or without a token', async () => {
  for (const p of ['/bureau/v1/cases', '/bureau/v1/session', `/bureau/v1/cases/${sent[0].id}/report`]) {
    const r = await request(fx.server.url, p, { headers: auth(all) })
    expect(r.status).toBe(404)
    expect(r.json.code).toBe('NOT_FOUND')
  }
  // …and the bureau listener none of the public ones.
  expect((await request(bureau, '/api/v1/config', { headers: auth(all) })).status).toBe(404)
})

test('tokens: missing, malformed, unknown and revoked are refused with their own codes', async () => {
  expect((await request(bureau, '/bureau/v1/cases')).json.code).toBe('TOKEN_MISSING')
  expect((await request(bureau, '/bureau/v1/cases', { headers: { authorization: 'Bearer nope' } })).json.code).toBe('TOKEN_INVALID')
  const unknown = await request(bureau, '/bureau/v1/cases', { headers: auth(`cw1_${'A'.repeat(43)}`) })
  expect(unknown.status).toBe(401)
  expect(unknown.json.code).toBe('TOKEN_INVALID')
  // Even unknown routes answer 401 first: nothing about the API is learned without a token.
  expect((await request(bureau, '/bureau/v1/nothing')).status).toBe(401)

  const t = await makeToken('临时工作站')
  expect((await request(bureau, '/bureau/v1/session', { headers: auth(t.secret) })).json.token.name).toBe('临时工作站')
  const r = await runCli(['token', 'revoke', t.id, '--data', fx.dataDir])
  expect(r.code).toBe(0)
  const revoked = await request(bureau, '/bureau/v1/cases', { headers: auth(t.secret) })
  expect(revoked.status).toBe(401)
  expect(revoked.json.code).toBe('TOKEN_REVOKED')
  const listed = await runCli(['token', 'list', '--data', fx.dataDir])
  expect(listed.stdout).toMatch(new RegExp(`${t.id}  已撤销`))
})

test('the server keeps only a hash of each token', async () => {
  const db = new Database(path.join(fx.dataDir, 'submissions.sqlite'), { readonly: true })
  try {
    const rows = db.prepare('SELECT secret_hash FROM bureau_tokens').all() as { secret_hash: string }[]
    expect(rows.length).toBeGreaterThanOrEqual(2)
  } finally {
    db.close()
  }
  for (const file of fs.readdirSync(fx.dataDir)) {
    const p = path.join(fx.dataDir, file)
    if (fs.statSync(p).isFile()) expect(fs.readFileSync(p).includes(Buffer.from(all))).toBe(false)
  }
})

test('list: metadata with filters and paging', async () => {
  const r = await request(bureau, '/bureau/v1/cases', { headers: auth(all) })
  expect(r.status).toBe(200)
  const ids: string[] = r.json.cases.map((c: { id: string }) => c.id)
  // Ordered by receipt time (to the minute), then id.
  expect([...ids].sort()).toEqual(sent.map((s) => s.id).sort())
  const c0 = r.json.cases.find((c: { id: string }) => c.id === sent[0].id)
  expect(c0).toMatchObject({ branch: 'yd', status: 'received', attachments: [{ n: 0 }], readAt: null, notes: 0 })
  expect(c0.header.v).toBe(2)
  expect(JSON.stringify(r.json)).not.toContain('套路贷')

  const zs = await request(bureau, '/bureau/v1/cases?branch=zs', { headers: auth(all) })
  expect(zs.json.cases.map((c: { id: string }) => c.id)).toEqual([sent[1].id])
  const page1 = await request(bureau, '/bureau/v1/cases?limit=2', { headers: auth(all) })
  expect(page1.json.cases).toHaveLength(2)
  const page2 = await request(bureau, `/bureau/v1/cases?limit=2&after=${page1.json.next}`, { headers: auth(all) })
  expect([...page1.json.cases, ...page2.json.cases].map((c: { id: string }) => c.id)).toEqual(ids)
  expect(page2.json.next).toBeNull()
  const future = await request(bureau, `/bureau/v1/cases?since=${Date.now() + 3600_000}`, { headers: auth(all) })
  expect(future.json.cases).toEqual([])
  const bad = await request(bureau, '/bureau/v1/cases?limit=abc', { headers: auth(all) })
  expect(bad.status).toBe(400)
  expect((await request(bureau, '/bureau/v1/cases?evil=1', { headers: auth(all) })).status).toBe(400)
})

test('a branch-limited token sees only its branch, directly too', async () => {
  const r = await request(bureau, '/bureau/v1/cases', { headers: auth(yd) })
  expect(r.json.cases.map((c: { id: string }) => c.id)).toEqual([sent[0].id])
  expect((await request(bureau, '/bureau/v1/cases?branch=zs', { headers: auth(yd) })).json.cases).toEqual([])
  for (const p of [`/bureau/v1/cases/${sent[1].id}`, `/bureau/v1/cases/${sent[1].id}/report`, `/bureau/v1/cases/${sent[1].id}/notes`]) {
    const other = await request(bureau, p, { headers: auth(yd) })
    expect(other.status).toBe(404)
    expect(other.json.code).toBe('CASE_NOT_FOUND')
  }
  const put = await request(bureau, `/bureau/v1/cases/${sent[1].id}/status`, { method: 'PUT', headers: auth(yd), body: { status: 'closed' } })
  expect(put.status).toBe(404)
  const batch = await request(bureau, '/bureau/v1/reports', { method: 'POST', headers: auth(yd), body: { ids: sent.map((s) => s.id) } })
  expect(batch.json.reports.map((x: { id: string }) => x.id)).toEqual([sent[0].id])
  // The bulk read is in the audit log once per case it returned (written in one transaction), none for the others.
  const reads = (await request(bureau, '/bureau/v1/audit?limit=1000', { headers: auth(all) })).json.entries.filter(
    (e: { action: string; tokenName: string }) => e.action === 'case.report' && e.tokenName === '御东分局工作站',
  )
  expect(reads.map((e: { caseId: string }) => e.caseId)).toEqual([sent[0].id])
  // The case of its own branch opens.
  expect((await request(bureau, `/bureau/v1/cases/${sent[0].id}`, { headers: auth(yd) })).status).toBe(200)
})

test('objects as ciphertext, with HTTP ranges', async () => {
  const id = sent[0].id
  const whole = await fetch(`${bureau}/bureau/v1/cases/${id}/attachments/0`, { headers: auth(all) })
  expect(whole.status).toBe(200)
  expect(whole.headers.get('accept-ranges')).toBe('bytes')
  const bytes = Buffer.from(await whole.arrayBuffer())
  expect(bytes.equals(fs.readFileSync(fx.blobFile(id, 0)))).toBe(true)
  const part = await fetch(`${bureau}/bureau/v1/cases/${id}/attachments/0`, { headers: { ...auth(all), range: 'bytes=10-19' } })
  expect(part.status).toBe(206)
  expect(part.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`)
  expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true)
  const tail = await fetch(`${bureau}/bureau/v1/cases/${id}/attachments/0`, { headers: { ...auth(all), range: 'bytes=-5' } })
  expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 5))).toBe(true)
  const beyond = await fetch(`${bureau}/bureau/v1/cases/${id}/attachments/0`, { headers: { ...auth(all), range: `bytes=${bytes.length}-` } })
  expect(beyond.status).toBe(416)
  expect(beyond.headers.get('content-range')).toBe(`bytes */${bytes.length}`)
  expect((await request(bureau, `/bureau/v1/cases/${id}/attachments/5`, { headers: auth(all) })).json.code).toBe('ATTACHMENT_NOT_FOUND')
  const report = await fetch(`${bureau}/bureau/v1/cases/${id}/report`, { headers: auth(all) })
  expect(report.headers.get('content-type')).toBe('application/octet-stream')
})

test('every read of ciphertext is audited, however its range is spelled', async () => {
  const reader = await makeToken('审计测试工作站')
  const id = sent[0].id
  const ranges = [undefined, 'bytes=-99999999', 'bytes=00-', ' bytes=0-', 'bytes=1-', 'bytes=000-5']
  for (const range of ranges) {
    for (const object of ['report', 'attachments/0']) {
      const r = await fetch(`${bureau}/bureau/v1/cases/${id}/${object}`, { headers: { ...auth(reader.secret), ...(range ? { range } : {}) } })
      expect([200, 206]).toContain(r.status)
      await r.arrayBuffer()
    }
  }
  // Nothing served, nothing to audit.
  expect((await fetch(`${bureau}/bureau/v1/cases/${id}/report`, { headers: { ...auth(reader.secret), range: 'bytes=99999999-' } })).status).toBe(416)
  const entries = (await request(bureau, '/bureau/v1/audit?limit=1000', { headers: auth(all) })).json.entries.filter((e: { tokenName: string }) => e.tokenName === '审计测试工作站')
  const count = (action: string) => entries.filter((e: { action: string; caseId: string }) => e.action === action && e.caseId === id).length
  expect([count('case.report'), count('case.attachment')]).toEqual([ranges.length, ranges.length])
  // A partial read names its range.
  expect(entries.some((e: { detail: string | null }) => e.detail === '0 bytes 1-' + (fs.readFileSync(fx.blobFile(id, 0)).length - 1))).toBe(true)
})

test('status, notes and read marks; each action in the audit log, which cannot be changed', async () => {
  const id = sent[0].id
  const st = await request(bureau, `/bureau/v1/cases/${id}/status`, { method: 'PUT', headers: auth(yd), body: { status: 'reviewing', note: '正在核查' } })
  expect(st.status).toBe(200)
  expect(st.json.case).toMatchObject({ status: 'reviewing', publicNote: '正在核查' })
  const tooLong = await request(bureau, `/bureau/v1/cases/${id}/status`, { method: 'PUT', headers: auth(yd), body: { status: 'reviewing', note: '长'.repeat(501) } })
  expect(tooLong.status).toBe(400)

  const note = { id: 'ab'.repeat(16), header: { v: 1, t: 'bureau-note', kid: fx.newKey.kid, nonce: Buffer.alloc(12, 1).toString('base64') }, object: Buffer.alloc(40, 2).toString('base64') }
  expect((await request(bureau, `/bureau/v1/cases/${id}/notes`, { method: 'POST', headers: auth(yd), body: note })).status).toBe(201)
  expect((await request(bureau, `/bureau/v1/cases/${id}/notes`, { method: 'POST', headers: auth(yd), body: note })).status).toBe(200)
  const reused = await request(bureau, `/bureau/v1/cases/${id}/notes`, { method: 'POST', headers: auth(yd), body: { ...note, object: Buffer.alloc(40, 3).toString('base64') } })
  expect(reused.json.code).toBe('NOTE_ID_REUSED')
  const notes = await request(bureau, `/bureau/v1/cases/${id}/notes`, { headers: auth(all) })
  expect(notes.json.notes).toHaveLength(1)
  expect(notes.json.notes[0]).toMatchObject({ id: note.id, tokenId: ydId, header: note.header, object: note.object })

  const read = await request(bureau, `/bureau/v1/cases/${id}/read`, { method: 'POST', headers: auth(yd) })
  expect(read.json.readAt).toEqual(expect.any(Number))
  const listed = await request(bureau, '/bureau/v1/cases', { headers: auth(all) })
  expect(listed.json.cases.find((c: { id: string }) => c.id === id)).toMatchObject({ readAt: read.json.readAt, notes: 1 })

  const log = await request(bureau, `/bureau/v1/audit?case=${id}`, { headers: auth(all) })
  const mine = log.json.entries.filter((e: { tokenId: string }) => e.tokenId === ydId).map((e: { action: string; detail: string | null }) => `${e.action}:${e.detail ?? ''}`)
  expect(mine).toEqual(expect.arrayContaining(['case.status:reviewing+note', 'case.note:', 'case.read:']))
  expect(log.json.entries.every((e: { caseId: string }) => e.caseId === id)).toBe(true)
  // A branch token may not read another branch's case log; it reads its own entries.
  expect((await request(bureau, `/bureau/v1/audit?case=${sent[1].id}`, { headers: auth(yd) })).status).toBe(404)
  const own = await request(bureau, '/bureau/v1/audit', { headers: auth(yd) })
  expect(own.json.entries.every((e: { tokenId: string }) => e.tokenId === ydId)).toBe(true)
  const global = await request(bureau, '/bureau/v1/audit?limit=1000', { headers: auth(all) })
  expect(global.json.entries.some((e: { action: string }) => e.action === 'token.revoke')).toBe(true)
  expect(JSON.stringify(global.json)).not.toContain('正在核查')

  const db = new Database(path.join(fx.dataDir, 'submissions.sqlite'))
  try {
    expect(() => db.prepare("UPDATE audit_log SET action = 'x'").run()).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/)
  } finally {
    db.close()
  }
})
