/**
 * The server takes envelope v2 (what phones send) and still v1 (reports queued in an outbox before
 * the update), each with its own upload checksum, and refuses to accept an upload whose bytes are
 * not what the phone encrypted: v2 declares a CRC-32 per attachment at create, v1 a SHA-256; at
 * finalize a mismatch drops the attachment's bytes and asks for it again from 0.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { FsBlobStore } from '../../server/src/blobstore'
import { SqliteRepository } from '../../server/src/repository'
import {
  idempotencyKey, makeTestEnv, openStored, receipt, request, seal, startServer, submissionBody, upload,
  type RunningServer, type TestEnv,
} from './helpers'

let env: TestEnv
let server: RunningServer
let base: string

beforeAll(async () => {
  env = makeTestEnv()
  server = await startServer(env, { env: { RATE_LIMIT: 'off' } })
  base = server.url
})

afterAll(async () => {
  await server?.stop()
  env?.cleanup()
})

async function create(version: 1 | 2, files: Uint8Array[]) {
  const sealed = seal(env.key, { description: `v${version}` }, files, version)
  const body = submissionBody(sealed, idempotencyKey())
  const res = await request(base, '/api/v1/submissions', { method: 'POST', body })
  expect(res.status).toBe(201)
  return { sealed, body, id: res.json.id as string }
}

const finalize = (id: string, code = receipt()) => request(base, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: code } })
const head = async (id: string, n: number) => Number((await request(base, `/api/v1/submissions/${id}/attachments/${n}`, { method: 'HEAD' })).headers['upload-offset'])

async function storedOf(id: string, n: number) {
  return fs.readFileSync(FsBlobStore.open(env.dataDir).filePath(id, n, true))
}

async function openAll(id: string, stored: Buffer[]) {
  const repo = SqliteRepository.open(env.dataDir)
  try {
    const sub = (await repo.getSubmission(id))!
    return { sub, opened: openStored(env.key, sub.header, (await repo.getReport(id))!, stored) }
  } finally {
    await repo.close()
  }
}

describe.each([1, 2] as const)('envelope v%i', (version) => {
  const checksum = version === 2 ? 'crc32' : 'sha256'

  test(`create declares a ${checksum} per attachment; upload, finalize, and the stored objects open`, async () => {
    const files = [new Uint8Array(randomBytes(70_000)), new Uint8Array(randomBytes(10))]
    const { sealed, body, id } = await create(version, files)
    expect(body.header.v).toBe(version)
    for (const a of body.attachments) expect(Object.keys(a).sort()).toEqual([checksum, 'size'].sort())
    for (let n = 0; n < files.length; n++) await upload(base, id, n, sealed.attachments[n])
    expect((await finalize(id)).status).toBe(200)
    const { sub, opened } = await openAll(id, [await storedOf(id, 0), await storedOf(id, 1)])
    expect(sub.header.v).toBe(version)
    for (const a of sub.attachments) expect(a[checksum]).toMatch(version === 2 ? /^[0-9a-f]{8}$/ : /^[0-9a-f]{64}$/)
    files.forEach((f, n) => expect(Buffer.from(opened.attachments[n]).equals(Buffer.from(f))).toBe(true))
  })
})

describe.each([1, 2] as const)('upload integrity, envelope v%i', (version) => {
  test('a byte damaged on the server disk before finalize: ATTACHMENT_HASH_MISMATCH, the bytes are dropped, a re-upload is accepted', async () => {
    const files = [new Uint8Array(randomBytes(200_000)), new Uint8Array(randomBytes(3000))]
    const { sealed, id } = await create(version, files)
    for (let n = 0; n < files.length; n++) await upload(base, id, n, sealed.attachments[n], 64 * 1024)
    // Flip one byte of attachment 1 as it lies on disk (bit rot, a bad disk, a bug in a proxy).
    const part = FsBlobStore.open(env.dataDir).filePath(id, 1, false)
    const bytes = fs.readFileSync(part)
    bytes[1234] ^= 0x40
    fs.writeFileSync(part, bytes)

    const code = receipt()
    const bad = await finalize(id, code)
    expect(bad.status).toBe(409)
    expect(bad.json.code).toBe('ATTACHMENT_HASH_MISMATCH')
    expect(bad.json.attachments).toEqual([{ n: 1, offset: 0, size: sealed.attachments[1].length }])
    expect(await head(id, 1)).toBe(0)
    expect(await head(id, 0)).toBe(sealed.attachments[0].length)

    await upload(base, id, 1, sealed.attachments[1])
    const good = await finalize(id, code)
    expect(good.status).toBe(200)
    const stored = [await storedOf(id, 0), await storedOf(id, 1)]
    const { sub, opened } = await openAll(id, stored)
    expect(sub.header.v).toBe(version)
    expect(Buffer.from(opened.attachments[0]).equals(Buffer.from(files[0]))).toBe(true)
    expect(Buffer.from(opened.attachments[1]).equals(Buffer.from(files[1]))).toBe(true)
  })

  test('a client that uploads other bytes than it declared is refused at finalize', async () => {
    const files = [new Uint8Array(randomBytes(5000))]
    const { sealed, id } = await create(version, files)
    const wrong = Buffer.from(sealed.attachments[0])
    wrong[wrong.length - 1] ^= 1
    await upload(base, id, 0, wrong)
    const res = await finalize(id)
    expect(res.status).toBe(409)
    expect(res.json.code).toBe('ATTACHMENT_HASH_MISMATCH')
  })
})

describe('version rules at create', () => {
  test('a v1 report (queued before the update) is still accepted, with SHA-256s', async () => {
    const files = [new Uint8Array(randomBytes(1000))]
    const { sealed, id, body } = await create(1, files)
    expect(body.header.suite).toBe('x25519-hkdf-sha256-aes256cbc-hmacsha256')
    await upload(base, id, 0, sealed.attachments[0])
    expect((await finalize(id)).status).toBe(200)
  })

  test('v1 with a crc32 instead of its sha256: UNKNOWN_FIELD', async () => {
    const body: any = submissionBody(seal(env.key, {}, [new Uint8Array(10)], 1), idempotencyKey())
    body.attachments[0] = { size: body.attachments[0].size, crc32: '00000000' }
    const res = await request(base, '/api/v1/submissions', { method: 'POST', body })
    expect(res.status).toBe(400)
    expect(res.json.code).toBe('UNKNOWN_FIELD')
  })

  test('object sizes are checked by the rules of the header’s version', async () => {
    // A v2 report object under a v1 header: the v2 object of "{}" is 16 + padme(10) + 16 = 42 bytes,
    // which no v1 object (16 + 16k + 32, k >= 1) has.
    const v2 = submissionBody(seal(env.key, {}), idempotencyKey())
    const v1 = submissionBody(seal(env.key, {}, [], 1), idempotencyKey())
    const mixed = { ...v1, report: v2.report }
    const size = Buffer.from(v2.report, 'base64').length
    expect(size).toBe(42)
    const res = await request(base, '/api/v1/submissions', { method: 'POST', body: mixed })
    expect(res.status).toBe(400)
    expect(res.json.code).toBe('INVALID_REPORT_SIZE')
  })
})
