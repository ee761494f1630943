/**
 * The workstation's conversation against a real server's bureau API: the resident's message and
 * added file opened with the unlocked key by the CLI's code (and marked read), a reply sealed to
 * D from inside the report that the 查询码 holder reads, a reply the server did not take kept
 * and sent by 重试 exactly once, and no reply for a report without a reply key. Kept replies
 * restored after a restart are sent only once their bureau copy opens: a legacy case's with the key
 * its resident registered (read from the server then), one written with a key not unlocked this time
 * only once that key is unlocked too.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { BureauClient } from '../../bureau/remote'
import type { WorkstationContext } from '../../bureau/workstation/server/app'
import { addedFile, loadMessages, replyKeyOf, replyKeyState, resendSpooled, retryReply, sendReply } from '../../bureau/workstation/server/messages'
import { ReplySpool } from '../../bureau/workstation/server/spool'
import { Vault, type CaseEntry } from '../../bureau/workstation/server/vault'
import { Fixture, buildReport, runCli } from '../bureau/fixture'
import { receipt, request, seal, submissionBody } from '../server/helpers'
import { legacyKeys, openAsResident, residentKeys, sealResidentMessage, type ResidentKeys } from '../support/case-client'

let fx: Fixture
let token: string
let caseId: string
let keys: ResidentKeys
let report: Record<string, unknown>
let ctx: WorkstationContext
let entry: CaseEntry
let client: BureauClient
const file = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(5000)])
const caseAuth = () => ({ 'case-auth': keys.auth })

beforeAll(async () => {
  fx = await Fixture.start()
  keys = residentKeys(receipt())
  report = { ...buildReport({ category: 'loan', branch: 'yd', description: '套路贷' }), replyKey: keys.replyKey }
  const sealed = seal(fx.newKey, report)
  const created = await request(fx.server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed, undefined, 'yd') })
  caseId = created.json.id
  expect((await request(fx.server.url, `/api/v1/submissions/${caseId}/finalize`, { method: 'POST', body: { authenticator: keys.auth } })).status).toBe(200)
  const m = sealResidentMessage({ caseId, keys, bureauPublicKey: fx.newKey.publicKey, text: '截图在附件里。', files: [{ name: '转账.png', bytes: file }] })
  expect((await request(fx.server.url, '/api/v1/case/messages', { method: 'POST', headers: caseAuth(), body: m.body })).status).toBe(201)
  await request(fx.server.url, `/api/v1/case/messages/${m.msgId}/attachments/0`, { method: 'PUT', headers: { ...caseAuth(), 'content-type': 'application/offset+octet-stream', 'upload-offset': 0 }, body: Buffer.from(m.files[0]) })
  expect((await request(fx.server.url, `/api/v1/case/messages/${m.msgId}/finalize`, { method: 'POST', headers: caseAuth() })).status).toBe(200)
  const r = await runCli(['token', 'create', '--name', '测试工作站', '--data', fx.dataDir, '--campaign', fx.env.campaignFile])
  token = /cw1_[A-Za-z0-9_-]{43}/.exec(r.stdout)![0]
  client = new BureauClient({ server: fx.server.bureauUrl!, token })
  const vault = new Vault()
  vault.unlock([fx.newKey])
  entry = { meta: { id: caseId, header: sealed.header } as unknown as CaseEntry['meta'], raw: report, search: '', unreadMessages: 1, newMaterial: 0, firstReplyAt: null }
  ctx = { vault, options: { connection: { client: () => client, info: { name: '测试工作站' } } }, activity: { last: Date.now() }, campaign: { branches: [] }, spool: new ReplySpool(fs.mkdtempSync(path.join(os.tmpdir(), 'clue-ws-spool-'))), spoolWarnings: [] } as unknown as WorkstationContext
}, 60000)

afterAll(async () => {
  await fx?.stop()
})

test('the resident message and its file are opened here, checked, and marked read', async () => {
  const messages = await loadMessages(ctx, entry)
  expect(messages).toHaveLength(1)
  expect(messages[0]).toMatchObject({ from: 'resident', text: '截图在附件里。', attachments: [{ n: 0, name: '转账.png', size: file.length }] })
  expect(messages[0].problem).toBeUndefined()
  const f = await addedFile(ctx, entry, messages[0].msgId, 0)
  expect(f.bytes.equals(file)).toBe(true)
  const listed = await request(fx.server.bureauUrl!, `/bureau/v1/cases/${caseId}/messages`, { headers: { authorization: `Bearer ${token}` } })
  expect(typeof listed.json.messages[0].readAt).toBe('number')
})

test('a reply is sealed to the reply key from inside the report: the 查询码 holder reads it', async () => {
  const msgId = await sendReply(ctx, entry, { text: '  收到，请再补充聊天记录。\r\n', requestsMaterial: true })
  const view = await request(fx.server.url, `/api/v1/case/messages/${msgId}`, { headers: caseAuth() })
  const opened = openAsResident({ caseId, keys, bureauPublicKey: fx.newKey.publicKey, view: view.json })
  expect([opened.text, opened.requestsMaterial]).toEqual(['收到，请再补充聊天记录。', true])
  const messages = await loadMessages(ctx, entry)
  expect(messages.map((m) => [m.from, m.text])).toEqual([['resident', '截图在附件里。'], ['bureau', '收到，请再补充聊天记录。']])
})

test('a reply the server did not take is kept, shown as not sent, and 重试 sends it exactly once', async () => {
  const good = client
  client = new BureauClient({ server: 'http://127.0.0.1:1', token })
  await expect(sendReply(ctx, entry, { text: '第二条回复', requestsMaterial: false })).rejects.toMatchObject({ code: 'REPLY_NOT_SENT' })
  client = good
  let messages = await loadMessages(ctx, entry)
  const kept = messages.filter((m) => m.pending)
  expect(kept.map((m) => m.text)).toEqual(['第二条回复'])
  // Kept on disk too, sealed: the spool file is there, and its text is not.
  const spooled = fs.readdirSync(ctx.spool.dir)
  expect(spooled).toEqual([`reply-${kept[0].msgId}.json`])
  expect(fs.readFileSync(path.join(ctx.spool.dir, spooled[0]), 'utf8')).not.toContain('第二条回复')
  await retryReply(ctx, entry, kept[0].msgId)
  messages = await loadMessages(ctx, entry)
  expect(messages.filter((m) => m.pending)).toEqual([])
  expect(messages.filter((m) => m.text === '第二条回复').map((m) => m.from)).toEqual(['bureau'])
  await expect(retryReply(ctx, entry, kept[0].msgId)).rejects.toMatchObject({ code: 'NO_SUCH_REPLY' })
  expect(fs.readdirSync(ctx.spool.dir)).toEqual([])
  // Locking drops kept replies with the keys.
  ctx.vault.lock()
  ctx.vault.unlock([fx.newKey])
})

test('no reply for a report without a reply key (the server is never asked for one); bad text is refused', async () => {
  const legacy = { ...entry, raw: { ...report, replyKey: undefined } }
  await expect(sendReply(ctx, legacy, { text: '你好', requestsMaterial: false })).rejects.toMatchObject({ code: 'NO_REPLY_KEY' })
  await expect(sendReply(ctx, entry, { text: '   ', requestsMaterial: false })).rejects.toMatchObject({ code: 'BAD_TEXT' })
})

/** A report from an old app (no reply key inside) whose resident's new app has since registered one with the server. */
async function legacyCase(description: string): Promise<{ e: CaseEntry; legacy: ReturnType<typeof legacyKeys> }> {
  const r = receipt()
  const old = buildReport({ category: 'loan', branch: 'yd', description })
  const sealed = seal(fx.newKey, old)
  const created = await request(fx.server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed, undefined, 'yd') })
  expect((await request(fx.server.url, `/api/v1/submissions/${created.json.id}/finalize`, { method: 'POST', body: { receipt: r } })).status).toBe(200)
  const salt = await request(fx.server.url, '/api/v1/case/legacy-salt')
  const legacy = legacyKeys(r, Buffer.from(salt.json.salt, 'base64'))
  expect((await request(fx.server.url, '/api/v1/case/reply-key', { method: 'POST', headers: { 'case-auth': legacy.auth }, body: { replyKey: legacy.replyKey } })).status).toBe(200)
  const e: CaseEntry = { meta: { id: created.json.id, header: sealed.header } as unknown as CaseEntry['meta'], raw: old, search: '', unreadMessages: 0, newMaterial: 0, firstReplyAt: null }
  return { e, legacy }
}

test('a legacy case: the key the resident registered is the server’s word, so a reply needs the explicit acceptance', async () => {
  const { e, legacy } = await legacyCase('旧版程序的举报')
  expect(replyKeyState(e)).toBe('none')
  await loadMessages(ctx, e)
  expect(replyKeyState(e)).toBe('unverified')
  await expect(sendReply(ctx, e, { text: '请补充材料', requestsMaterial: false })).rejects.toMatchObject({ code: 'UNVERIFIED_REPLY_KEY', message: expect.stringContaining('与这份举报没有绑定') })
  await expect(sendReply(ctx, e, { text: '请补充材料', requestsMaterial: false, acceptUnverifiedKey: false })).rejects.toMatchObject({ code: 'UNVERIFIED_REPLY_KEY' })
  const listed = await request(fx.server.bureauUrl!, `/bureau/v1/cases/${e.meta.id}/messages`, { headers: { authorization: `Bearer ${token}` } })
  expect(listed.json.messages).toEqual([])
  const msgId = await sendReply(ctx, e, { text: '请补充材料', requestsMaterial: false, acceptUnverifiedKey: true })
  const view = await request(fx.server.url, `/api/v1/case/messages/${msgId}`, { headers: { 'case-auth': legacy.auth } })
  expect(openAsResident({ caseId: e.meta.id, keys: legacy, bureauPublicKey: fx.newKey.publicKey, view: view.json }).text).toBe('请补充材料')
  // A report that carries its own key is never overridden by the server's.
  expect(replyKeyOf({ ...entry, serverReplyKey: Buffer.from(legacy.replyKey, 'base64') })?.verified).toBe(true)
})

/** A workstation restart: the keys dropped (and everything kept in memory with them), the list loaded afresh. */
function restart(keysNow: Parameters<Vault['unlock']>[0], ...entries: CaseEntry[]): void {
  ctx.vault.lock()
  ctx.vault.unlock(keysNow)
  ctx.vault.cases = new Map(entries.map((e) => [e.meta.id, { ...e, serverReplyKey: undefined }]))
}

test('restored after a restart: a legacy case’s kept reply is checked with the key read from the server, and sent', async () => {
  const { e, legacy } = await legacyCase('旧版程序的举报（重启）')
  await loadMessages(ctx, e)
  const good = client
  client = new BureauClient({ server: 'http://127.0.0.1:1', token })
  await expect(sendReply(ctx, e, { text: '旧案件的回复', requestsMaterial: false, acceptUnverifiedKey: true })).rejects.toMatchObject({ code: 'REPLY_NOT_SENT' })
  client = good
  // After the restart the case's D' is not known until its conversation is read: the resend reads it.
  restart([fx.newKey], e)
  expect(replyKeyState(ctx.vault.cases.get(e.meta.id)!)).toBe('none')
  expect(await resendSpooled(ctx)).toEqual([])
  expect(fs.readdirSync(ctx.spool.dir)).toEqual([])
  const listed = await request(fx.server.bureauUrl!, `/bureau/v1/cases/${e.meta.id}/messages`, { headers: { authorization: `Bearer ${token}` } })
  expect(listed.json.messages.map((m: { from: string }) => m.from)).toEqual(['bureau'])
  const view = await request(fx.server.url, `/api/v1/case/messages/${listed.json.messages[0].msgId}`, { headers: { 'case-auth': legacy.auth } })
  expect(openAsResident({ caseId: e.meta.id, keys: legacy, bureauPublicKey: fx.newKey.publicKey, view: view.json }).text).toBe('旧案件的回复')
})

test('restored after a restart: a kept reply written with a key not unlocked this time is not sent and stays as it is, until that key is unlocked', async () => {
  const good = client
  client = new BureauClient({ server: 'http://127.0.0.1:1', token })
  await expect(sendReply(ctx, entry, { text: '换钥匙前写的回复', requestsMaterial: false })).rejects.toMatchObject({ code: 'REPLY_NOT_SENT' })
  client = good
  const kept = fs.readdirSync(ctx.spool.dir)
  expect(kept).toEqual([expect.stringMatching(/^reply-[0-9a-f]{32}\.json$/)])
  const count = async () => (await request(fx.server.bureauUrl!, `/bureau/v1/cases/${caseId}/messages`, { headers: { authorization: `Bearer ${token}` } })).json.messages.length
  const before = await count()
  restart([fx.oldKey], entry)
  expect(await resendSpooled(ctx)).toEqual([expect.stringContaining(`是用编号为 ${fx.newKey.kid} 的私钥写的，这次解锁时没有选择这把私钥，无法验证，没有发送`)])
  expect(fs.readdirSync(ctx.spool.dir)).toEqual(kept)
  expect(await count()).toBe(before)
  restart([fx.oldKey, fx.newKey], entry)
  expect(await resendSpooled(ctx)).toEqual([])
  expect(fs.readdirSync(ctx.spool.dir)).toEqual([])
  expect(await count()).toBe(before + 1)
  expect((await loadMessages(ctx, ctx.vault.cases.get(caseId)!)).filter((m) => m.text === '换钥匙前写的回复').map((m) => m.from)).toEqual(['bureau'])
})
