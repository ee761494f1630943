/**
 * The bureau's side of the case channel, as staff run it (child processes on the real server's
 * data directory): reply (read by the 查询码 holder over HTTP), list with unread messages and new
 * material, messages (decrypted, then marked read), export (conversation in report.md, added
 * files decrypted and checked, reruns only what is new), and a tampered message reported, not shown.
 */
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openAsResident, residentKeys, sealResidentMessage, type ResidentKeys } from '../support/case-client'
import { receipt, request, seal, submissionBody } from '../server/helpers'
import { Fixture, PASSPHRASE, buildReport, runCli } from './fixture'

const env = { BUREAU_KEY_PASSPHRASE: PASSPHRASE }
let fx: Fixture
let out: string
let caseId: string
let keys: ResidentKeys
const png = (n: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(n)])
const fileA = png(300_000)
const fileB = png(2000)

const auth = () => ({ 'case-auth': keys.auth })
const bureau = (...args: string[]) => runCli([...args, '--data', fx.dataDir], env)

async function postMessage(text: string, files: { name: string; bytes: Uint8Array }[] = []) {
  const m = sealResidentMessage({ caseId, keys, bureauPublicKey: fx.newKey.publicKey, text, files })
  const res = await request(fx.server.url, '/api/v1/case/messages', { method: 'POST', headers: auth(), body: m.body })
  expect(res.status).toBe(201)
  for (let n = 0; n < m.files.length; n++) {
    const put = await request(fx.server.url, `/api/v1/case/messages/${m.msgId}/attachments/${n}`, {
      method: 'PUT', headers: { ...auth(), 'content-type': 'application/offset+octet-stream', 'upload-offset': 0 }, body: Buffer.from(m.files[n]),
    })
    expect(put.status).toBe(200)
  }
  if (m.files.length > 0) expect((await request(fx.server.url, `/api/v1/case/messages/${m.msgId}/finalize`, { method: 'POST', headers: auth() })).status).toBe(200)
  return m
}

beforeAll(async () => {
  fx = await Fixture.start()
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'bureau-case-'))
  const r = receipt()
  keys = residentKeys(r)
  const report = { ...buildReport({ category: 'loan', branch: 'yd', description: '套路贷，催收电话不断。' }), replyKey: keys.replyKey }
  const created = await request(fx.server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(fx.newKey, report)) })
  caseId = created.json.id
  expect((await request(fx.server.url, `/api/v1/submissions/${caseId}/finalize`, { method: 'POST', body: { authenticator: keys.auth } })).status).toBe(200)
}, 60000)

afterAll(async () => {
  await fx?.stop()
  if (out) fs.rmSync(out, { recursive: true, force: true })
})

test('reply: only the 查询码 holder reads it, marked as a request for material', async () => {
  const sent = await bureau('reply', caseId, '--key', fx.newKeyFile, '--text', '请补充转账记录截图。', '--request-material')
  expect(sent.code).toBe(0)
  expect(sent.stdout).toContain('已发送 sent')
  const view = await request(fx.server.url, '/api/v1/case', { method: 'POST', headers: auth() })
  expect(view.json.messages).toHaveLength(1)
  const msg = await request(fx.server.url, `/api/v1/case/messages/${view.json.messages[0].msgId}`, { headers: auth() })
  const opened = openAsResident({ caseId, keys, bureauPublicKey: fx.newKey.publicKey, view: msg.json })
  expect([opened.text, opened.requestsMaterial, opened.from]).toEqual(['请补充转账记录截图。', true, 'bureau'])
  // Another 查询码's keys cannot read it.
  expect(() => openAsResident({ caseId, keys: residentKeys(receipt()), bureauPublicKey: fx.newKey.publicKey, view: msg.json })).toThrow()
  // Bad input: empty, too long, both sources, unknown case.
  expect((await bureau('reply', caseId, '--key', fx.newKeyFile, '--text', '  ')).code).toBe(2)
  expect((await bureau('reply', caseId, '--key', fx.newKeyFile, '--text', '长'.repeat(2001))).stderr).toContain('2000')
  expect((await bureau('reply', 'f'.repeat(32), '--key', fx.newKeyFile, '--text', 'x')).code).toBe(2)
}, 60000)

test('list shows unread resident messages and new files; messages shows them and marks them read', async () => {
  await postMessage('截图在这里，对方账号 wx_loan_01。', [{ name: '转账.png', bytes: fileA }, { name: '../../聊天.png', bytes: fileB }])
  const listed = await bureau('list', '--json')
  const row = JSON.parse(listed.stdout).find((r: { id: string }) => r.id === caseId)
  expect([row.unreadMessages, row.unreadFiles]).toEqual([1, 2])
  const shown = await bureau('messages', caseId, '--key', fx.newKeyFile)
  expect(shown.code).toBe(0)
  expect(shown.stdout).toMatch(/#1 .*扫黑办 bureau[\s\S]*请补充转账记录截图。[\s\S]*#2 .*举报人 resident.*未读 unread[\s\S]*wx_loan_01[\s\S]*转账\.png/)
  expect(shown.stderr).toContain('1 resident messages marked read')
  const after = JSON.parse((await bureau('list', '--json')).stdout).find((r: { id: string }) => r.id === caseId)
  expect([after.unreadMessages, after.unreadFiles]).toEqual([0, 0])
}, 60000)

test('export: the conversation in report.md in order, the added files decrypted and checked; a rerun takes only what is new', async () => {
  const first = await bureau('export', '--key', fx.newKeyFile, '--out', out)
  expect(first.code).toBe(0)
  const folder = path.join(out, fs.readdirSync(out).find((f) => f.endsWith(caseId))!)
  const md = fs.readFileSync(path.join(folder, 'report.md'), 'utf8')
  expect(md).toContain('套路贷')
  const conv = md.slice(md.indexOf('## 往来消息'))
  expect(conv.indexOf('请补充转账记录截图。')).toBeGreaterThan(0)
  expect(conv.indexOf('wx_loan_01')).toBeGreaterThan(conv.indexOf('请补充转账记录截图。'))
  expect(conv).toContain('【请求补充材料】')
  expect(conv).toMatch(/补充材料 1：`补充材料-2-1-转账\.png`.*SHA-256.*校验通过/)
  const files = fs.readdirSync(folder).filter((f) => f.startsWith('补充材料-'))
  expect(files.sort()).toEqual(['补充材料-2-1-转账.png', '补充材料-2-2-聊天.png'].sort())
  expect(fs.readFileSync(path.join(folder, '补充材料-2-1-转账.png')).equals(fileA)).toBe(true)

  const again = await bureau('export', '--key', fx.newKeyFile, '--out', out)
  expect(again.code).toBe(0)
  expect(again.stdout).not.toContain('往来消息 conversation:')
  const fileC = png(1000)
  await postMessage('又收到一条威胁短信。', [{ name: '短信.png', bytes: fileC }])
  const third = await bureau('export', '--key', fx.newKeyFile, '--out', out)
  expect(third.stdout).toContain('1 条新消息 new messages')
  expect(third.stdout).toContain('补充材料-3-1-短信.png')
  expect(third.stdout).not.toContain('补充材料-2-1-转账.png')
  expect(fs.readFileSync(path.join(folder, '补充材料-3-1-短信.png')).equals(fileC)).toBe(true)
  expect(fs.readFileSync(path.join(folder, 'report.md'), 'utf8').match(/## 往来消息/g)).toHaveLength(1)
}, 90000)

test('a message altered in the data directory is reported as failing authentication, never shown', async () => {
  const m = await postMessage('这条会被篡改。')
  const db = new Database(path.join(fx.dataDir, 'submissions.sqlite'))
  const row = db.prepare('SELECT message FROM case_messages WHERE msg_id = ?').get(m.msgId) as { message: Buffer }
  row.message[row.message.length - 20] ^= 1
  db.prepare('UPDATE case_messages SET message = ? WHERE msg_id = ?').run(row.message, m.msgId)
  db.close()
  const shown = await bureau('messages', caseId, '--key', fx.newKeyFile)
  expect(shown.code).toBe(1)
  expect(shown.stdout).toContain('fails authentication')
  expect(shown.stdout).not.toContain('这条会被篡改。')
}, 60000)
