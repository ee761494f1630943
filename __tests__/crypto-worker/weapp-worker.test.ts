/**
 * The WeChat encryption worker as built (config/crypto-worker.ts → workers/crypto/index.js), run
 * the way WeChat runs it: in a thread of its own (Node worker_threads) with a global `worker`,
 * created through Taro.createWorker by src/platform/crypto-worker.weapp.ts. Covers the protocol,
 * a worker reclaimed mid-file (onProcessKilled) and restarted, and the in-thread fallbacks.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runInNewContext } from 'node:vm'
import Taro from '@tarojs/taro'
import { createEnvelope, objectSize } from '@/crypto'
import { SealClient } from '@/crypto-worker/client'
import { isSealRequest } from '@/crypto-worker/protocol'
import { FileSealer, MAX_WORKER_DEATHS } from '@/crypto-worker/sealer'
import { CRYPTO_WORKER_PATH, startSealWorker } from '@/platform/crypto-worker.weapp'
import { buildCryptoWorker, WORKER_FILE } from '../../config/crypto-worker'
import { generateBureauKeyPair, openObject } from '../../server/src/envelope'
import { createWxWorker, type WxWorkerHandle } from '../support/wx-worker-thread'

const bureau = generateBureauKeyPair()
const SECRET = new Uint8Array(randomBytes(32))
/** The same report's envelope as the worker makes it (for the header, to decrypt). */
const envelope = createEnvelope({ bureauPublicKey: new Uint8Array(bureau.publicKey), ephemeralSecret: SECRET.slice() })
const ENVELOPE = { bureauPublicKey: new Uint8Array(bureau.publicKey), ephemeralSecret: SECRET, expectedKid: bureau.kid }
const LABEL = 'attachment/0'
const MiB = 1024 * 1024

let root: string
const workers: WxWorkerHandle[] = []
const created: { path: string; options: unknown }[] = []
const api = Taro as unknown as Record<string, unknown>

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'weapp-worker-'))
  await buildCryptoWorker(root)
}, 120_000)

afterAll(() => rmSync(root, { recursive: true, force: true }))

beforeEach(() => {
  created.length = 0
  api.getAppBaseInfo = () => ({ SDKVersion: '3.4.0' })
  api.createWorker = (scriptPath: string, options: unknown) => {
    created.push({ path: scriptPath, options })
    const w = createWxWorker(root, scriptPath)
    workers.push(w)
    return w
  }
})

afterEach(() => {
  for (const w of workers.splice(0)) w.terminate()
  delete api.createWorker
  delete api.getAppBaseInfo
})

function file(size: number) {
  const data = new Uint8Array(randomBytes(size))
  const out: Uint8Array[] = []
  return {
    data,
    out,
    read: async (offset: number, length: number) => data.slice(offset, offset + length),
    write: async (bytes: Uint8Array) => void out.push(bytes.slice()),
    bytes: () => Buffer.concat(out),
  }
}

const freshNonce = async () => new Uint8Array(randomBytes(16))

const opens = (object: Uint8Array) => openObject({ header: envelope.header, privateKey: bureau, label: LABEL, object })

test('the build emits one self-contained worker script', () => {
  const size = statSync(path.join(root, WORKER_FILE)).size
  expect(size).toBeGreaterThan(2_000)
  // The envelope code (ChaCha20-Poly1305, CRC-32, Padmé, HKDF/SHA-256, X25519) and nothing else.
  expect(size).toBeLessThan(80 * 1024)
  // A mini-program worker may load nothing outside its folder: no require of other chunks.
  expect(readFileSync(path.join(root, WORKER_FILE), 'utf8')).not.toMatch(/\brequire\(/)
  expect(WORKER_FILE).toBe(CRYPTO_WORKER_PATH)
})

test('envelope, begin, data, end: the worker thread does the key agreement and seals a file that the node:crypto decryptor opens', async () => {
  const transport = startSealWorker()!
  expect(transport.kind).toBe('worker')
  expect(created).toEqual([{ path: 'workers/crypto/index.js', options: { useExperimentalWorker: true } }])
  const client = new SealClient(transport)
  expect(await client.openEnvelope(7, ENVELOPE)).toEqual(envelope.header)
  const f = file(MiB + 123)
  const progress: number[] = []
  const result = await client.sealFile({ envelope: 7, label: LABEL, nonce: await freshNonce(), size: f.data.length, read: f.read, write: f.write, onProgress: (d) => progress.push(d) })
  const object = f.bytes()
  expect(result.size).toBe(object.length)
  expect(object.length).toBe(objectSize(f.data.length))
  expect(opens(object).equals(f.data)).toBe(true)
  // Progress rises to the whole file; the messages were begin, 2 × data (1 MiB pieces), end.
  expect(progress[progress.length - 1]).toBe(f.data.length)
  expect(progress).toEqual([...progress].sort((a, b) => a - b))
  const types = workers[0].posted.map((m) => (m as { type: string }).type)
  expect(types).toEqual(['envelope', 'begin', 'data', 'data', 'end'])
  client.terminate()
})

test('a malformed message gets an error reply and the worker goes on working', async () => {
  const transport = startSealWorker()!
  const client = new SealClient(transport)
  const replies: unknown[] = []
  // Take over the reply handler, and wait for the error (however long the thread takes to start).
  const errored = new Promise<void>((resolve) =>
    transport.onReply((reply) => {
      replies.push(reply)
      if (reply.type === 'error') resolve()
    }),
  )
  transport.post({ type: 'data', job: 999, seq: 0, bytes: 'not bytes' } as never)
  await errored
  expect(replies).toContainEqual(expect.objectContaining({ type: 'error', job: 999, message: 'malformed request' }))
  // A fresh client on the same worker still seals.
  const again = new SealClient(transport)
  await again.openEnvelope(1, ENVELOPE)
  const f = file(1000)
  await again.sealFile({ envelope: 1, label: LABEL, nonce: await freshNonce(), size: 1000, read: f.read, write: f.write })
  expect(opens(f.bytes()).equals(f.data)).toBe(true)
  client.terminate()
})

test('killed mid-file (onProcessKilled): a new worker makes the envelope again and seals the whole file again under a fresh nonce', async () => {
  const sealer = new FileSealer(startSealWorker)
  expect(await sealer.openEnvelope(ENVELOPE)).toEqual(envelope.header)
  const f = file(3 * MiB)
  let reads = 0
  const nonces: string[] = []
  let resets = 0
  const outcome = await sealer.seal({
    label: LABEL,
    size: f.data.length,
    nonce: async () => {
      const n = await freshNonce()
      nonces.push(Buffer.from(n).toString('hex'))
      return n
    },
    reset: async () => {
      resets++
      f.out.length = 0
    },
    read: async (offset, length) => {
      // WeChat reclaims the worker after the third piece of the first attempt.
      if (++reads === 3) await workers[0].kill()
      return f.read(offset, length)
    },
    write: f.write,
  })
  expect(outcome.restarts).toBe(1)
  expect(outcome.ranIn).toBe('worker')
  expect(resets).toBe(1)
  expect(created).toHaveLength(2)
  expect(workers[1].posted.map((m) => (m as { type: string }).type).slice(0, 2)).toEqual(['envelope', 'begin'])
  expect(new Set(nonces).size).toBe(2)
  expect(Buffer.from(outcome.nonce).toString('hex')).toBe(nonces[1])
  const object = f.bytes()
  expect(object.subarray(0, 16).toString('hex')).toBe(nonces[1])
  expect(opens(object).equals(f.data)).toBe(true)
  sealer.close()
})

test(`a worker killed ${MAX_WORKER_DEATHS} times: the file is sealed in-thread instead`, async () => {
  const sealer = new FileSealer(startSealWorker)
  await sealer.openEnvelope(ENVELOPE)
  const f = file(2 * MiB + 600 * 1024)
  const outcome = await sealer.seal({
    label: LABEL,
    size: f.data.length,
    nonce: freshNonce,
    reset: async () => void (f.out.length = 0),
    read: async (offset, length) => {
      const live = workers[workers.length - 1]
      if (offset > 0 && created.length <= MAX_WORKER_DEATHS && live) await live.kill()
      return f.read(offset, length)
    },
    write: f.write,
  })
  expect(outcome.restarts).toBe(MAX_WORKER_DEATHS)
  expect(outcome.ranIn).toBe('in-thread')
  expect(opens(f.bytes()).equals(f.data)).toBe(true)
  sealer.close()
})

test.each([
  ['a base library before 2.20.2 (no ArrayBuffer in worker messages)', () => (api.getAppBaseInfo = () => ({ SDKVersion: '2.19.9' }))],
  ['no createWorker', () => delete api.createWorker],
  ['createWorker throws', () => (api.createWorker = () => { throw new Error('createWorker:fail') })],
])('%s: no worker, and FileSealer seals in-thread', async (_name, setUp) => {
  setUp()
  expect(startSealWorker()).toBeUndefined()
  const sealer = new FileSealer(startSealWorker)
  await sealer.openEnvelope(ENVELOPE)
  const f = file(70_000)
  const outcome = await sealer.seal({ label: LABEL, size: f.data.length, nonce: freshNonce, reset: async () => undefined, read: f.read, write: f.write })
  expect(outcome.ranIn).toBe('in-thread')
  expect(opens(f.bytes()).equals(f.data)).toBe(true)
})

test('messages cloned by a host whose ArrayBuffer is another realm’s are accepted (no instanceof across realms)', () => {
  const foreign = (n: number) => runInNewContext(`new ArrayBuffer(${n})`) as ArrayBuffer
  expect(foreign(4) instanceof ArrayBuffer).toBe(false)
  expect(isSealRequest({ type: 'envelope', envelope: 1, bureauPublicKey: foreign(32), ephemeralSecret: foreign(32) })).toBe(true)
  expect(isSealRequest({ type: 'begin', job: 1, envelope: 1, label: 'report', nonce: foreign(16), size: 3 })).toBe(true)
  expect(isSealRequest({ type: 'data', job: 1, seq: 0, bytes: foreign(3) })).toBe(true)
  expect(isSealRequest({ type: 'data', job: 1, seq: 0, bytes: new Uint8Array(3) })).toBe(false)
})
