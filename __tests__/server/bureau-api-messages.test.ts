/**
 * The case channel behind the bureau API, over real HTTP: a case's messages as headers (resident
 * and bureau, read state), their ciphertext and added files (ranges), a reply sealed by the client
 * and posted (idempotent by msgId; the 查询码 holder reads it), read marks, branch limits and the
 * audit log. No plaintext in any answer.
 */
import { randomBytes } from 'node:crypto'
import { openCaseObject, sealCaseReply } from '../../server/src/envelope'
import { LIMITS } from '../../server/src/limits'
import { encodeCaseMessage } from '@/case/plaintext'
import { openAsResident, residentKeys, sealResidentMessage, type ResidentKeys } from '../support/case-client'
import { Fixture, buildReport, runCli } from '../bureau/fixture'
import { receipt, request, seal, submissionBody } from './helpers'

let fx: Fixture
let bureau: string
let all: string
let yd: string
let zs: string
let caseId: string
let keys: ResidentKeys
let residentMsgId: string
const file = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), randomBytes(70_000)])

async function makeToken(name: string, branches: string[] = []): Promise<string> {
  const r = await runCli(['token', 'create', '--name', name, ...branches.flatMap((b) => ['--branch', b]), '--data', fx.dataDir, '--campaign', fx.env.campaignFile])
  expect(r.code).toBe(0)
  return /cw1_[A-Za-z0-9_-]{43}/.exec(r.stdout)![0]
}
const auth = (token: string) => ({ authorization: `Bearer ${token}` })
const caseAuth = () => ({ 'case-auth': keys.auth })
/** A binary answer (the JSON helper keeps text only). */
async function bytes(p: string, options: { headers: Record<string, string> }) {
  const r = await fetch(`${bureau}${p}`, { headers: options.headers })
  const body = Buffer.from(await r.arrayBuffer())
  return { status: r.status, headers: r.headers, body, json: r.headers.get('content-type')?.includes('json') ? JSON.parse(body.toString('utf8')) : undefined }
}

function sealReply(text: string, msgId = randomBytes(16).toString('hex')) {
  const plaintext = encodeCaseMessage({ schema: 'clue-report/case-message@1', caseId, msgId, from: 'bureau', writtenAt: '2026-12-02T04:00Z', text, requestsMaterial: false, inReplyTo: null, attachments: [] })
  const sealed = sealCaseReply({ caseId, msgId, bureauKey: fx.newKey, replyPublicKey: keys.D, plaintext })
  return { msgId, header: sealed.header, message: sealed.message.toString('base64'), copy: sealed.copy.toString('base64') }
}

beforeAll(async () => {
  fx = await Fixture.start()
  bureau = fx.server.bureauUrl!
  keys = residentKeys(receipt())
  const report = { ...buildReport({ category: 'loan', branch: 'yd', description: '套路贷，催收电话不断。' }), replyKey: keys.replyKey }
  const created = await request(fx.server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(fx.newKey, report), undefined, 'yd') })
  caseId = created.json.id
  expect((await request(fx.server.url, `/api/v1/submissions/${caseId}/finalize`, { method: 'POST', body: { authenticator: keys.auth } })).status).toBe(200)
  const m = sealResidentMessage({ caseId, keys, bureauPublicKey: fx.newKey.publicKey, text: '这是转账截图。', files: [{ name: '转账.png', bytes: file }] })
  expect((await request(fx.server.url, '/api/v1/case/messages', { method: 'POST', headers: caseAuth(), body: m.body })).status).toBe(201)
  const put = await request(fx.server.url, `/api/v1/case/messages/${m.msgId}/attachments/0`, {
    method: 'PUT', headers: { ...caseAuth(), 'content-type': 'application/offset+octet-stream', 'upload-offset': 0 }, body: Buffer.from(m.files[0]),
  })
  expect(put.status).toBe(200)
  expect((await request(fx.server.url, `/api/v1/case/messages/${m.msgId}/finalize`, { method: 'POST', headers: caseAuth() })).status).toBe(200)
  residentMsgId = m.msgId
  all = await makeToken('市局工作站')
  yd = await makeToken('御东分局工作站', ['yd'])
  zs = await makeToken('直属工作站', ['zs'])
}, 60000)

afterAll(async () => {
  await fx?.stop()
})

test('messages: headers and sizes of the resident message, its file ciphertext with ranges, no plaintext', async () => {
  const r = await request(bureau, `/bureau/v1/cases/${caseId}/messages`, { headers: auth(yd) })
  expect(r.status).toBe(200)
  expect(r.json.messages).toHaveLength(1)
  const m = r.json.messages[0]
  expect(m).toMatchObject({ msgId: residentMsgId, from: 'resident', seq: 1, readAt: null, attachments: [{ n: 0 }] })
  expect(JSON.stringify(r.json)).not.toContain('转账')

  const object = await bytes(`/bureau/v1/cases/${caseId}/messages/${residentMsgId}/object`, { headers: auth(yd) })
  expect(object.status).toBe(200)
  expect(object.body.length).toBe(m.size)
  const plain = JSON.parse(openCaseObject({ header: m.header, reader: { keys: fx.newKey, replyPublicKey: keys.D }, caseId, msgId: residentMsgId, from: 'resident', kind: 'message', object: object.body }).toString('utf8'))
  expect(plain.text).toBe('这是转账截图。')

  const whole = await bytes(`/bureau/v1/cases/${caseId}/messages/${residentMsgId}/attachments/0`, { headers: auth(yd) })
  expect(whole.status).toBe(200)
  expect(whole.body.length).toBe(m.attachments[0].size)
  expect(whole.body.includes(file.subarray(100, 200))).toBe(false)
  const part = await bytes(`/bureau/v1/cases/${caseId}/messages/${residentMsgId}/attachments/0`, { headers: { ...auth(yd), range: 'bytes=100-199' } })
  expect(part.status).toBe(206)
  expect(part.headers.get('content-range')).toBe(`bytes 100-199/${m.attachments[0].size}`)
  expect(part.body.equals(whole.body.subarray(100, 200))).toBe(true)
  const past = await bytes(`/bureau/v1/cases/${caseId}/messages/${residentMsgId}/attachments/0`, { headers: { ...auth(yd), range: `bytes=${m.attachments[0].size}-` } })
  expect(past.status).toBe(416)
  expect(past.json.code).toBe('RANGE_NOT_SATISFIABLE')

  // Precise 4xx: no such file, no such message, malformed ids.
  expect((await request(bureau, `/bureau/v1/cases/${caseId}/messages/${residentMsgId}/attachments/3`, { headers: auth(yd) })).json.code).toBe('ATTACHMENT_NOT_FOUND')
  const none = await request(bureau, `/bureau/v1/cases/${caseId}/messages/${'0'.repeat(32)}/object`, { headers: auth(yd) })
  expect([none.status, none.json.code]).toEqual([404, 'MESSAGE_NOT_FOUND'])
  expect((await request(bureau, `/bureau/v1/cases/${caseId}/messages/XYZ/object`, { headers: auth(yd) })).json.code).toBe('MESSAGE_NOT_FOUND')
  expect((await request(bureau, `/bureau/v1/cases/${caseId}/messages`)).json.code).toBe('TOKEN_MISSING')
})

test("a token limited to another branch is refused every message route on this case, as if it did not exist", async () => {
  const paths = ['messages', `messages/${residentMsgId}/object`, `messages/${residentMsgId}/attachments/0`]
  for (const p of paths) {
    const r = await request(bureau, `/bureau/v1/cases/${caseId}/${p}`, { headers: auth(zs) })
    expect([r.status, r.json.code]).toEqual([404, 'CASE_NOT_FOUND'])
  }
  const post = await request(bureau, `/bureau/v1/cases/${caseId}/messages`, { method: 'POST', headers: auth(zs), body: sealReply('不应送达') })
  expect([post.status, post.json.code]).toEqual([404, 'CASE_NOT_FOUND'])
  const read = await request(bureau, `/bureau/v1/cases/${caseId}/messages/read`, { method: 'POST', headers: auth(zs), body: {} })
  expect(read.json.code).toBe('CASE_NOT_FOUND')
  // Nothing was posted or marked.
  const list = await request(bureau, `/bureau/v1/cases/${caseId}/messages`, { headers: auth(all) })
  expect(list.json.messages.map((m: { from: string; readAt: number | null }) => [m.from, m.readAt])).toEqual([['resident', null]])
})

test('reply: posted once however often it is retried, read by the 查询码 holder; a reused msgId is refused', async () => {
  const body = sealReply('收到，我们正在核实。')
  const first = await request(bureau, `/bureau/v1/cases/${caseId}/messages`, { method: 'POST', headers: auth(yd), body })
  expect(first.status).toBe(201)
  expect(first.json.message).toMatchObject({ msgId: body.msgId, from: 'bureau', seq: 2 })
  const again = await request(bureau, `/bureau/v1/cases/${caseId}/messages`, { method: 'POST', headers: auth(yd), body })
  expect(again.status).toBe(200)
  expect(again.json.message.seq).toBe(2)
  const other = sealReply('另一条', body.msgId)
  const reused = await request(bureau, `/bureau/v1/cases/${caseId}/messages`, { method: 'POST', headers: auth(yd), body: other })
  expect([reused.status, reused.json.code]).toEqual([409, 'MESSAGE_ID_REUSED'])

  const view = await request(fx.server.url, `/api/v1/case/messages/${body.msgId}`, { headers: caseAuth() })
  expect(view.status).toBe(200)
  expect(openAsResident({ caseId, keys, bureauPublicKey: fx.newKey.publicKey, view: view.json }).text).toBe('收到，我们正在核实。')
  // The bureau's copy comes back as the reply's object.
  const listed = (await request(bureau, `/bureau/v1/cases/${caseId}/messages`, { headers: auth(yd) })).json.messages
  expect(listed.map((m: { from: string }) => m.from)).toEqual(['resident', 'bureau'])
  const copy = await bytes(`/bureau/v1/cases/${caseId}/messages/${body.msgId}/object`, { headers: auth(yd) })
  expect(copy.body.toString('base64')).toBe(body.copy)

  // Bad bodies: precise codes.
  const bad = async (b: unknown) => (await request(bureau, `/bureau/v1/cases/${caseId}/messages`, { method: 'POST', headers: auth(yd), body: b })).json.code
  const fresh = sealReply('x')
  expect(await bad({ ...fresh, message: '***' })).toBe('INVALID_BASE64')
  expect(await bad({ ...fresh, message: Buffer.alloc(5).toString('base64') })).toBe('INVALID_MESSAGE_SIZE')
  expect(await bad({ ...fresh, extra: 1 })).toBe('UNKNOWN_FIELD')
  expect(await bad({ ...fresh, header: { ...fresh.header, epk: Buffer.alloc(32).toString('base64') } })).toBe('INVALID_EPK')
  const { copy: _c, ...noCopy } = fresh
  expect(await bad(noCopy)).toBe('MISSING_FIELD')
  // The whole answer (code, message, field) for the epk and the two objects: the same checks as the
  // resident's route (server/src/case/objects.ts), message before copy.
  const answer = async (b: unknown) => {
    const res = await request(bureau, `/bureau/v1/cases/${caseId}/messages`, { method: 'POST', headers: auth(yd), body: b })
    return [res.status, res.json]
  }
  const tooLarge = randomBytes(LIMITS.maxCaseObjectBytes + 1).toString('base64')
  expect(await answer({ ...fresh, message: tooLarge, copy: '***' })).toEqual([400, { code: 'MESSAGE_TOO_LARGE', message: 'A message object is at most 64 KiB of plaintext', field: '/message' }])
  expect(await answer({ ...fresh, copy: tooLarge })).toEqual([400, { code: 'MESSAGE_TOO_LARGE', message: 'A message object is at most 64 KiB of plaintext', field: '/copy' }])
  expect(await answer({ ...fresh, copy: 'a b' })).toEqual([400, { code: 'INVALID_BASE64', message: 'copy is not canonical base64', field: '/copy' }])
  expect(await answer({ ...fresh, copy: Buffer.alloc(5).toString('base64') })).toEqual([400, { code: 'INVALID_MESSAGE_SIZE', message: 'A 5-byte copy is not a valid object size', field: '/copy' }])
  expect(await answer({ ...fresh, message: Buffer.alloc(7).toString('base64'), copy: '***' })).toEqual([400, { code: 'INVALID_MESSAGE_SIZE', message: 'A 7-byte message is not a valid object size', field: '/message' }])
  expect(await answer({ ...fresh, header: { ...fresh.header, epk: Buffer.alloc(32).toString('base64') }, message: '***' })).toEqual([
    400, { code: 'INVALID_EPK', message: 'header.epk: BAD_HEADER: epk is a low-order point (shared secret is zero)', field: '/header/epk' },
  ])
  // Here (unlike the resident's route) an epk that is not base64 is an INVALID_EPK too.
  expect(await answer({ ...fresh, header: { ...fresh.header, epk: '!!!' } })).toEqual([
    400, { code: 'INVALID_EPK', message: 'header.epk: BAD_HEADER: epk must be 32 bytes of canonical base64', field: '/header/epk' },
  ])
})

test('read marks: the resident message becomes read, audited', async () => {
  const r = await request(bureau, `/bureau/v1/cases/${caseId}/messages/read`, { method: 'POST', headers: auth(yd), body: { upToSeq: 1 } })
  expect(r.status).toBe(200)
  expect(r.json.marked).toBe(1)
  const list = await request(bureau, `/bureau/v1/cases/${caseId}/messages`, { headers: auth(yd) })
  expect(typeof list.json.messages[0].readAt).toBe('number')
  expect((await request(bureau, `/bureau/v1/cases/${caseId}/messages/read`, { method: 'POST', headers: auth(yd), body: { upToSeq: 0 } })).status).toBe(400)
  const audit = await request(bureau, `/bureau/v1/audit?case=${caseId}&limit=500`, { headers: auth(all) })
  const actions = audit.json.entries.map((e: { action: string }) => e.action)
  expect(actions).toEqual(expect.arrayContaining(['case.messages', 'case.attachment', 'case.reply', 'case.read']))
  // The refused branch token left no entry on this case.
  expect(audit.json.entries.filter((e: { tokenName: string }) => e.tokenName === '直属工作站')).toEqual([])
})
