/**
 * The case channel from the phone's side against the REAL intake server (child process): a report
 * sent through the outbox, a bureau reply made with node:crypto, then a phone that knows nothing
 * but the 查询码 opens the case, reads the reply, and answers with text and two files written
 * offline; they arrive exactly once when the network is back, and the bureau opens them.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { memoryFiles } from '../app/support/memory-files'
import { completeDraft } from '../app/support/drafts'
import { __reset } from '../mocks/taro'
import { makeTestEnv, startServer, type RunningServer, type TestEnv } from '../server/helpers'
import { buildAppWithAnchor, phoneAccepts, restoreDevelopmentBuild } from '../keys/support'
import { installFetchRequest, network, networkDown } from '../submission/support/fetch-request'
import { postBureauReply, residentMessages } from './support'
import { saveDraft } from '@/drafts/store'
import { loadJob, startSubmission } from '@/outbox'
import { configureOutbox, idle, kick, resetOutboxForTests } from '@/outbox/runner'
import { queueMessage } from '@/outbox/message/actions'
import { listMessageJobs } from '@/outbox/store'
import { writeKey } from '@/platform/storage'
import { CASE_NOT_FOUND_MESSAGE, CaseOpenError, openCaseWithReceipt, openConversation, ALTERED_MESSAGE } from '@/cases/open'
import { caseKeysFor, forgetCaseKeys, rememberCaseKeys } from '@/cases/keys'
import { NEEDS_RECEIPT } from '@/outbox/message/encrypt'
import { SqliteRepository } from '../../server/src/repository'

jest.mock('@/platform/files', () => require('../app/support/memory-files'))
jest.setTimeout(120000)

let env: TestEnv
let server: RunningServer
let campaign: Record<string, any>

beforeAll(async () => {
  env = makeTestEnv()
  campaign = JSON.parse(fs.readFileSync(env.campaignFile, 'utf8'))
  server = await startServer(env, { env: { RATE_LIMIT: 'off' } })
  process.env.TARO_APP_API_BASE = server.url
}, 60000)

afterAll(async () => {
  restoreDevelopmentBuild()
  resetOutboxForTests()
  await server?.stop()
  env?.cleanup()
  delete process.env.TARO_APP_API_BASE
})

/** A phone with nothing on it but this build (another phone, or a fresh browser profile). */
function freshPhone(): void {
  __reset()
  memoryFiles.clear()
  network.reset()
  installFetchRequest()
  resetOutboxForTests()
  forgetCaseKeys()
  configureOutbox({ chunkSize: 64 * 1024, random01: async () => 0 })
  buildAppWithAnchor(env.signing)
  writeKey('config/campaign', campaign)
  phoneAccepts(env.keysFile)
}

afterEach(async () => {
  network.before = undefined
  await idle()
})

/** Submits a report through the outbox; answers its case id and 查询码. */
async function submitReport(id: string): Promise<{ caseId: string; receipt: string }> {
  freshPhone()
  saveDraft(completeDraft(id, { attachments: [] }))
  await startSubmission(id)
  await idle()
  const job = loadJob(id)!
  expect(job.phase).toBe('done')
  return { caseId: job.submissionId!, receipt: job.receipt }
}

const isPost = (path: string) => (r: { method: string; path: string }) => r.method === 'POST' && r.path === path

describe('a phone with only the 查询码', () => {
  let caseId: string
  let receipt: string
  let replyId: string

  beforeAll(async () => {
    ;({ caseId, receipt } = await submitReport('ch1'))
    replyId = await postBureauReply({ dataDir: env.dataDir, key: env.key, caseId, receipt, text: '请补充对方的收款账号截图。', requestsMaterial: true })
  })

  it('opens the case, reads the bureau reply, and never sends the 查询码', async () => {
    freshPhone()
    const progress: number[] = []
    const { keys, view } = await openCaseWithReceipt(receipt, (f) => progress.push(f))
    expect(keys).toMatchObject({ caseId, legacy: false })
    expect(view.canWrite).toBe(true)
    expect(view.messages.map((m) => [m.msgId, m.from])).toEqual([[replyId, 'bureau']])
    expect(progress.length).toBeGreaterThan(0)
    const [entry] = await openConversation(keys, view, new Map())
    expect(entry.problem).toBeUndefined()
    expect(entry.message).toMatchObject({ from: 'bureau', text: '请补充对方的收款账号截图。', requestsMaterial: true, caseId, msgId: replyId })
    // Only A went out (in the Case-Auth header), never the 16 digits.
    expect(network.sent.length).toBeGreaterThan(0)
    expect(network.sent.some((r) => JSON.stringify([r.url, r.header, r.json]).includes(receipt))).toBe(false)
    expect(network.sent.filter(isPost('/api/v1/case')).every((r) => r.header['Case-Auth'] === keys.auth)).toBe(true)
  })

  it('a wrong 查询码 is answered plainly (after the legacy attempt too)', async () => {
    freshPhone()
    const wrong = receipt.slice(0, 15) + ((Number(receipt[15]) + 1) % 10)
    await expect(openCaseWithReceipt(wrong)).rejects.toEqual(new CaseOpenError(CASE_NOT_FOUND_MESSAGE))
    expect(network.sent.filter((r) => r.path === '/api/v1/case/legacy-salt')).toHaveLength(1)
  })

  it('a reply the server altered is shown as such, not as the bureau\'s words', async () => {
    freshPhone()
    const { keys, view } = await openCaseWithReceipt(receipt)
    const repo = SqliteRepository.open(env.dataDir)
    const original = (await repo.cases.getObject(replyId, 'message'))!
    const db = (repo as unknown as { db: import('better-sqlite3').Database }).db
    const flipped = Buffer.from(original)
    flipped[flipped.length - 20] ^= 1
    db.prepare('UPDATE case_messages SET message = ? WHERE msg_id = ?').run(flipped, replyId)
    const restore = () => db.prepare('UPDATE case_messages SET message = ? WHERE msg_id = ?').run(original, replyId)
    try {
      const [entry] = await openConversation(keys, view, new Map())
      expect(entry.message).toBeUndefined()
      expect(entry.problem).toBe(ALTERED_MESSAGE)
    } finally {
      restore()
      await repo.close()
    }
  })

  it('answers with text and two files written offline: both arrive once when the network is back', async () => {
    freshPhone()
    const { keys } = await openCaseWithReceipt(receipt)
    rememberCaseKeys(keys)
    network.before = networkDown
    const files = [randomBytes(70_000), randomBytes(1_000)]
    await memoryFiles.appendFile('msg/d1/a', new Uint8Array(files[0]))
    await memoryFiles.appendFile('msg/d1/b', new Uint8Array(files[1]))
    await queueMessage({
      draftId: 'd'.repeat(24),
      caseId,
      auth: keys.auth,
      text: '收款账号是 6222 0000 1111 2222。',
      inReplyTo: replyId,
      sources: [
        { label: '截图', name: '收款截图.png', mime: 'image/png', kind: 'png', size: files[0].length, ref: 'msg/d1/a' },
        { label: '交易记录', name: '转账记录.pdf', mime: 'application/pdf', kind: 'pdf', size: files[1].length, ref: 'msg/d1/b' },
      ],
    })
    await idle()
    // Offline: encrypted and kept on the phone, waiting.
    const [waiting] = listMessageJobs(caseId)
    expect(waiting.phase).toBe('encrypted')
    expect(await residentMessages(env.dataDir, env.key, caseId, receipt)).toEqual([])

    network.before = undefined
    await kick('online')
    await idle()
    expect(listMessageJobs(caseId)).toEqual([])
    const got = await residentMessages(env.dataDir, env.key, caseId, receipt)
    expect(got).toHaveLength(1)
    expect(got[0]).toMatchObject({ msgId: waiting.msgId, state: 'accepted' })
    expect(got[0].plaintext).toMatchObject({
      from: 'resident',
      text: '收款账号是 6222 0000 1111 2222。',
      inReplyTo: replyId,
      attachments: [
        { n: 0, label: '截图', name: '收款截图.png', size: 70_000, detectedType: 'png' },
        { n: 1, label: '交易记录', name: '转账记录.pdf', size: 1_000, detectedType: 'pdf' },
      ],
    })
    expect(network.sent.filter(isPost('/api/v1/case/messages'))).toHaveLength(1)
    // The source files and encrypted copies left the phone with the job.
    expect(memoryFiles.keys().filter((k) => k.startsWith('msg/') || k.startsWith('enc/'))).toEqual([])

    // The resident's own copy reads back on any phone: the conversation now has both, in order.
    freshPhone()
    const again = await openCaseWithReceipt(receipt)
    const conversation = await openConversation(again.keys, again.view, new Map())
    expect(conversation.map((e) => [e.meta.from, e.message?.text])).toEqual([
      ['bureau', '请补充对方的收款账号截图。'],
      ['resident', '收款账号是 6222 0000 1111 2222。'],
    ])
  })

  it('a message whose keys are gone (app closed before encrypting) waits for the 查询码, then goes', async () => {
    freshPhone()
    const { keys } = await openCaseWithReceipt(receipt)
    await queueMessage({ draftId: 'e'.repeat(24), caseId, auth: keys.auth, text: '还有一件事。', inReplyTo: null, sources: [] })
    await idle()
    const [blocked] = listMessageJobs(caseId)
    expect(blocked.lastError?.message).toBe(NEEDS_RECEIPT)
    expect(caseKeysFor(caseId)).toBeUndefined()
    rememberCaseKeys(keys)
    const { retryNow } = await import('@/outbox/actions')
    await retryNow(blocked.id)
    await idle()
    expect(listMessageJobs(caseId)).toEqual([])
    expect((await residentMessages(env.dataDir, env.key, caseId, receipt)).map((m) => m.plaintext.text)).toContain('还有一件事。')
  })
})
