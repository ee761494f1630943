/**
 * Client encrypts (src/crypto with src/platform/random), the node:crypto decryptor opens: random
 * sizes up to 5 MB, a whole report with attachments to the bundled development key, and the
 * attachment stream's progress and yielding.
 */
import { createHash, randomBytes as nodeRandomBytes, randomInt } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { attachmentLabel, ciphertextSize, createEnvelope, encryptAttachment, encryptObject, fromBase64, sha256Hex } from '@/crypto'
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

// Random sizes (logged in the test names) plus the awkward ones around blocks and chunks.
const sizes = [0, 1, 15, 16, 17, 262_143, 262_144, 262_145, 5 * MB, ...Array.from({ length: 6 }, () => randomInt(5 * MB))]

test.each(sizes)('%i bytes: client encrypts, node:crypto decrypts', async (size) => {
  const env = await newEnvelope()
  const plaintext = new Uint8Array(nodeRandomBytes(size))
  const label = attachmentLabel(size % 20)
  const out = collector()
  const result = await encryptAttachment({ keys: env.keysFor(label), iv: await randomBytes(16), size, read: reader(plaintext), write: out.write })
  const object = out.bytes()
  expect(object.length).toBe(ciphertextSize(size))
  expect(result.ciphertextSize).toBe(object.length)
  expect(result.ciphertextSha256).toBe(createHash('sha256').update(object).digest('hex'))
  expect(result.plaintextSha256).toBe(createHash('sha256').update(plaintext).digest('hex'))
  const opened = openObject({ header: env.header, privateKey: key, label, object })
  expect(opened.equals(plaintext)).toBe(true)
})

test('a 5 MB attachment decrypts to a file with bounded memory', async () => {
  const env = await newEnvelope()
  const plaintext = new Uint8Array(nodeRandomBytes(5 * MB + 3))
  const out = collector()
  const result = await encryptAttachment({ keys: env.keysFor('attachment/3'), iv: await randomBytes(16), size: plaintext.length, read: reader(plaintext), write: out.write })
  const dir = mkdtempSync(join(tmpdir(), 'envelope-rt-'))
  try {
    writeFileSync(join(dir, 'object'), out.bytes())
    const opened = await openObjectFile({ header: env.header, privateKey: key, label: 'attachment/3', inputPath: join(dir, 'object'), outputPath: join(dir, 'plain') })
    expect(opened).toEqual({ size: plaintext.length, sha256: result.plaintextSha256 })
    expect(readFileSync(join(dir, 'plain')).equals(plaintext)).toBe(true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a whole report with attachments, to the development key in campaign.json', async () => {
  const config: CampaignConfig = JSON.parse(readFileSync(join(ROOT, 'campaign', 'campaign.json'), 'utf8'))
  const current = config.keys.find((k) => k.current)!
  const env = createEnvelope({ bureauPublicKey: fromBase64(current.publicKey), ephemeralSecret: await randomBytes(32), expectedKid: current.kid })

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
  const entries = []
  for (const [n, file] of files.entries()) {
    const out = collector()
    const { plaintextSha256 } = await encryptAttachment({ keys: env.keysFor(attachmentLabel(n)), iv: await randomBytes(16), size: file.length, read: reader(file), write: out.write })
    objects.push(out.bytes())
    const a = draft.attachments[n]
    entries.push({ n, label: a.label, name: a.name, mime: a.mime, size: a.size, sha256: plaintextSha256 })
  }
  const plaintext = toReportPlaintext(draft, entries, '2023-05-01T10:05:30+08:00')
  const reportObject = encryptObject(env.keysFor('report'), await randomBytes(16), encodeReportPlaintext(plaintext))

  // The bureau side: only the development private key file and its public passphrase.
  const devKey = await readDevKey()
  const report = JSON.parse(openObject({ header: env.header, privateKey: devKey, label: 'report', object: reportObject }).toString('utf8'))
  expect(report).toEqual(plaintext)
  expect(JSON.stringify(report)).not.toContain('wxfile://')
  for (const entry of report.attachments) {
    const file = openObject({ header: env.header, privateKey: devKey, label: attachmentLabel(entry.n), object: objects[entry.n] })
    expect(createHash('sha256').update(file).digest('hex')).toBe(entry.sha256)
    expect(file.length).toBe(entry.size)
  }
})

test('progress runs from 0 to 1, never decreases, and the stream yields between chunks', async () => {
  const env = await newEnvelope()
  const size = 1_000_000
  const plaintext = new Uint8Array(nodeRandomBytes(size))
  const progress: number[] = []
  let ticks = 0
  let running = true
  const tick = () => {
    ticks++
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  const out = collector()
  await encryptAttachment({
    keys: env.keysFor('attachment/0'),
    iv: await randomBytes(16),
    size,
    read: reader(plaintext),
    write: out.write,
    onProgress: (f) => progress.push(f),
    chunkSize: 64 * 1024,
  })
  running = false
  const chunks = Math.ceil(size / (64 * 1024))
  expect(progress[0]).toBe(0)
  expect(progress[progress.length - 1]).toBe(1)
  expect(progress).toHaveLength(chunks + 1)
  for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1])
  // Other macrotasks ran while it worked: the UI would too.
  expect(ticks).toBeGreaterThanOrEqual(chunks - 1)
  // Memory stays bounded: output arrives chunk by chunk, never as one buffer.
  expect(Math.max(...out.writes)).toBeLessThanOrEqual(64 * 1024 + 48)
})

test('a read that returns the wrong length aborts the attachment', async () => {
  const env = await newEnvelope()
  const keys = env.keysFor('attachment/0')
  const iv = await randomBytes(16)
  const write = async () => {}
  await expect(encryptAttachment({ keys, iv, size: 100, read: async () => new Uint8Array(99), write })).rejects.toThrow(/returned 99 bytes, expected 100/)
  await expect(encryptAttachment({ keys, iv, size: 100, read: async () => 'x' as unknown as Uint8Array, write })).rejects.toThrow(/returned string/)
  await expect(encryptAttachment({ keys, iv, size: -1, read: async () => new Uint8Array(0), write })).rejects.toThrow(/size/)
  await expect(encryptAttachment({ keys, iv, size: 1, read: async () => new Uint8Array(1), write, chunkSize: 0 })).rejects.toThrow(/chunk size/)
  await expect(encryptAttachment({ keys, iv: iv.subarray(1), size: 1, read: async () => new Uint8Array(1), write })).rejects.toThrow(/iv/)
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
