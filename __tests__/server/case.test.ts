/**
 * The case channel over real HTTP against the real server process (issue 14): finalize by the
 * authenticator, Case-Auth, wrong and unknown authenticators answered alike and as slowly, the
 * failed-authentication limit, a bureau reply read by the 查询码 holder, resident messages with
 * added files (idempotent, exactly once, resumed after a SIGKILL mid-upload), the limits, the
 * writing window, legacy receipts, precise 4xx for malformed requests, and no plaintext on disk.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import { FsBlobStore } from '../../server/src/blobstore'
import { bureauReplyRecord } from '../../server/src/case/messages'
import { openCaseObject, sealCaseReply } from '../../server/src/envelope'
import { LIMITS } from '../../server/src/limits'
import { SqliteRepository } from '../../server/src/repository'
import { CASE_MESSAGE_SCHEMA, encodeCaseMessage } from '@/case'
import { legacyKeys, newMsgId, openAsResident, residentKeys, sealResidentMessage, type ResidentKeys } from '../support/case-client'
import { filesUnder, makeTestEnv, receipt, request, seal, startServer, submissionBody, type RunningServer, type TestEnv } from './helpers'

const MIN_MS = 250
let env: TestEnv
let server: RunningServer

/** Each test group talks from its own loopback address, so that per-client limits do not mix. */
let nextAddress = 10
const address = () => `127.0.0.${nextAddress++}`

beforeAll(async () => {
  env = makeTestEnv()
  server = await startServer(env, { env: { STATUS_MIN_MS: String(MIN_MS), CASE_MESSAGES_PER_DAY: '4', CASE_MATERIAL_MIB: '3' } })
}, 30000)

afterAll(async () => {
  await server?.kill()
  env?.cleanup()
})

interface Case {
  caseId: string
  receipt: string
  keys: ResidentKeys
  from: string
}

/** Submits a report (its replyKey inside) and finalizes it with the authenticator, as a new app does. */
async function newCase(report: Record<string, unknown> = { description: 'case test' }): Promise<Case> {
  const r = receipt()
  const keys = residentKeys(r)
  const from = address()
  const created = await request(server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { ...report, replyKey: keys.replyKey })), localAddress: from })
  expect(created.status).toBe(201)
  const fin = await request(server.url, `/api/v1/submissions/${created.json.id}/finalize`, { method: 'POST', body: { authenticator: keys.auth }, localAddress: from })
  expect(fin.status).toBe(200)
  return { caseId: created.json.id, receipt: r, keys, from }
}

const caseReq = (c: Case, path: string, options: { method?: string; body?: unknown; auth?: string; headers?: Record<string, string | number> } = {}) =>
  request(server.url, path, {
    method: options.method ?? 'POST',
    body: options.body,
    localAddress: c.from,
    headers: { ...(options.auth === '' ? {} : { 'case-auth': options.auth ?? c.keys.auth }), ...(options.headers ?? {}) },
  })

/** The bureau's side, on the data directory (as the bureau CLI). */
function withRepository<T>(fn: (repo: SqliteRepository) => Promise<T>): Promise<T> {
  const repo = SqliteRepository.open(env.dataDir)
  return fn(repo).finally(() => repo.close())
}

async function bureauReply(c: Case, text: string, requestsMaterial = false): Promise<string> {
  const msgId = newMsgId()
  const plaintext = encodeCaseMessage({
    schema: CASE_MESSAGE_SCHEMA, caseId: c.caseId, msgId, from: 'bureau', writtenAt: '2026-12-02T02:40Z', text, requestsMaterial, inReplyTo: null, attachments: [],
  })
  const sealed = sealCaseReply({ caseId: c.caseId, msgId, bureauKey: env.key, replyPublicKey: c.keys.D, plaintext })
  const result = await withRepository((repo) => repo.cases.postBureauMessage(bureauReplyRecord(c.caseId, msgId, sealed), Date.now()))
  expect(result.outcome).toBe('created')
  return msgId
}

async function putChunk(c: Case, msgId: string, n: number, offset: number, bytes: Uint8Array) {
  return caseReq(c, `/api/v1/case/messages/${msgId}/attachments/${n}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': offset },
    body: Buffer.from(bytes),
  })
}

async function uploadAll(c: Case, msgId: string, n: number, bytes: Uint8Array, from = 0) {
  for (let offset = from; offset < bytes.length; offset += 1 << 20) {
    const res = await putChunk(c, msgId, n, offset, bytes.subarray(offset, Math.min(bytes.length, offset + (1 << 20))))
    expect(res.status).toBe(200)
  }
}

describe('authentication', () => {
  let c: Case
  beforeAll(async () => {
    c = await newCase()
  })

  test('the authenticator opens the case; the report’s replyKey makes it a new (non-legacy) case', async () => {
    const res = await caseReq(c, '/api/v1/case')
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ caseId: c.caseId, status: 'received', changedAt: expect.any(String), canWrite: true, legacy: false, replyKeyKnown: true, messages: [] })
    expect(res.headers['cache-control']).toBe('no-store')
    // {} is the same request; a body with anything in it is refused precisely.
    expect((await caseReq(c, '/api/v1/case', { body: {} })).status).toBe(200)
    expect((await caseReq(c, '/api/v1/case', { body: { receipt: c.receipt } })).json.code).toBe('UNKNOWN_FIELD')
  })

  test('no header: 401; malformed (the 查询码 itself, padding, wrong length, non-canonical tail): 400', async () => {
    expect((await caseReq(c, '/api/v1/case', { auth: '' })).json.code).toBe('CASE_AUTH_REQUIRED')
    expect((await caseReq(c, '/api/v1/case', { auth: '' })).status).toBe(401)
    for (const bad of [c.receipt, `${c.keys.auth}=`, c.keys.auth.slice(1), `${c.keys.auth.slice(0, 42)}B`, Buffer.from(c.keys.A).toString('base64')]) {
      const res = await caseReq(c, '/api/v1/case', { auth: bad })
      expect([res.status, res.json.code]).toEqual([400, 'INVALID_CASE_AUTH'])
    }
  })

  test('a wrong authenticator (one bit off) is answered exactly like an unknown one, and no faster than a hit', async () => {
    const wrong = Buffer.from(c.keys.A)
    wrong[0] ^= 1
    const unknown = randomBytes(32)
    const timed = async (auth: string) => {
      const t0 = performance.now()
      const res = await caseReq({ ...c, from: address() }, '/api/v1/case', { auth })
      return { ms: performance.now() - t0, status: res.status, body: res.text, headers: { ...res.headers, date: undefined } }
    }
    const answers = [await timed(wrong.toString('base64url')), await timed(unknown.toString('base64url')), await timed(c.keys.auth)]
    expect(answers[0].status).toBe(404)
    expect(answers[0].body).toBe(answers[1].body)
    expect(answers[0].headers).toEqual(answers[1].headers)
    expect(JSON.parse(answers[0].body).code).toBe('CASE_NOT_FOUND')
    expect(answers[2].status).toBe(200)
    // The minimum delay: wrong, unknown and right all take at least MIN_MS (without it, ~2 ms).
    for (const a of answers) expect(a.ms).toBeGreaterThanOrEqual(MIN_MS - 5)
  })

  test('after 10 failed authentications a client address is refused for a minute, even with the right authenticator', async () => {
    const from = address()
    // Counted over every case endpoint (here GET message, whose own rate limit is 60/min).
    for (let i = 0; i < 10; i++) {
      const res = await caseReq({ ...c, from }, `/api/v1/case/messages/${newMsgId()}`, { method: 'GET', auth: randomBytes(32).toString('base64url') })
      expect(res.json.code).toBe('CASE_NOT_FOUND')
    }
    const blocked = await caseReq({ ...c, from }, '/api/v1/case')
    expect([blocked.status, blocked.json.code]).toEqual([429, 'AUTH_FAILURES'])
    expect(blocked.headers['retry-after']).toBe('60')
    expect((await caseReq({ ...c, from: address() }, '/api/v1/case')).status).toBe(200)
  })

  test('the 10 failures are one budget over the case routes and the upload routes (not 10 each)', async () => {
    const from = address()
    const wrong = () => randomBytes(32).toString('base64url')
    for (let i = 0; i < 5; i++) {
      const res = await caseReq({ ...c, from }, '/api/v1/case', { auth: wrong() })
      expect(res.json.code).toBe('CASE_NOT_FOUND')
    }
    for (let i = 0; i < 5; i++) {
      const res = await caseReq({ ...c, from }, `/api/v1/case/messages/${newMsgId()}/attachments/0`, {
        method: 'PUT', auth: wrong(), headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': 0 }, body: Buffer.alloc(1),
      })
      expect(res.json.code).toBe('CASE_NOT_FOUND')
    }
    // Blocked on both kinds of route, with the right authenticator too.
    expect((await caseReq({ ...c, from }, '/api/v1/case')).json.code).toBe('AUTH_FAILURES')
    const put = await caseReq({ ...c, from }, `/api/v1/case/messages/${newMsgId()}/attachments/0`, {
      method: 'PUT', headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': 0 }, body: Buffer.alloc(1),
    })
    expect([put.status, put.json.code]).toEqual([429, 'AUTH_FAILURES'])
  })

  test('finalize answered RECEIPT_IN_USE counts as a failed authentication; the case routes are blocked, new reports still finalize', async () => {
    const from = address()
    const open = await request(server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { description: 'probe' })), localAddress: from })
    expect(open.status).toBe(201)
    const fin = (authenticator: string) => request(server.url, `/api/v1/submissions/${open.json.id}/finalize`, { method: 'POST', body: { authenticator }, localAddress: from })
    // Probing with authenticators taken by other cases: each answer tells that one exists.
    for (let i = 0; i < 6; i++) expect((await fin(c.keys.auth)).json.code).toBe('RECEIPT_IN_USE')
    for (let i = 0; i < 4; i++) expect((await caseReq({ ...c, from }, '/api/v1/case', { auth: randomBytes(32).toString('base64url') })).json.code).toBe('CASE_NOT_FOUND')
    expect((await caseReq({ ...c, from }, '/api/v1/case')).json.code).toBe('AUTH_FAILURES')
    // A resident behind the same (shared) address still gets a new report accepted.
    const mine = await fin(residentKeys(receipt()).auth)
    expect([mine.status, mine.json.state]).toEqual([200, 'accepted'])
  }, 30000)

  test('finalize: again with the same authenticator is the same answer; another one is RECEIPT_MISMATCH; both members is refused', async () => {
    const fin = (body: unknown) => request(server.url, `/api/v1/submissions/${c.caseId}/finalize`, { method: 'POST', body, localAddress: c.from })
    expect((await fin({ authenticator: c.keys.auth })).status).toBe(200)
    expect((await fin({ authenticator: randomBytes(32).toString('base64url') })).json.code).toBe('RECEIPT_MISMATCH')
    expect((await fin({ authenticator: c.keys.auth, receipt: c.receipt })).json.code).toBe('INVALID_FIELD')
    expect((await fin({})).json.code).toBe('MISSING_FIELD')
    expect((await fin({ authenticator: 'short' })).json.code).toBe('INVALID_AUTHENTICATOR')
  })
})

describe('messages both ways', () => {
  let c: Case
  beforeAll(async () => {
    c = await newCase()
  })

  test('a bureau reply is listed, fetched, and opened with the keys from the 查询码 only', async () => {
    const msgId = await bureauReply(c, '请提供对方的账号和转账记录。', true)
    const list = await caseReq(c, '/api/v1/case')
    expect(list.json.messages).toEqual([{ msgId, seq: 1, from: 'bureau', at: expect.any(String), state: 'accepted', size: expect.any(Number), attachments: 0 }])
    const got = await caseReq(c, `/api/v1/case/messages/${msgId}`, { method: 'GET' })
    expect(got.status).toBe(200)
    const opened = openAsResident({ caseId: c.caseId, keys: residentKeys(c.receipt), bureauPublicKey: env.key.publicKey, view: got.json })
    expect(opened.text).toBe('请提供对方的账号和转账记录。')
    expect(opened.requestsMaterial).toBe(true)
    // Another case's authenticator does not see it.
    const other = await newCase()
    expect((await caseReq(other, `/api/v1/case/messages/${msgId}`, { method: 'GET' })).json.code).toBe('MESSAGE_NOT_FOUND')
  })

  test('a text message is accepted at once; the same msgId and body again is 200, another body 409; the bureau opens it', async () => {
    const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '对方账号是 abc123。' })
    const first = await caseReq(c, '/api/v1/case/messages', { body: m.body })
    expect([first.status, first.json.state, first.json.seq]).toEqual([201, 'accepted', 2])
    const again = await caseReq(c, '/api/v1/case/messages', { body: m.body })
    expect([again.status, again.json.seq]).toEqual([200, 2])
    const other = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: 'other', msgId: m.msgId })
    expect((await caseReq(c, '/api/v1/case/messages', { body: other.body })).json.code).toBe('MESSAGE_ID_REUSED')
    const stored = await withRepository(async (repo) => repo.cases.getObject(m.msgId, 'message'))
    const text = openCaseObject({ header: m.body.header, reader: { keys: env.key, replyPublicKey: c.keys.D }, caseId: c.caseId, msgId: m.msgId, from: 'resident', kind: 'message', object: stored! })
    expect(JSON.parse(text.toString('utf8')).text).toBe('对方账号是 abc123。')
    // The resident reads its own copy on a new device.
    const copy = await caseReq(c, `/api/v1/case/messages/${m.msgId}`, { method: 'GET' })
    expect(openAsResident({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, view: copy.json }).text).toBe('对方账号是 abc123。')
  })

  test('the bureau marks messages read; the list of unread follows', async () => {
    const before = await withRepository((repo) => repo.cases.listActivity([c.caseId]))
    expect(before.find((a) => a.caseId === c.caseId)?.unread).toBe(1)
    expect(await withRepository((repo) => repo.cases.markRead(c.caseId, Date.now()))).toBe(1)
    const after = await withRepository((repo) => repo.cases.listActivity([c.caseId]))
    expect(after.find((a) => a.caseId === c.caseId)?.unread).toBe(0)
  })
})

/** Sends the head of a PUT body and never the rest; resolves once those bytes are on the wire. */
function startPartialPut(c: Case, path: string, offset: number, chunk: Uint8Array, sendBytes: number): Promise<void> {
  return new Promise((resolve) => {
    const url = new URL(path, server.url)
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', localAddress: c.from,
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': offset, 'content-length': chunk.length, 'case-auth': c.keys.auth },
    })
    req.on('error', () => {})
    req.write(Buffer.from(chunk.subarray(0, sendBytes)), () => setTimeout(resolve, 400))
  })
}

describe('added files', () => {
  test('two files: SIGKILL mid-upload, restart, resume from HEAD, finalize exactly once; the bureau opens both', async () => {
    const c = await newCase()
    const fileA = new Uint8Array(randomBytes(2 * 1024 * 1024 + 100))
    const fileB = new Uint8Array(randomBytes(5000))
    const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '', files: [{ name: 'a.png', bytes: fileA }, { name: 'b.png', bytes: fileB }] })
    const created = await caseReq(c, '/api/v1/case/messages', { body: m.body })
    expect([created.status, created.json.state, created.json.seq]).toEqual([201, 'open', null])
    expect(created.json.attachments).toEqual([{ n: 0, size: m.files[0].length, offset: 0 }, { n: 1, size: m.files[1].length, offset: 0 }])
    // Not complete yet: finalize says what is missing.
    const early = await caseReq(c, `/api/v1/case/messages/${m.msgId}/finalize`)
    expect([early.status, early.json.code]).toEqual([409, 'UPLOAD_INCOMPLETE'])
    expect((await caseReq(c, '/api/v1/case')).json.messages).toEqual([expect.objectContaining({ msgId: m.msgId, state: 'open', seq: null })])

    const path0 = `/api/v1/case/messages/${m.msgId}/attachments/0`
    expect((await putChunk(c, m.msgId, 0, 0, m.files[0].subarray(0, 1 << 20))).status).toBe(200)
    await startPartialPut(c, path0, 1 << 20, m.files[0].subarray(1 << 20, 2 << 20), 300_000)
    await server.kill()
    server = await startServer(env, { env: { STATUS_MIN_MS: String(MIN_MS), CASE_MESSAGES_PER_DAY: '4', CASE_MATERIAL_MIB: '3' } })

    const head = await caseReq(c, path0, { method: 'HEAD' })
    expect(head.status).toBe(200)
    const offset = Number(head.headers['upload-offset'])
    expect(offset).toBeGreaterThanOrEqual(1 << 20)
    expect(offset).toBeLessThanOrEqual((1 << 20) + 300_000)
    expect((await putChunk(c, m.msgId, 0, 0, m.files[0].subarray(0, 10))).json.code).toBe('OFFSET_MISMATCH')
    await uploadAll(c, m.msgId, 0, m.files[0], offset)
    await uploadAll(c, m.msgId, 1, m.files[1])

    const finals = await Promise.all([1, 2, 3].map(() => caseReq(c, `/api/v1/case/messages/${m.msgId}/finalize`)))
    for (const f of finals) expect([f.status, f.json.state, f.json.seq]).toEqual([200, 'accepted', 1])
    expect((await putChunk(c, m.msgId, 1, m.files[1].length, new Uint8Array(1))).json.code).toBe('MESSAGE_FINALIZED')
    // The same POST again (a retry whose answer was lost) is the accepted message, not a second one.
    const replay = await caseReq(c, '/api/v1/case/messages', { body: m.body })
    expect([replay.status, replay.json.state, replay.json.seq]).toEqual([200, 'accepted', 1])
    const list = (await caseReq(c, '/api/v1/case')).json.messages
    expect(list.map((x: { msgId: string }) => x.msgId)).toEqual([m.msgId])

    const blobs = new FsBlobStore(`${env.dataDir}/case-blobs`)
    const opened = [0, 1].map((n) => openCaseObject({
      header: m.body.header, reader: { keys: env.key, replyPublicKey: c.keys.D }, caseId: c.caseId, msgId: m.msgId, from: 'resident', kind: 'attachment', n,
      object: fs.readFileSync(blobs.filePath(m.msgId, n, true)),
    }))
    expect(Buffer.from(opened[0]).equals(Buffer.from(fileA))).toBe(true)
    expect(Buffer.from(opened[1]).equals(Buffer.from(fileB))).toBe(true)
  }, 60000)

  test('a file whose bytes are not the declared CRC-32 is refused at finalize and must be sent again', async () => {
    const c = await newCase()
    const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: 'x', files: [{ name: 'a.png', bytes: new Uint8Array(randomBytes(1000)) }] })
    expect((await caseReq(c, '/api/v1/case/messages', { body: m.body })).status).toBe(201)
    const damaged = Buffer.from(m.files[0])
    damaged[500] ^= 0xff
    await uploadAll(c, m.msgId, 0, damaged)
    const f = await caseReq(c, `/api/v1/case/messages/${m.msgId}/finalize`)
    expect([f.status, f.json.code, f.json.attachments]).toEqual([409, 'ATTACHMENT_HASH_MISMATCH', [{ n: 0, offset: 0, size: m.files[0].length }]])
    await uploadAll(c, m.msgId, 0, m.files[0])
    expect((await caseReq(c, `/api/v1/case/messages/${m.msgId}/finalize`)).json.state).toBe('accepted')
  })
})

describe('limits', () => {
  test('messages per case per day (4 here): the fifth is 429 MESSAGE_QUOTA with Retry-After', async () => {
    const c = await newCase()
    for (let i = 0; i < 4; i++) {
      const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: `第 ${i + 1} 条` })
      expect((await caseReq(c, '/api/v1/case/messages', { body: m.body })).status).toBe(201)
    }
    const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '第 5 条' })
    const res = await caseReq(c, '/api/v1/case/messages', { body: m.body })
    expect([res.status, res.json.code]).toEqual([429, 'MESSAGE_QUOTA'])
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(60)
  })

  test('added material per case (3 MiB here): one message or several together', async () => {
    const c = await newCase()
    const big = (mib: number) => ({ name: 'f.png', bytes: new Uint8Array(randomBytes(Math.floor(mib * 1024 * 1024))) })
    const tooMuch = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '', files: [big(2), big(1.5)] })
    expect((await caseReq(c, '/api/v1/case/messages', { body: tooMuch.body })).json.code).toBe('CASE_MATERIAL_LIMIT')
    const first = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '', files: [big(2)] })
    expect((await caseReq(c, '/api/v1/case/messages', { body: first.body })).status).toBe(201)
    const second = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '', files: [big(1.5)] })
    expect((await caseReq(c, '/api/v1/case/messages', { body: second.body })).json.code).toBe('CASE_MATERIAL_LIMIT')
  }, 30000)

  test('a message object over 64 KiB of plaintext is refused', async () => {
    const c = await newCase()
    const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: 'x' })
    const huge = Buffer.from(randomBytes(70 * 1024)).toString('base64')
    const res = await caseReq(c, '/api/v1/case/messages', { body: { ...m.body, message: huge } })
    expect([res.status, res.json.code]).toEqual([400, 'MESSAGE_TOO_LARGE'])
  })
})

describe('malformed requests get a precise 4xx', () => {
  let c: Case
  let m: ReturnType<typeof sealResidentMessage>
  beforeAll(async () => {
    c = await newCase()
    m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: 'x' })
  })
  const cases: [string, (b: any) => unknown, number, string][] = [
    ['no msgId', ({ msgId, ...rest }) => rest, 400, 'MISSING_FIELD'],
    ['an extra member', (b) => ({ ...b, from: 'bureau' }), 400, 'UNKNOWN_FIELD'],
    ['msgId not hex', (b) => ({ ...b, msgId: 'X'.repeat(32) }), 400, 'INVALID_FIELD'],
    ['header type', (b) => ({ ...b, header: { ...b.header, t: 'report' } }), 400, 'UNSUPPORTED_HEADER_TYPE'],
    ['header version', (b) => ({ ...b, header: { ...b.header, v: 2 } }), 400, 'UNSUPPORTED_VERSION'],
    ['header suite', (b) => ({ ...b, header: { ...b.header, suite: 'x' } }), 400, 'UNSUPPORTED_SUITE'],
    ['kid not hex', (b) => ({ ...b, header: { ...b.header, kid: 'zz' } }), 400, 'INVALID_KID'],
    ['unknown kid', (b) => ({ ...b, header: { ...b.header, kid: '0123456789abcdef' } }), 400, 'UNKNOWN_KID'],
    ['epk not base64', (b) => ({ ...b, header: { ...b.header, epk: '!!!' } }), 400, 'INVALID_BASE64'],
    ['epk low order', (b) => ({ ...b, header: { ...b.header, epk: Buffer.alloc(32).toString('base64') } }), 400, 'INVALID_EPK'],
    ['message not base64', (b) => ({ ...b, message: 'a b' }), 400, 'INVALID_BASE64'],
    ['message size impossible', (b) => ({ ...b, message: Buffer.alloc(16 + 1001 + 16).toString('base64') }), 400, 'INVALID_MESSAGE_SIZE'],
    ['attachment crc32', (b) => ({ ...b, attachments: [{ size: 1000, crc32: 'XYZ' }] }), 400, 'INVALID_CRC32'],
    ['attachment too large', (b) => ({ ...b, attachments: [{ size: 2 ** 40, crc32: '00000000' }] }), 400, 'ATTACHMENT_TOO_LARGE'],
    ['too many attachments', (b) => ({ ...b, attachments: Array.from({ length: 21 }, () => ({ size: 1000, crc32: '00000000' })) }), 400, 'TOO_MANY_ATTACHMENTS'],
    ['not JSON', () => '{"msgId":', 400, 'INVALID_JSON'],
    ['an array', () => [], 400, 'INVALID_FIELD'],
  ]
  test.each(cases)('%s', async (_name, change, status, code) => {
    const body = change(structuredClone(m.body))
    const res = await caseReq(c, '/api/v1/case/messages', {
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    })
    expect([res.status, res.json?.code]).toEqual([status, code])
  })

  test('the epk and the two objects are refused with the whole answer (code, message, field), message before copy', async () => {
    const answer = async (change: (b: any) => unknown) => {
      const res = await caseReq(c, '/api/v1/case/messages', { body: change(structuredClone(m.body)) })
      return [res.status, res.json]
    }
    // One byte over the cap still fits the schema's length (base64 of the cap, rounded up).
    const tooLarge = randomBytes(LIMITS.maxCaseObjectBytes + 1).toString('base64')
    expect(await answer((b) => ({ ...b, message: tooLarge, copy: '***' }))).toEqual([400, { code: 'MESSAGE_TOO_LARGE', message: 'A message object is at most 64 KiB of plaintext', field: '/message' }])
    expect(await answer((b) => ({ ...b, copy: tooLarge }))).toEqual([400, { code: 'MESSAGE_TOO_LARGE', message: 'A message object is at most 64 KiB of plaintext', field: '/copy' }])
    expect(await answer((b) => ({ ...b, copy: 'a b' }))).toEqual([400, { code: 'INVALID_BASE64', message: 'copy is not canonical base64', field: '/copy' }])
    expect(await answer((b) => ({ ...b, copy: Buffer.alloc(5).toString('base64') }))).toEqual([400, { code: 'INVALID_MESSAGE_SIZE', message: 'A 5-byte copy is not a valid object size', field: '/copy' }])
    expect(await answer((b) => ({ ...b, message: Buffer.alloc(7).toString('base64'), copy: '***' }))).toEqual([400, { code: 'INVALID_MESSAGE_SIZE', message: 'A 7-byte message is not a valid object size', field: '/message' }])
    expect(await answer((b) => ({ ...b, header: { ...b.header, epk: Buffer.alloc(32).toString('base64') }, message: '***' }))).toEqual([
      400, { code: 'INVALID_EPK', message: 'header.epk: BAD_HEADER: epk is a low-order point (shared secret is zero)', field: '/header/epk' },
    ])
    expect(await answer((b) => ({ ...b, header: { ...b.header, epk: '!!!' } }))).toEqual([400, { code: 'INVALID_BASE64', message: 'header.epk is not canonical base64', field: '/header/epk' }])
  })

  test('ids in the URL and upload headers', async () => {
    expect((await caseReq(c, '/api/v1/case/messages/zz', { method: 'GET' })).json.code).toBe('MESSAGE_NOT_FOUND')
    expect((await caseReq(c, `/api/v1/case/messages/${newMsgId()}`, { method: 'GET' })).json.code).toBe('MESSAGE_NOT_FOUND')
    expect((await caseReq(c, `/api/v1/case/messages/${newMsgId()}/finalize`)).json.code).toBe('MESSAGE_NOT_FOUND')
    const put = await caseReq(c, `/api/v1/case/messages/${newMsgId()}/attachments/0`, { method: 'PUT', headers: { 'content-type': 'application/offset+octet-stream' }, body: Buffer.alloc(1) })
    expect(put.json.code).toBe('MISSING_UPLOAD_OFFSET')
    const json = await caseReq(c, `/api/v1/case/messages/${newMsgId()}/attachments/0`, { method: 'PUT', headers: { 'upload-offset': 0 }, body: { a: 1 } })
    expect([json.status, json.json.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE'])
    expect((await caseReq(c, '/api/v1/case/reply-key', { body: { replyKey: 'abc' } })).json.code).toBe('INVALID_REPLY_KEY')
    expect((await caseReq(c, '/api/v1/case/reply-key', { body: { replyKey: c.keys.replyKey } })).json.code).toBe('NOT_A_LEGACY_CASE')
  })
})

describe('closed cases and legacy receipts', () => {
  test('closed: still readable; writing refused once the window is over (CASE_WRITE_DAYS_AFTER_CLOSE=0)', async () => {
    await server.kill()
    server = await startServer(env, { env: { STATUS_MIN_MS: String(MIN_MS), CASE_WRITE_DAYS_AFTER_CLOSE: '0' } })
    const c = await newCase()
    await bureauReply(c, '已办结。')
    await withRepository((repo) => repo.setStatus(c.caseId, 'closed', null, Date.now() - 120_000))
    const view = await caseReq(c, '/api/v1/case')
    expect(view.json).toEqual(expect.objectContaining({ status: 'closed', canWrite: false, closedAt: expect.any(String), writableUntil: expect.any(String) }))
    expect(view.json.messages).toHaveLength(1)
    const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '还有一件事' })
    const res = await caseReq(c, '/api/v1/case/messages', { body: m.body })
    expect([res.status, res.json.code]).toEqual([403, 'CASE_CLOSED_FOR_WRITING'])
    // With the default 30 days the same case takes messages again.
    await server.kill()
    server = await startServer(env, { env: { STATUS_MIN_MS: String(MIN_MS) } })
    expect((await caseReq(c, '/api/v1/case')).json).toEqual(expect.objectContaining({ canWrite: true }))
    expect((await caseReq(c, '/api/v1/case/messages', { body: m.body })).status).toBe(201)
  }, 60000)

  test('a receipt finalized by an old app opens with A′ from the published legacy salt; D′ is registered once', async () => {
    const r = receipt()
    const from = address()
    const created = await request(server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(env.key, { description: 'old app' })), localAddress: from })
    expect((await request(server.url, `/api/v1/submissions/${created.json.id}/finalize`, { method: 'POST', body: { receipt: r }, localAddress: from })).status).toBe(200)
    // The new-report keys find nothing; the legacy salt's do.
    const c: Case = { caseId: created.json.id, receipt: r, keys: residentKeys(r), from }
    expect((await caseReq(c, '/api/v1/case')).json.code).toBe('CASE_NOT_FOUND')
    const salt = await request(server.url, '/api/v1/case/legacy-salt')
    expect(salt.json).toEqual({ salt: expect.any(String), N: 16384, r: 8, p: 1, dkLen: 64 })
    c.keys = legacyKeys(r, Buffer.from(salt.json.salt, 'base64'))
    c.from = address()
    const view = await caseReq(c, '/api/v1/case')
    expect(view.json).toEqual(expect.objectContaining({ caseId: c.caseId, legacy: true, replyKeyKnown: false }))
    const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '旧版' })
    expect((await caseReq(c, '/api/v1/case/messages', { body: m.body })).json.code).toBe('REPLY_KEY_REQUIRED')
    expect((await caseReq(c, '/api/v1/case/reply-key', { body: { replyKey: c.keys.replyKey } })).status).toBe(200)
    expect((await caseReq(c, '/api/v1/case/reply-key', { body: { replyKey: c.keys.replyKey } })).status).toBe(200)
    expect((await caseReq(c, '/api/v1/case/reply-key', { body: { replyKey: residentKeys(receipt()).replyKey } })).json.code).toBe('REPLY_KEY_ALREADY_SET')
    expect((await caseReq(c, '/api/v1/case')).json.replyKeyKnown).toBe(true)
    const wrongKey = sealResidentMessage({ caseId: c.caseId, keys: residentKeys(receipt()), bureauPublicKey: env.key.publicKey, text: '旧版' })
    expect((await caseReq(c, '/api/v1/case/messages', { body: wrongKey.body })).json.code).toBe('WRONG_REPLY_KEY')
    expect((await caseReq(c, '/api/v1/case/messages', { body: m.body })).status).toBe(201)
    // The old app's status lookup keeps working.
    expect((await request(server.url, '/api/v1/status', { method: 'POST', body: { receipt: r }, localAddress: address() })).json.status).toBe('received')
  }, 30000)
})

test('nothing the resident or the bureau wrote, no 查询码 and no authenticator is on the server’s disk or in its log', async () => {
  const c = await newCase()
  await bureauReply(c, '独特的回复文字ZQX')
  const fileBytes = new Uint8Array(randomBytes(4000))
  const m = sealResidentMessage({ caseId: c.caseId, keys: c.keys, bureauPublicKey: env.key.publicKey, text: '独特的居民回答QZX', files: [{ name: 'x.png', bytes: fileBytes }] })
  expect((await caseReq(c, '/api/v1/case/messages', { body: m.body })).status).toBe(201)
  await uploadAll(c, m.msgId, 0, m.files[0])
  expect((await caseReq(c, `/api/v1/case/messages/${m.msgId}/finalize`)).status).toBe(200)
  await server.stop()
  const needles = [
    Buffer.from('独特的回复文字ZQX'), Buffer.from('独特的居民回答QZX'), Buffer.from(c.receipt), Buffer.from(c.keys.auth), Buffer.from(c.keys.A),
    Buffer.from(Buffer.from(c.keys.A).toString('hex')), Buffer.from(c.keys.replyKey), Buffer.from(c.keys.D), Buffer.from(fileBytes.subarray(0, 64)),
  ]
  const files = filesUnder(env.dataDir).map((f) => fs.readFileSync(f))
  for (const needle of needles) for (const hay of [...files, Buffer.from(server.output())]) expect(hay.includes(needle)).toBe(false)
  // No client address (the tests talk from 127.0.0.10 and up) in the data directory.
  for (const hay of files) expect(hay.includes(Buffer.from('127.0.0.'))).toBe(false)
  server = await startServer(env, { env: { STATUS_MIN_MS: String(MIN_MS) } })
}, 30000)
