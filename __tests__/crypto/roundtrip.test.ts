/**
 * Client encrypts (src/crypto, through the in-thread seal service that the worker also runs),
 * the node:crypto decryptor opens: random sizes up to 5 MB, a whole report with attachments to
 * the bundled development key, progress and yielding of the in-thread fallback.
 */
import { createHash, randomBytes as nodeRandomBytes, randomInt } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { attachmentLabel, createEnvelope, fromBase64, objectSize, sealObject, sha256Hex } from '@/crypto'
import { DEFAULT_PIECE_SIZE, SealClient } from '@/crypto-worker/client'
import { createInThreadTransport, IN_THREAD_PIECE_SIZE } from '@/crypto-worker/in-thread'
import { randomBytes } from '@/platform/random'
import { encodeReportPlaintext, toReportPlaintext } from '@/domain/report-plaintext'
import type { CampaignConfig, DraftReport } from '@/domain/types'
import { bureauKeyPairFromRaw, generateBureauKeyPair, openObject, openObjectFile, readDevKey, rawPrivateKey } from '../../server/src/envelope'
import { ROOT, collector, reader } from './helpers'

const MB = 1_000_000
const key = generateBureauKeyPair()

async function newEnvelope() {
  return createEnvelope({ bureauPublicKey: new Uint8Array(key.publicKey), ephemeralSecret: await randomBytes(32), expectedKid: key.kid })
}

let envelopeIds = 1

/**
 * One report's envelope made by the seal service (in-thread, the same code the worker runs), and a
 * function that seals an object of it as the phone does: through the protocol, piece by piece.
 */
async function streamEnvelope(bureauPublicKey: Uint8Array = new Uint8Array(key.publicKey), expectedKid = key.kid) {
  const client = new SealClient(createInThreadTransport())
  const id = envelopeIds++
  const header = await client.openEnvelope(id, { bureauPublicKey, ephemeralSecret: await randomBytes(32), expectedKid })
  return {
    header,
    client,
    async seal(label: string, plaintext: Uint8Array, onProgress?: (done: number) => void) {
      const out = collector()
      const result = await client.sealFile({ envelope: id, label, nonce: await randomBytes(16), size: plaintext.length, read: reader(plaintext), write: out.write, onProgress })
      return { result, object: out.bytes(), writes: out.writes }
    },
  }
}

// Random sizes (logged in the test names) plus the awkward ones around chunks and Padmé steps.
const sizes = [0, 1, 17, 65_527, 65_528, 65_529, 131_064, 5 * MB, ...Array.from({ length: 5 }, () => randomInt(5 * MB))]

test.each(sizes)('%i bytes: client encrypts, node:crypto decrypts', async (size) => {
  const env = await streamEnvelope()
  const plaintext = new Uint8Array(nodeRandomBytes(size))
  const label = attachmentLabel(size % 20)
  const { result, object } = await env.seal(label, plaintext)
  expect(object.length).toBe(objectSize(size))
  expect(result.size).toBe(object.length)
  expect(result.crc32).toBe(crc32(object).toString(16).padStart(8, '0'))
  // Padmé: the size says little more than the order of magnitude, at a bounded cost.
  expect(object.length).toBeLessThanOrEqual(Math.max(64, size * 1.12 + 64))
  expect(openObject({ header: env.header, privateKey: key, label, object }).equals(plaintext)).toBe(true)
  env.client.terminate()
})

test('a 5 MB attachment decrypts to a file with bounded memory', async () => {
  const env = await streamEnvelope()
  const plaintext = new Uint8Array(nodeRandomBytes(5 * MB + 3))
  const { object } = await env.seal('attachment/3', plaintext)
  const dir = mkdtempSync(join(tmpdir(), 'envelope-rt-'))
  try {
    writeFileSync(join(dir, 'object'), object)
    const opened = await openObjectFile({ header: env.header, privateKey: key, label: 'attachment/3', inputPath: join(dir, 'object'), outputPath: join(dir, 'plain') })
    expect(opened).toEqual({ size: plaintext.length, sha256: createHash('sha256').update(plaintext).digest('hex') })
    expect(readFileSync(join(dir, 'plain')).equals(plaintext)).toBe(true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('files of similar sizes give objects of the same size (the server cannot match sizes)', async () => {
  const env = await newEnvelope()
  const seen = new Set<number>()
  for (const size of [1_000_000, 1_000_001, 1_003_000, 1_010_000, 1_015_000]) seen.add(objectSize(size))
  expect(seen.size).toBe(1)
  const a = sealObject(env.objectKey('attachment/0', new Uint8Array(16).fill(1)), new Uint8Array(16).fill(1), new Uint8Array(1_000_000))
  const b = sealObject(env.objectKey('attachment/1', new Uint8Array(16).fill(2)), new Uint8Array(16).fill(2), new Uint8Array(1_015_000))
  expect(a.bytes.length).toBe(b.bytes.length)
})

test('a whole report with attachments, to the development key in campaign.json', async () => {
  const config: CampaignConfig = JSON.parse(readFileSync(join(ROOT, 'campaign', 'campaign.json'), 'utf8'))
  const current = config.keys.find((k) => k.current)!
  const env = await streamEnvelope(fromBase64(current.publicKey), current.kid)

  const files = [new Uint8Array(nodeRandomBytes(123_456)), new Uint8Array(nodeRandomBytes(7))]
  const draft: DraftReport = {
    id: 'r1',
    createdAt: '2023-05-01T10:00:00+08:00',
    updatedAt: '2023-05-01T10:05:00+08:00',
    category: 'smear',
    branch: 'zs',
    happenedAt: '2023-04-30T20:00',
    description: '有人在网上散布我的隐私信息并敲诈勒索。',
    links: ['https://example.invalid/post/1'],
    party: { accounts: '', phones: '不清楚', websites: '' },
    extra: {},
    attachments: files.map((f, i) => ({ id: `a${i}`, label: i === 0 ? '截图' : '其他', name: `证据${i}.png`, mime: 'image/png', size: f.length, ref: `wxfile://usr/a${i}` })),
    reporter: { anonymous: true, name: '', mobile: '', idNumber: '' },
    declaration: { truthful: true, liability: true },
  }
  const objects: Buffer[] = []
  for (const [n, file] of files.entries()) objects.push((await env.seal(attachmentLabel(n), file)).object)
  const entries = draft.attachments.map((a, n) => ({ n, label: a.label, name: a.name, mime: a.mime, size: a.size }))
  const plaintext = toReportPlaintext(draft, entries, '2023-05-01T10:05:30+08:00')
  const reportObject = (await env.seal('report', encodeReportPlaintext(plaintext))).object

  // The bureau side: only the development private key file and its public passphrase.
  const devKey = await readDevKey()
  const report = JSON.parse(openObject({ header: env.header, privateKey: devKey, label: 'report', object: reportObject }).toString('utf8'))
  expect(report).toEqual(plaintext)
  expect(JSON.stringify(report)).not.toContain('wxfile://')
  for (const entry of report.attachments) {
    const file = openObject({ header: env.header, privateKey: devKey, label: attachmentLabel(entry.n), object: objects[entry.n] })
    expect(file.equals(files[entry.n])).toBe(true)
    expect(file.length).toBe(entry.size)
  }
})

test('in-thread fallback: progress rises to the whole file, other macrotasks run between 64 KiB slices, output comes piece by piece', async () => {
  const env = await streamEnvelope()
  const size = 3_000_000
  const plaintext = new Uint8Array(nodeRandomBytes(size))
  const progress: number[] = []
  let ticks = 0
  let running = true
  const tick = () => {
    ticks++
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  const { writes } = await env.seal('attachment/0', plaintext, (d) => progress.push(d))
  running = false
  const slices = Math.ceil(size / IN_THREAD_PIECE_SIZE)
  expect(progress[progress.length - 1]).toBe(size)
  expect(progress.length).toBe(Math.ceil(size / DEFAULT_PIECE_SIZE) + 1)
  for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1])
  // Other macrotasks ran while it worked: the UI would too.
  // A 1 MiB piece is handled as 16 short tasks, not one long one.
  expect(ticks).toBeGreaterThanOrEqual(slices - 2)
  // Memory stays bounded: output arrives piece by piece (plus the padding at the end), never as one buffer.
  expect(Math.max(...writes)).toBeLessThanOrEqual(DEFAULT_PIECE_SIZE + 2 * 65_552)
})

test('a read that returns the wrong length aborts the file; a bad label, nonce or envelope fails clearly', async () => {
  const { client } = await streamEnvelope()
  const nonce = await randomBytes(16)
  const write = async () => {}
  const o = { envelope: envelopeIds - 1, label: 'attachment/0', nonce, write }
  await expect(client.sealFile({ ...o, size: 100, read: async () => new Uint8Array(99) })).rejects.toThrow(/returned 99 bytes, expected 100/)
  await expect(client.sealFile({ ...o, size: 100, read: async () => 'x' as unknown as Uint8Array })).rejects.toThrow(/returned string/)
  await expect(client.sealFile({ ...o, size: -1, read: async () => new Uint8Array(0) })).rejects.toThrow(/size/)
  await expect(client.sealFile({ ...o, nonce: nonce.subarray(1), size: 1, read: async () => new Uint8Array(1) })).rejects.toThrow(/nonce/)
  await expect(client.sealFile({ ...o, label: 'attachment/01', size: 1, read: async () => new Uint8Array(1) })).rejects.toThrow(/label/)
  await expect(client.sealFile({ ...o, envelope: 999, size: 1, read: async () => new Uint8Array(1) })).rejects.toThrow(/no envelope/)
  // A low-order bureau key is refused in the envelope request itself.
  await expect(client.openEnvelope(998, { bureauPublicKey: new Uint8Array(32), ephemeralSecret: await randomBytes(32) })).rejects.toThrow(/low-order/)
  client.terminate()
})

test('the client derives the same public key as node:crypto from a private key', async () => {
  const { x25519Base } = await import('@/crypto/x25519')
  for (let i = 0; i < 5; i++) {
    const pair = generateBureauKeyPair()
    expect(Buffer.from(x25519Base(new Uint8Array(rawPrivateKey(pair)))).equals(pair.publicKey)).toBe(true)
    expect(bureauKeyPairFromRaw(rawPrivateKey(pair)).kid).toBe(pair.kid)
  }
  expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
})
