/**
 * Re-posting a resident message (a retry whose answer was lost, or the same message sent twice at
 * once) is idempotent and changes no quota in either direction: the unfinished message keeps its
 * admission hold (UNFINISHED_QUOTA still counts it), and the per-case daily message quota
 * (CASE_MESSAGES_PER_DAY) neither counts the retry nor frees the slot. In-process, over real HTTP,
 * so that the admission's in-memory state can be read.
 */
import { randomBytes } from 'node:crypto'
import { DEFAULT_CASE_LIMITS } from '../../server/src/case/limits'
import { residentKeys, sealResidentMessage, type ResidentKeys } from '../support/case-client'
import { makeTestEnv, receipt, request, seal, submissionBody, type TestEnv } from './helpers'
import { startInProcess, type InProcess } from './in-process'

const FILE = 100_000
let env: TestEnv
let server: InProcess

beforeAll(async () => {
  env = makeTestEnv()
  server = await startInProcess(env, {
    // Room for one unfinished message's files and a half per client; 3 messages per case a day.
    admission: { unfinishedBytesPerClient: Math.floor(FILE * 1.6) },
    services: { caseLimits: { ...DEFAULT_CASE_LIMITS, messagesPerDay: 3 } },
  })
}, 30000)

afterAll(async () => {
  await server?.close()
  env?.cleanup()
})

/** Each test from its own loopback address: the per-client hold of one does not reach the other. */
async function newCase(from: string, base = server.base): Promise<{ caseId: string; keys: ResidentKeys; from: string }> {
  const keys = residentKeys(receipt())
  const created = await request(base, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { description: 'x', replyKey: keys.replyKey })), localAddress: from })
  expect((await request(base, `/api/v1/submissions/${created.json.id}/finalize`, { method: 'POST', body: { authenticator: keys.auth }, localAddress: from })).status).toBe(200)
  return { caseId: created.json.id, keys, from }
}

test('re-posting an unfinished message keeps its hold and its quota slot; neither is taken twice', async () => {
  const c = await newCase('127.0.0.2')
  const post = (body: unknown) => request(server.base, '/api/v1/case/messages', { method: 'POST', headers: { 'case-auth': c.keys.auth }, body, localAddress: c.from })
  const message = (text: string, files = 0) =>
    sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text, files: Array.from({ length: files }, () => ({ name: 'a.png', bytes: new Uint8Array(randomBytes(FILE - 64)) })) })
  const withFile = message('带附件', 1)
  const declared = withFile.body.attachments[0].size
  const before = server.services.admission.unfinishedBytes

  const first = await post(withFile.body)
  expect([first.status, first.json.state]).toEqual([201, 'open'])
  expect(server.services.admission.unfinishedBytes).toBe(before + declared)
  // Retried (the answer was lost): the same message, nothing counted again, nothing let go.
  for (let i = 0; i < 3; i++) {
    const again = await post(withFile.body)
    expect([again.status, again.json.msgId, again.json.state]).toEqual([200, withFile.msgId, 'open'])
    expect(server.services.admission.unfinishedBytes).toBe(before + declared)
  }
  // The hold still counts: a second unfinished message does not fit beside it.
  const second = message('第二个附件', 1)
  expect((await post(second.body)).json.code).toBe('UNFINISHED_QUOTA')

  // The daily quota (3): the open message is one, a text message two; the retries were none.
  expect((await post(message('一').body)).status).toBe(201)
  const third = message('二')
  expect((await post(third.body)).status).toBe(201)
  expect((await post(message('三').body)).json.code).toBe('MESSAGE_QUOTA')
  // At the limit, retries of what arrived are still answered as such, and free no slot.
  expect((await post(withFile.body)).status).toBe(200)
  expect((await post(third.body)).status).toBe(200)
  expect((await post(message('四').body)).json.code).toBe('MESSAGE_QUOTA')
  expect(server.services.admission.unfinishedBytes).toBe(before + declared)
})

test('the same message posted twice at once is stored once and held once, with room for one only', async () => {
  const c = await newCase('127.0.0.3')
  const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '同时', files: [{ name: 'a.png', bytes: new Uint8Array(randomBytes(FILE - 64)) }] })
  const before = server.services.admission.unfinishedBytes
  const answers = await Promise.all([1, 2].map(() => request(server.base, '/api/v1/case/messages', { method: 'POST', headers: { 'case-auth': c.keys.auth }, body: m.body, localAddress: c.from })))
  expect(answers.map((a) => a.status).sort()).toEqual([200, 201])
  expect(server.services.admission.unfinishedBytes).toBe(before + m.body.attachments[0].size)
  const list = await request(server.base, '/api/v1/case', { method: 'POST', headers: { 'case-auth': c.keys.auth } })
  expect(list.json.messages.map((x: { msgId: string }) => x.msgId)).toEqual([m.msgId])
})

test('with room to spare, retries do not let the hold of the open message go', async () => {
  const roomy = await startInProcess({ ...env, dataDir: `${env.dataDir}-roomy` }, { admission: { unfinishedBytesPerClient: 100 * FILE } })
  try {
    const c = await newCase('127.0.0.4', roomy.base)
    const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '重试', files: [{ name: 'a.png', bytes: new Uint8Array(randomBytes(FILE - 64)) }] })
    const post = () => request(roomy.base, '/api/v1/case/messages', { method: 'POST', headers: { 'case-auth': c.keys.auth }, body: m.body, localAddress: c.from })
    expect((await post()).status).toBe(201)
    const held = roomy.services.admission.unfinishedBytes
    expect(held).toBeGreaterThanOrEqual(m.body.attachments[0].size)
    expect((await post()).status).toBe(200)
    expect((await post()).status).toBe(200)
    expect(roomy.services.admission.unfinishedBytes).toBe(held)
  } finally {
    await roomy.close()
  }
})

test("a message posted with a pending submission's id as its msgId is held on its own, and leaves the submission's hold", async () => {
  const c = await newCase('127.0.0.5')
  // A report left unfinished (its file declared, never uploaded): held for this client.
  const pending = await request(server.base, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { description: 'y' }, [new Uint8Array(randomBytes(FILE / 2))])), localAddress: c.from })
  expect(pending.status).toBe(201)
  const afterReport = server.services.admission.unfinishedBytes
  // The same 32 hex digits as a message id: the two ids live in different name spaces.
  const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '同号', msgId: pending.json.id, files: [{ name: 'a.png', bytes: new Uint8Array(randomBytes(1000)) }] })
  const posted = await request(server.base, '/api/v1/case/messages', { method: 'POST', headers: { 'case-auth': c.keys.auth }, body: m.body, localAddress: c.from })
  expect([posted.status, posted.json.state]).toEqual([201, 'open'])
  expect(server.services.admission.unfinishedBytes).toBe(afterReport + m.body.attachments[0].size)
})
