/**
 * The outbox runner end to end against the REAL intake server (child process, temporary data
 * directory), with Taro.request implemented over Node's fetch: submit, lose the network or the
 * server mid-upload, resume from the server's offsets, never a second submission; then the stored
 * objects are decrypted with the Node decryptor and compared field by field.
 */
import { createHash, hkdfSync, randomBytes, scryptSync } from 'node:crypto'
import { bureauKeyPairFromRaw } from '../../server/src/envelope'
import fs from 'node:fs'
import type { Readable } from 'node:stream'
import { memoryFiles } from '../app/support/memory-files'
import { completeDraft } from '../app/support/drafts'
import { __reset } from '../mocks/taro'
import { makeTestEnv, openStored, startServer, type RunningServer, type TestEnv } from '../server/helpers'
import { buildAppWithAnchor, phoneAccepts, restoreDevelopmentBuild } from '../keys/support'
import { installFetchRequest, network, networkDown, type SentRequest } from './support/fetch-request'
import { FsBlobStore } from '../../server/src/blobstore'
import { SqliteRepository } from '../../server/src/repository'
import type { AttachmentLabel, DraftAttachment, DraftReport } from '@/domain/types'
import { REPORT_SCHEMA } from '@/domain/report-plaintext'
import { bundledConfig } from '@/domain/campaign'
import { listDrafts, loadDraft, saveDraft } from '@/drafts/store'
import { cancelJob, confirmReceipt, jobView, listJobs, loadJob, retryNow, startSubmission, WAITING_FOR_NETWORK } from '@/outbox'
import { configureOutbox, idle, kick, resetOutboxForTests } from '@/outbox/runner'
import { saveJob } from '@/outbox/store'
import { writeKey } from '@/platform/storage'
import { useFileSealer } from '@/outbox/sealer-slot'
import { FileSealer } from '@/crypto-worker/sealer'
import { createInThreadTransport } from '@/crypto-worker/in-thread'
import type { SealTransport } from '@/crypto-worker/protocol'
import { encodeReportPlaintext, toReportPlaintext } from '@/domain/report-plaintext'
import { createEnvelopeV1, encryptObjectV1 } from '../support/envelope-v1'
import { fetchCase } from '@/services/case-api'

/** The case's public status, asked the way the phone asks now: with A, never the receipt. */
async function caseStatus(job: { caseKeys?: { auth: string } }): Promise<string> {
  return (await fetchCase(job.caseKeys!.auth)).status
}

jest.mock('@/platform/files', () => require('../app/support/memory-files'))

const CHUNK = 64 * 1024

let env: TestEnv
let server: RunningServer
let campaign: Record<string, any>

async function boot(): Promise<void> {
  server = await startServer(env, { env: { RATE_LIMIT: 'off' } })
  process.env.TARO_APP_API_BASE = server.url
}

beforeAll(async () => {
  env = makeTestEnv()
  campaign = JSON.parse(fs.readFileSync(env.campaignFile, 'utf8'))
  await boot()
}, 60000)

afterAll(async () => {
  restoreDevelopmentBuild()
  resetOutboxForTests()
  await server?.stop()
  env?.cleanup()
  delete process.env.TARO_APP_API_BASE
})

/**
 * A fresh app built for the test campaign (its signing key is the anchor): empty storage and
 * files, the runner's memory gone, the server's campaign cached and its signed key list accepted.
 */
function freshApp(): void {
  __reset()
  memoryFiles.clear()
  network.reset()
  installFetchRequest()
  restartApp()
  buildAppWithAnchor(env.signing)
  writeKey('config/campaign', campaign)
  phoneAccepts(env.keysFile)
}

/** The app was killed and opened again: storage and files survive, memory does not. */
function restartApp(): void {
  resetOutboxForTests()
  configureOutbox({ chunkSize: CHUNK, random01: async () => 0 })
}

beforeEach(freshApp)

afterEach(async () => {
  await idle()
})

interface Made {
  draft: DraftReport
  plain: Uint8Array[]
}

const LABELS: AttachmentLabel[] = ['截图', '交易记录', '其他']

async function makeDraft(id: string, sizes: number[], overrides: Partial<DraftReport> = {}): Promise<Made> {
  const plain = sizes.map((n) => new Uint8Array(randomBytes(n)))
  const attachments: DraftAttachment[] = []
  for (const [i, bytes] of plain.entries()) {
    const ref = `att/${id}/f${i}`
    await memoryFiles.appendFile(ref, bytes)
    attachments.push({ id: `f${i}`, label: LABELS[i % 3], name: `证据 ${i + 1}.png`, mime: i % 3 === 1 ? 'application/pdf' : 'image/png', size: bytes.length, ref })
  }
  const draft = completeDraft(id, {
    attachments,
    reporter: { anonymous: false, name: '张三', mobile: '13800138000', idNumber: '11010519491231002X' },
    party: { accounts: 'wxid_bad\nqq 12345', phones: '13900139000', websites: 'www.bad.example' },
    extra: { note: '不清楚' },
    ...overrides,
  })
  saveDraft(draft)
  return { draft, plain }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Everything the server holds about a submission. */
async function stored(id: string) {
  const repo = SqliteRepository.open(env.dataDir)
  const blobs = FsBlobStore.open(env.dataDir)
  try {
    const sub = (await repo.getSubmission(id))!
    const report = (await repo.getReport(id))!
    const attachments = await Promise.all(sub.attachments.map(async (a) => readAll(await blobs.openRead(id, a.n))))
    return { sub, report, attachments }
  } finally {
    await repo.close()
  }
}

async function submissionCount(): Promise<number> {
  const repo = SqliteRepository.open(env.dataDir)
  try {
    return (await repo.listSubmissions({ limit: 1000 })).length
  } finally {
    await repo.close()
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** scrypt(R, "clue-report/case/v1/" ‖ campaign id, 2^14, 8, 1, 64) by node:crypto (the independent implementation). */
function caseKdf(receipt: string): Buffer {
  return scryptSync(receipt, `clue-report/case/v1/${bundledConfig.campaign.id}`, 64, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
}

/** D = X25519(HKDF-SHA256(seed, "", "clue-report/case/v1/reply-key", 32), 9), base64. */
function expectedReplyKey(receipt: string): string {
  const d = Buffer.from(hkdfSync('sha256', caseKdf(receipt).subarray(32), Buffer.alloc(0), 'clue-report/case/v1/reply-key', 32))
  return bureauKeyPairFromRaw(d).publicKey.toString('base64')
}

/** Decrypts what the server stored and checks every field of the report and every file. */
async function expectDelivered(jobId: string, made: Made, privateKey = env.key) {
  const job = loadJob(jobId)!
  expect(job.phase).toBe('done')
  const { sub, report, attachments } = await stored(job.submissionId!)
  expect(sub.state).toBe('accepted')
  const opened = openStored(privateKey, sub.header, report, attachments)
  const plaintext = JSON.parse(opened.report.toString('utf8'))
  const d = made.draft
  expect(plaintext).toEqual({
    schema: REPORT_SCHEMA,
    id: d.id,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    category: d.category,
    branch: d.branch,
    happenedAt: d.happenedAt,
    description: d.description,
    links: d.links,
    party: d.party,
    extra: d.extra,
    reporter: d.reporter,
    declaration: { truthful: true, liability: true, declaredAt: d.declaration.declaredAt },
    attachments: d.attachments.map((a, n) => ({ n, label: a.label, name: a.name, mime: a.mime, size: a.size })),
    // D from this report's 查询码 (docs/protocol.md §18), computed here with node:crypto's scrypt.
    ...(job.caseKeys ? { replyKey: expectedReplyKey(job.receipt) } : {}),
  })
  if (job.caseKeys) expect(job.caseKeys.auth).toBe(Buffer.from(caseKdf(job.receipt).subarray(0, 32)).toString('base64url'))
  // What phones send now: envelope v2.
  expect(sub.header.v).toBe(2)
  expect(opened.attachments.map((b) => sha256(b))).toEqual(made.plain.map(sha256))
  opened.attachments.forEach((b, n) => expect(Buffer.compare(b, Buffer.from(made.plain[n]))).toBe(0))
  return { job, sub }
}

const puts = () => network.sent.filter((r) => r.method === 'PUT')
const isPut = (r: SentRequest) => r.method === 'PUT'
const isCreate = (r: SentRequest) => r.method === 'POST' && r.path === '/api/v1/submissions'
const isFinalize = (r: SentRequest) => r.method === 'POST' && r.path.endsWith('/finalize')

/**
 * Each attachment's PUTs went up contiguously from 0. A chunk may be sent again only right after
 * the same chunk (its request failed on the way); `resends` is how often that may happen in all.
 */
function expectContiguousUploads(objectSizes: number[], resends = 0) {
  const byN = new Map<number, { offset: number; length: number }[]>()
  for (const r of puts()) {
    const n = Number(/attachments\/(\d+)$/.exec(r.path)![1])
    byN.set(n, [...(byN.get(n) ?? []), { offset: Number(r.header['Upload-Offset']), length: r.bytes!.length }])
  }
  let again = 0
  objectSizes.forEach((size, n) => {
    let expected = 0
    let last: { offset: number; length: number } | undefined
    for (const put of byN.get(n) ?? []) {
      if (last && put.offset === last.offset && put.length === last.length) {
        again += 1
        continue
      }
      expect(put.offset).toBe(expected)
      expected += put.length
      last = put
    }
    expect(expected).toBe(size)
  })
  expect(again).toBeLessThanOrEqual(resends)
}

describe('submitting a report', () => {
  it('encrypts, creates, uploads with at most 3 requests in flight, finalizes, and the bureau can decrypt every field', async () => {
    const before = await submissionCount()
    const made = await makeDraft('full1', [200_000, 150_000, 90_000, 1_000])
    const job = await startSubmission('full1')
    expect(job.phase).toBe('encrypting')
    await idle()

    const done = loadJob('full1')!
    expect(done.phase).toBe('done')
    expect(done.receipt).toBe(job.receipt)
    expect(done.idempotencyKey).toBe(job.idempotencyKey)
    expect(await submissionCount()).toBe(before + 1)
    await expectDelivered('full1', made)

    // Encryption came first: the first request is the create, then HEADs and PUTs, then finalize.
    expect(isCreate(network.sent[0])).toBe(true)
    expect(isFinalize(network.sent[network.sent.length - 1])).toBe(true)
    expect(network.sent.filter(isCreate)).toHaveLength(1)
    expectContiguousUploads(done.attachments!.map((a) => a.size))
    expect(network.maxInFlight).toBeLessThanOrEqual(3)
    expect(network.maxInFlight).toBeGreaterThanOrEqual(2)

    // The encrypted copies stay on the phone until the resident confirms the receipt.
    expect(memoryFiles.keys().filter((k) => k.startsWith('enc/full1/'))).toHaveLength(5)
    const view = jobView('full1')!
    expect(view.status).toBe('done')
    expect(view.progress.uploaded.done).toBe(view.progress.uploaded.total)

    expect(await caseStatus(done)).toBe('received')
    // The 查询码 itself never left the phone: only A, derived from it in the worker.
    expect(network.sent.some((r) => JSON.stringify([r.json, r.header, r.url]).includes(done.receipt))).toBe(false)
    expect(network.sent.filter(isFinalize).map((r) => r.json)).toEqual([{ authenticator: done.caseKeys!.auth }])

    expect(await confirmReceipt('full1')).toBe(true)
    expect(loadJob('full1')).toBeUndefined()
    expect(loadDraft('full1')).toBeUndefined()
    expect(memoryFiles.keys()).toEqual([])
  })

  it('sends a report without attachments', async () => {
    const made = await makeDraft('text1', [], { reporter: { anonymous: true, name: '', mobile: '', idNumber: '' } })
    await startSubmission('text1')
    await idle()
    const { sub } = await expectDelivered('text1', made)
    expect(sub.attachments).toEqual([])
    expect(network.sent.map((r) => r.method)).toEqual(['POST', 'POST'])
  })

  it('keeps what was entered while waiting: the draft leaves the draft list but nothing is deleted', async () => {
    await makeDraft('keep1', [10_000])
    network.before = networkDown
    await startSubmission('keep1')
    await idle()
    expect(listDrafts()).toEqual([])
    expect(loadDraft('keep1')).toBeDefined()
    expect(memoryFiles.has('att/keep1/f0')).toBe(true)
  })
})

describe('offline and failures', () => {
  it('a full server disk (507 STORAGE_FULL): a calm message, the report waits and goes by itself later', async () => {
    const made = await makeDraft('full1', [50_000])
    await server.stop()
    // The same data directory, now "below the free-space reserve".
    server = await startServer(env, { env: { RATE_LIMIT: 'off', MIN_FREE_BYTES: '999999GiB' } })
    process.env.TARO_APP_API_BASE = server.url
    const before = Date.now()
    await startSubmission('full1')
    await idle()
    const waiting = jobView('full1')!
    expect(waiting.status).toBe('waiting')
    expect(waiting.job.blocked).toBeUndefined()
    expect(waiting.job.lastError).toMatchObject({ kind: 'server', code: 'STORAGE_FULL' })
    expect(waiting.job.lastError?.message).toContain('举报已安全保存在手机上')
    // Retry-After (300 s) is honoured, within the backoff cap of 5 minutes.
    expect(Date.parse(waiting.job.retryAt!) - before).toBeGreaterThanOrEqual(299_000)
    await server.stop()
    await boot()
    await kick('online')
    await expectDelivered('full1', made)
  })

  it('without network the report waits in the outbox, encrypted, and goes when the network returns', async () => {
    const made = await makeDraft('off1', [100_000])
    network.before = networkDown
    await startSubmission('off1')
    await idle()
    const waiting = jobView('off1')!
    expect(waiting.job.phase).toBe('encrypted')
    expect(waiting.status).toBe('waiting')
    expect(waiting.text).toBe(WAITING_FOR_NETWORK)
    expect(waiting.job.lastError?.kind).toBe('offline')
    expect(waiting.job.retryAt).toBeDefined()
    expect(network.sent).toEqual([])
    expect(memoryFiles.keys().filter((k) => k.startsWith('enc/off1/'))).toEqual(['enc/off1/0', 'enc/off1/report'])

    network.before = undefined
    await kick('online')
    await expectDelivered('off1', made)
  })

  it('the network drops mid-upload and the app is killed: it resumes from HEAD, no chunk is sent twice', async () => {
    const made = await makeDraft('drop1', [400_000, 200_000])
    let putCount = 0
    network.before = (r) => {
      if (isPut(r) && ++putCount > 4) networkDown()
    }
    const job = await startSubmission('drop1')
    await idle()
    const waiting = loadJob('drop1')!
    expect(waiting.phase).toBe('uploading')
    expect(waiting.lastError?.kind).toBe('offline')
    expect(puts()).toHaveLength(4)

    // Killed and reopened: memory gone, storage and files kept.
    restartApp()
    network.before = undefined
    const sentBefore = network.sent.length
    await kick('start')
    const resumed = network.sent.slice(sentBefore)
    // The resume asks the server where each attachment stands before sending anything.
    expect(resumed.slice(0, 2).every((r) => r.method === 'HEAD')).toBe(true)
    expect(resumed.filter(isCreate)).toHaveLength(0)
    expectContiguousUploads(waiting.attachments!.map((a) => a.size))
    const { job: done } = await expectDelivered('drop1', made)
    expect(done.receipt).toBe(job.receipt)
  })

  it('an acknowledged chunk whose answer was lost is not sent again', async () => {
    const made = await makeDraft('lost1', [300_000])
    let putCount = 0
    network.after = (r) => {
      if (isPut(r) && ++putCount === 2) networkDown()
    }
    await startSubmission('lost1')
    await idle()
    expect(loadJob('lost1')!.phase).toBe('uploading')
    network.after = undefined
    await retryNow('lost1')
    expectContiguousUploads(loadJob('lost1')!.attachments!.map((a) => a.size))
    await expectDelivered('lost1', made)
  })

  it('the server is killed and restarted mid-upload: the upload continues from what it made durable', async () => {
    const made = await makeDraft('crash1', [500_000])
    let putCount = 0
    network.after = async (r) => {
      if (isPut(r) && ++putCount === 3) await server.kill()
    }
    await startSubmission('crash1')
    await idle()
    const waiting = loadJob('crash1')!
    expect(waiting.phase).toBe('uploading')
    expect(['offline', 'timeout']).toContain(waiting.lastError?.kind)

    network.after = undefined
    await boot()
    restartApp()
    await kick('online')
    // The chunk in flight when the server died may go again, once; nothing else does.
    expectContiguousUploads(waiting.attachments!.map((a) => a.size), 1)
    await expectDelivered('crash1', made)
  }, 60000)

  it('a lost answer to the create never makes a second submission (idempotency key)', async () => {
    const before = await submissionCount()
    const made = await makeDraft('idem1', [50_000])
    let lost = false
    network.after = (r) => {
      if (isCreate(r) && !lost) {
        lost = true
        networkDown()
      }
    }
    await startSubmission('idem1')
    await idle()
    expect(loadJob('idem1')!.phase).toBe('encrypted')
    expect(await submissionCount()).toBe(before + 1)

    await kick('show')
    await expectDelivered('idem1', made)
    const creates = network.sent.filter(isCreate)
    expect(creates).toHaveLength(2)
    // The very same bytes, key and all.
    expect(creates[1].json).toEqual(creates[0].json)
    expect(await submissionCount()).toBe(before + 1)
  })

  it('a lost answer to the finalize is retried with the same receipt; the report cannot be cancelled any more', async () => {
    const made = await makeDraft('fin1', [20_000])
    let lost = false
    network.after = (r) => {
      if (isFinalize(r) && !lost) {
        lost = true
        networkDown()
      }
    }
    const job = await startSubmission('fin1')
    await idle()
    const waiting = loadJob('fin1')!
    expect(waiting.phase).toBe('finalizing')
    expect(waiting.finalizeSent).toBe(true)
    expect(await cancelJob('fin1')).toBe('too-late')

    await retryNow('fin1')
    await expectDelivered('fin1', made)
    const finals = network.sent.filter(isFinalize)
    const auth = loadJob('fin1')!.caseKeys!.auth
    expect(job.caseKeys).toBeUndefined()
    expect(finals.map((r) => r.json)).toEqual([{ authenticator: auth }, { authenticator: auth }])
    expect(await caseStatus(loadJob('fin1')!)).toBe('received')
  })

  it('a crash mid-encryption is redone from scratch before anything is sent', async () => {
    const made = await makeDraft('enc1', [300_000, 10_000])
    const append = memoryFiles.appendFile.bind(memoryFiles)
    let writes = 0
    const spy = jest.spyOn(memoryFiles, 'appendFile').mockImplementation(async (key, bytes) => {
      if (key.startsWith('enc/') && ++writes === 3) throw new Error('killed')
      return append(key, bytes)
    })
    try {
      await startSubmission('enc1')
      await idle()
    } finally {
      spy.mockRestore()
    }
    const stuck = loadJob('enc1')!
    expect(stuck.phase).toBe('encrypting')
    expect(network.sent).toEqual([])
    expect((await memoryFiles.fileSize('enc/enc1/0'))! > 0).toBe(true)

    restartApp()
    await kick('start')
    const { job } = await expectDelivered('enc1', made)
    expect(await memoryFiles.fileSize('enc/enc1/0')).toBe(job.attachments![0].size)
  })

  it('the key bundled in the app is not the server\'s: the signed list is fetched, checked, and the report encrypted again to its key', async () => {
    // A phone that never fetched the list: it encrypts to the bundled key (sequence 0).
    __reset()
    installFetchRequest()
    buildAppWithAnchor(env.signing)
    writeKey('config/campaign', campaign)
    const made = await makeDraft('rot1', [30_000])
    await startSubmission('rot1')
    await idle()
    const { sub } = await expectDelivered('rot1', made)
    expect(sub.header.kid).toBe(env.key.kid)
    expect(network.sent.filter(isCreate).map((r) => r.json.header.kid)).toEqual([bundledConfig.keys[0].kid, env.key.kid])
    expect(network.sent.filter((r) => r.method === 'GET' && r.path === '/api/v1/keys')).toHaveLength(1)
  })

  it('a receipt someone else already has is replaced by a new one before the report is accepted', async () => {
    const first = await makeDraft('rA', [])
    await startSubmission('rA')
    await idle()
    const taken = loadJob('rA')!.receipt
    const takenAuth = loadJob('rA')!.caseKeys!.auth
    await expectDelivered('rA', first)

    const second = await makeDraft('rB', [])
    network.after = (r) => {
      if (isCreate(r) && loadJob('rB')!.receipt !== taken && network.sent.filter(isCreate).length === 2) saveJob({ ...loadJob('rB')!, receipt: taken, caseKeys: loadJob('rA')!.caseKeys })
    }
    await startSubmission('rB')
    await idle()
    const { job } = await expectDelivered('rB', second)
    expect(job.receipt).not.toBe(taken)
    expect(job.receipt).toMatch(/^\d{16}$/)
    // Someone else's 查询码: the report (whose reply key came from it) is made again under new digits.
    expect(network.sent.filter(isFinalize).map((r) => r.json.authenticator)).toEqual([takenAuth, takenAuth, job.caseKeys!.auth])
    expect(network.sent.filter(isCreate)).toHaveLength(3)
    expect(await caseStatus(job)).toBe('received')
  })

  it('a submission the server no longer has is created again, with the same bytes', async () => {
    const made = await makeDraft('gone1', [200_000])
    let putCount = 0
    let firstId: string | undefined
    network.after = async (r) => {
      if (isPut(r) && ++putCount === 1) {
        firstId = /submissions\/([0-9a-f]{32})\//.exec(r.path)![1]
        const repo = SqliteRepository.open(env.dataDir)
        try {
          await repo.deleteSubmission(firstId)
        } finally {
          await repo.close()
        }
        await FsBlobStore.open(env.dataDir).deleteSubmission(firstId)
      }
    }
    await startSubmission('gone1')
    await idle()
    const { job } = await expectDelivered('gone1', made)
    expect(job.submissionId).not.toBe(firstId)
    const creates = network.sent.filter(isCreate)
    expect(creates).toHaveLength(2)
    expect(creates[1].json).toEqual(creates[0].json)
  })

  it('a refusal stops automatic retries until the resident retries', async () => {
    const made = await makeDraft('ref1', [])
    let refused = false
    network.after = (r, res) => {
      if (isCreate(r) && !refused) {
        refused = true
        res.statusCode = 403
        res.data = { code: 'CAMPAIGN_CLOSED', message: 'closed' }
      }
    }
    await startSubmission('ref1')
    await idle()
    const view = jobView('ref1')!
    expect(view.status).toBe('blocked')
    expect(view.job.retryAt).toBeUndefined()
    expect(view.text).toBe('没有发送成功：目前不在受理时间内，暂时不能在线提交')
    await kick('online')
    expect(loadJob('ref1')!.phase).toBe('encrypted')

    await retryNow('ref1')
    await expectDelivered('ref1', made)
  })
})

describe('envelope versions and the encryption worker', () => {
  it('a report queued as envelope v1 before the update still arrives, with its v1 header and SHA-256s', async () => {
    const made = await makeDraft('old1', [70_000, 500])
    // What the previous app version left in the outbox: v1 objects on the phone, phase "encrypted".
    const v1 = createEnvelopeV1({ bureauPublicKey: new Uint8Array(env.key.publicKey), ephemeralSecret: new Uint8Array(randomBytes(32)) })
    const objects = made.plain.map((p, n) => encryptObjectV1(v1.keysFor(`attachment/${n}`), new Uint8Array(randomBytes(16)), p))
    const entries = made.draft.attachments.map((a, n) => ({ n, label: a.label, name: a.name, mime: a.mime, size: a.size }))
    const plain = toReportPlaintext(made.draft, entries, made.draft.declaration.declaredAt!)
    const report1 = { ...plain, schema: 'clue-report/report@1', attachments: plain.attachments.map((a, n) => ({ ...a, sha256: sha256(made.plain[n]) })) }
    const reportObject = encryptObjectV1(v1.keysFor('report'), new Uint8Array(randomBytes(16)), encodeReportPlaintext(report1 as never))
    await memoryFiles.appendFile('enc/old1/report', reportObject)
    for (const [n, o] of objects.entries()) await memoryFiles.appendFile(`enc/old1/${n}`, o)
    saveJob({
      version: 1,
      id: 'old1',
      createdAt: '2024-05-20T08:00:00.000Z',
      declaredAt: made.draft.declaration.declaredAt!,
      files: made.draft.attachments.map((a) => ({ name: a.name, label: a.label, size: a.size })),
      idempotencyKey: 'q'.repeat(32),
      receipt: '1234567812345678',
      phase: 'encrypted',
      attempt: 0,
      header: v1.header,
      report: { key: 'enc/old1/report', size: reportObject.length, sha256: sha256(reportObject) },
      attachments: objects.map((o, n) => ({ key: `enc/old1/${n}`, size: o.length, sha256: sha256(o) })),
    })
    const before = await submissionCount()
    await kick('start')
    await idle()
    const job = loadJob('old1')!
    expect(job.phase).toBe('done')
    expect(await submissionCount()).toBe(before + 1)
    const { sub, report, attachments } = await stored(job.submissionId!)
    expect(sub.header).toEqual(v1.header)
    const opened = openStored(env.key, sub.header, report, attachments)
    expect(JSON.parse(opened.report.toString('utf8'))).toEqual(report1)
    opened.attachments.forEach((b, n) => expect(Buffer.compare(b, Buffer.from(made.plain[n]))).toBe(0))
  })

  it('the worker is reclaimed twice mid-file: the file is sealed again, and the report arrives once, intact', async () => {
    // A worker that WeChat kills after a few messages, twice; then a healthy one.
    let deaths = 0
    const dying = (): SealTransport => {
      const inner = createInThreadTransport()
      let onDeath: (reason: string) => void = () => undefined
      let messages = 0
      const doomed = deaths < 2
      return {
        kind: 'worker',
        post(request, transfer) {
          if (doomed && ++messages === 4) {
            deaths++
            inner.terminate()
            setTimeout(() => onDeath('reclaimed (onProcessKilled)'), 0)
            return
          }
          inner.post(request, transfer)
        },
        onReply: (h) => inner.onReply(h),
        onDeath(h) {
          onDeath = h
        },
        terminate: () => inner.terminate(),
      }
    }
    useFileSealer(new FileSealer(dying, 3))
    const made = await makeDraft('kill1', [600_000, 20_000])
    const before = await submissionCount()
    await startSubmission('kill1')
    await idle()
    expect(deaths).toBe(2)
    await expectDelivered('kill1', made)
    expect(await submissionCount()).toBe(before + 1)
  })
})

describe('cancelling', () => {
  it('withdraws a waiting report: nothing is finalized, the encrypted copies go, the draft comes back', async () => {
    await makeDraft('can1', [40_000])
    network.before = networkDown
    await startSubmission('can1')
    await idle()
    expect(listDrafts()).toEqual([])
    expect(await cancelJob('can1')).toBe('cancelled')
    expect(listJobs()).toEqual([])
    expect(memoryFiles.keys().filter((k) => k.startsWith('enc/'))).toEqual([])
    expect(listDrafts().map((d) => d.id)).toEqual(['can1'])
    expect(memoryFiles.has('att/can1/f0')).toBe(true)
  })

  it('stops an upload in progress', async () => {
    await makeDraft('can2', [600_000])
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    let putCount = 0
    network.before = async (r) => {
      if (isPut(r) && ++putCount === 2) await gate
    }
    await startSubmission('can2')
    while (putCount < 2) await new Promise((r) => setTimeout(r, 10))
    const cancelling = cancelJob('can2')
    release()
    expect(await cancelling).toBe('cancelled')
    await idle()
    expect(listJobs()).toEqual([])
    expect(network.sent.filter(isFinalize)).toEqual([])
    expect(puts().length).toBeLessThanOrEqual(2)
  })
})
