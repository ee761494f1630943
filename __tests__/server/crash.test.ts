/**
 * A crash loses nothing acknowledged: the server process is killed with SIGKILL in the middle of
 * an upload, restarted on the same data directory, and the client resumes from the HEAD offset,
 * finalizes, and the stored ciphertext matches the declared SHA-256 byte for byte.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { FsBlobStore } from '../../server/src/blobstore'
import { SqliteRepository } from '../../server/src/repository'
import { crc32Hex } from '@/crypto'
import {
  makeTestEnv, openStored, receipt, request, seal, startPartialPut, startServer, submissionBody, upload,
  type RunningServer, type TestEnv,
} from './helpers'

const MiB = 1024 * 1024
let env: TestEnv
let server: RunningServer | undefined

beforeAll(() => {
  env = makeTestEnv()
})

afterAll(async () => {
  await server?.kill()
  env?.cleanup()
})

test('SIGKILL mid-upload, restart, resume from HEAD, finalize: the stored ciphertext is intact', async () => {
  const plaintext = new Uint8Array(randomBytes(3 * MiB + 777))
  const sealed = seal(env.key, { description: 'crash test' }, [plaintext])
  const object = sealed.attachments[0]
  const body = submissionBody(sealed)

  server = await startServer(env)
  const created = await request(server.url, '/api/v1/submissions', { method: 'POST', body })
  expect(created.status).toBe(201)
  const id: string = created.json.id
  const path = `/api/v1/submissions/${id}/attachments/0`

  // Two chunks acknowledged, then half of the third on the wire when the process is killed.
  await upload(server.url, id, 0, object.subarray(0, 2 * MiB))
  const acknowledged = 2 * MiB
  await startPartialPut(server.url, path, acknowledged, object.subarray(acknowledged, acknowledged + MiB), MiB / 2)
  await server.kill()
  expect(server.child.signalCode).toBe('SIGKILL')

  // Same data directory, new process.
  server = await startServer(env)
  const head = await request(server.url, path, { method: 'HEAD' })
  expect(head.status).toBe(200)
  const offset = Number(head.headers['upload-offset'])
  expect(offset).toBeGreaterThanOrEqual(acknowledged)
  expect(offset).toBeLessThanOrEqual(object.length)
  // The idempotent create finds the same submission after the crash.
  const replay = await request(server.url, '/api/v1/submissions', { method: 'POST', body })
  expect(replay.status).toBe(200)
  expect(replay.json.id).toBe(id)
  expect(replay.json.attachments[0].offset).toBe(offset)

  await upload(server.url, id, 0, object, MiB, offset)
  const code = receipt()
  const fin = await request(server.url, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: code } })
  expect(fin.status).toBe(200)

  const stored = fs.readFileSync(FsBlobStore.open(env.dataDir).filePath(id, 0, true))
  expect(crc32Hex(stored)).toBe((body.attachments[0] as { crc32: string }).crc32)
  expect(Buffer.compare(stored, Buffer.from(object))).toBe(0)
  const repo = SqliteRepository.open(env.dataDir)
  try {
    const opened = openStored(env.key, (await repo.getSubmission(id))!.header, (await repo.getReport(id))!, [stored])
    expect(Buffer.compare(opened.attachments[0], Buffer.from(plaintext))).toBe(0)
  } finally {
    await repo.close()
  }

  // Killed again right after finalizing: the acceptance and the receipt (salt) survive.
  await server.kill()
  server = await startServer(env)
  const status = await request(server.url, '/api/v1/status', { method: 'POST', body: { receipt: code } })
  expect(status.status).toBe(200)
  expect(status.json.status).toBe('received')
}, 120_000)

test('chunks acknowledged while the server is being killed are all on disk after the restart', async () => {
  const sealed = seal(env.key, { description: 'kill during a stream of chunks' }, [new Uint8Array(randomBytes(2 * MiB))])
  const object = sealed.attachments[0]
  await server?.kill()
  server = await startServer(env)
  const created = await request(server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed) })
  const id: string = created.json.id
  const chunk = 256 * 1024
  let acked = 0
  const running = server
  // Upload continuously; kill the process as soon as the 5th chunk is acknowledged, with the 6th in flight.
  const uploading = (async () => {
    for (let offset = 0; offset < object.length; offset += chunk) {
      const res = await request(running.url, `/api/v1/submissions/${id}/attachments/0`, {
        method: 'PUT',
        headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': offset },
        body: Buffer.from(object.subarray(offset, offset + chunk)),
      }).catch(() => undefined)
      if (!res || res.status !== 200) return
      acked = res.json.offset
      if (acked === 5 * chunk) void running.kill()
    }
  })()
  await uploading
  await running.kill()
  expect(acked).toBeGreaterThanOrEqual(5 * chunk)

  server = await startServer(env)
  const head = await request(server.url, `/api/v1/submissions/${id}/attachments/0`, { method: 'HEAD' })
  const offset = Number(head.headers['upload-offset'])
  expect(offset).toBeGreaterThanOrEqual(acked)
  const onDisk = fs.readFileSync(FsBlobStore.open(env.dataDir).filePath(id, 0, false))
  expect(Buffer.compare(onDisk, Buffer.from(object.subarray(0, onDisk.length)))).toBe(0)
  await upload(server.url, id, 0, object, MiB, offset)
  const fin = await request(server.url, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { receipt: receipt() } })
  expect(fin.status).toBe(200)
}, 120_000)
