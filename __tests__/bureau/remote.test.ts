/**
 * The CLI's remote mode (--server URL with a workstation token) over real HTTP, against the real
 * server and its bureau listener on 127.0.0.1 (port 0), with reports and a resident message made by
 * the real client crypto: list and export give exactly what they give on the data directory (the
 * export trees compared byte for byte), status, messages and reply work and are audited under the
 * token's name, a reply to a legacy case needs --accept-unverified-key as on the data directory,
 * and failures are plain Chinese messages with a non-zero exit and no stack trace.
 */
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { PASSPHRASE_ENV } from '../../bureau/keys'
import { findCategory } from '../../src/domain/categories'
import { legacyKeys, openAsResident, residentKeys, sealResidentMessage, type ResidentKeys } from '../support/case-client'
import { makePng } from '../../e2e/harness'
import { Fixture, PASSPHRASE, buildReport, listFiles, runCli, runInProcess, type Sent } from './fixture'
import { receipt, request, seal, submissionBody, upload } from '../server/helpers'

let fx: Fixture
let bureau: string
let all: string
let yd: string
let yc: Sent
let zsCase: Sent
let keys: ResidentKeys
let tokenFile: string
const pass = { [PASSPHRASE_ENV]: PASSPHRASE }

async function makeToken(name: string, branches: string[] = []): Promise<{ secret: string; id: string }> {
  const r = await runCli(['token', 'create', '--name', name, ...branches.flatMap((b) => ['--branch', b]), '--data', fx.dataDir, '--campaign', fx.env.campaignFile])
  expect(r.code).toBe(0)
  return { secret: /cw1_[A-Za-z0-9_-]{43}/.exec(r.stdout)![0], id: /编号 ([0-9a-f]{16})/.exec(r.stdout)![1] }
}

/** The CLI in remote mode with the token in BUREAU_TOKEN. */
const campaign = (args: string[]) => (args[0] === 'export' ? ['--campaign', fx.env.campaignFile] : [])
const remote = (args: string[], token = all, env: Record<string, string> = {}) => runCli([...args, '--server', bureau, ...campaign(args)], { BUREAU_TOKEN: token, ...pass, ...env })
const local = (args: string[]) => runCli([...args, '--data', fx.dataDir, ...campaign(args)], pass)

function expectPlainError(r: { code: number | null; stderr: string }, text: RegExp): void {
  expect(r.code).not.toBe(0)
  expect(r.stderr).toMatch(text)
  expect(r.stderr).not.toMatch(/\n\s+at .*\(/)
  expect(r.stderr).not.toContain('内部错误')
}

beforeAll(async () => {
  fx = await Fixture.start()
  bureau = fx.server.bureauUrl!
  // A case-channel report in 御东 with a picture, and a resident message with an added file.
  keys = residentKeys(receipt())
  const png = makePng(5)
  const report = { ...buildReport({ category: 'loan', branch: 'yd', description: '套路贷，电话 13800138000', files: [{ name: '../截图.png', bytes: png }] }), replyKey: keys.replyKey }
  const sealed = seal(fx.newKey, report, [new Uint8Array(png)])
  const created = await request(fx.server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed, undefined, 'yd') })
  const id = created.json.id as string
  await upload(fx.server.url, id, 0, sealed.attachments[0])
  expect((await request(fx.server.url, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: { authenticator: keys.auth } })).status).toBe(200)
  yc = { id, receipt: '', report, files: [], key: fx.newKey }
  const m = sealResidentMessage({ caseId: id, keys, bureauPublicKey: fx.newKey.publicKey, text: '补充一张转账截图。', files: [{ name: '转账.png', bytes: makePng(9) }] })
  const caseAuth = { 'case-auth': keys.auth }
  expect((await request(fx.server.url, '/api/v1/case/messages', { method: 'POST', headers: caseAuth, body: m.body })).status).toBe(201)
  const put = await request(fx.server.url, `/api/v1/case/messages/${m.msgId}/attachments/0`, {
    method: 'PUT', headers: { ...caseAuth, 'content-type': 'application/offset+octet-stream', 'upload-offset': 0 }, body: Buffer.from(m.files[0]),
  })
  expect(put.status).toBe(200)
  expect((await request(fx.server.url, `/api/v1/case/messages/${m.msgId}/finalize`, { method: 'POST', headers: caseAuth })).status).toBe(200)
  zsCase = await fx.send({ category: 'nude', branch: 'zs', description: '直属的裸聊敲诈', files: [{ name: 'a.png', bytes: makePng(3) }] })
  all = (await makeToken('市局脚本')).secret
  yd = (await makeToken('御东分局脚本', ['yd'])).secret
  tokenFile = path.join(fx.env.dir, 'token.txt')
  fs.writeFileSync(tokenFile, `${all}\n`, { mode: 0o600 })
}, 90000)

afterAll(async () => {
  await fx?.stop()
})

test('list --json: the same rows remotely as from the data directory (finalized cases, unread counts)', async () => {
  const here = await local(['list', '--json'])
  const there = await remote(['list', '--json'])
  expect([here.code, there.code]).toEqual([0, 0])
  const rows = JSON.parse(there.stdout)
  expect(rows.map((r: { id: string }) => r.id).sort()).toEqual([yc.id, zsCase.id].sort())
  expect(rows.find((r: { id: string }) => r.id === yc.id)).toMatchObject({ unreadMessages: 1, unreadFiles: 1, attachments: 1 })
  expect(rows).toEqual(JSON.parse(here.stdout))
  // The table too, and the token from a file.
  const table = await runCli(['list', '--server', bureau, '--token-file', tokenFile])
  expect(table.code).toBe(0)
  expect(table.stdout).toContain(yc.id)
  expect(table.stderr).not.toContain('ps')
}, 150000)

test('export over the API writes the same tree, byte for byte, as the local export (report, files, conversation)', async () => {
  const outLocal = path.join(fx.env.dir, 'export-local')
  const outRemote = path.join(fx.env.dir, 'export-remote')
  const a = await local(['export', '--key', fx.newKeyFile, '--out', outLocal])
  const b = await remote(['export', '--key', fx.newKeyFile, '--out', outRemote])
  expect([a.code, b.code, b.stderr]).toEqual([0, 0, expect.any(String)])
  const files = listFiles(outLocal).sort()
  expect(listFiles(outRemote).sort()).toEqual(files)
  expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/-[0-9a-f]{32}\/截图\.png$/), expect.stringMatching(/补充材料-1-1-转账\.png$/), expect.stringMatching(/report\.md$/)]))
  // The markers record when each export ran: everything else is identical.
  const stamp = (text: string) => text.replace(/"(exportedAt|updatedAt)": "[^"]+"/g, '"$1": "…"')
  for (const f of files) {
    const x = fs.readFileSync(path.join(outLocal, f))
    const y = fs.readFileSync(path.join(outRemote, f))
    if (/\/\.(exported|case-exported\.json)$/.test(f)) expect(stamp(y.toString('utf8'))).toBe(stamp(x.toString('utf8')))
    else expect(y.equals(x)).toBe(true)
  }
  expect(fs.readFileSync(path.join(outRemote, files.find((f) => f.endsWith(`${yc.id}/report.md`))!), 'utf8')).toContain('补充一张转账截图。')
  // A rerun skips what is there.
  const again = await remote(['export', '--key', fx.newKeyFile, '--out', outRemote])
  expect(again.code).toBe(0)
  expect(again.stdout).toMatch(/已导出过 2 条（跳过），本次导出 0 条/)
}, 150000)

test('messages, reply and status remotely; the resident reads the reply; every action is audited under the token', async () => {
  const shown = await remote(['messages', yc.id, '--key', fx.newKeyFile])
  expect(shown.code).toBe(0)
  expect(shown.stdout).toContain('补充一张转账截图。')
  expect(shown.stderr).toMatch(/已将 1 条举报人消息标记为已读/)

  const sent = await remote(['reply', yc.id, '--key', fx.newKeyFile, '--text', '收到，我们正在核实。', '--request-material'])
  expect(sent.code).toBe(0)
  const msgId = /（([0-9a-f]{32})）/.exec(sent.stdout)![1]
  const view = await request(fx.server.url, `/api/v1/case/messages/${msgId}`, { headers: { 'case-auth': keys.auth } })
  expect(view.status).toBe(200)
  expect(openAsResident({ caseId: yc.id, keys, bureauPublicKey: fx.newKey.publicKey, view: view.json })).toMatchObject({ text: '收到，我们正在核实。', requestsMaterial: true })

  const status = await remote(['status', yc.id, 'reviewing', '--note', '已转交御东分局'])
  expect(status.code).toBe(0)
  expect(status.stdout).toContain('核查中')
  const listed = JSON.parse((await local(['list', '--json'])).stdout).find((r: { id: string }) => r.id === yc.id)
  expect(listed).toMatchObject({ status: 'reviewing', note: '已转交御东分局', unreadMessages: 0 })

  const audit = await request(bureau, `/bureau/v1/audit?case=${yc.id}`, { headers: { authorization: `Bearer ${all}` } })
  const actions = (audit.json.entries as { tokenName: string; action: string; detail: string | null }[]).filter((e) => e.tokenName === '市局脚本').map((e) => e.action)
  for (const a of ['case.report', 'case.attachment', 'case.messages', 'case.read', 'case.reply', 'case.status']) expect(actions).toContain(a)
  const whole = await request(bureau, '/bureau/v1/audit', { headers: { authorization: `Bearer ${all}` } })
  expect(whole.json.entries.some((e: { action: string; tokenName: string }) => e.action === 'cases.list' && e.tokenName === '市局脚本')).toBe(true)
}, 150000)

test('a branch-limited token: its own cases only, and a plain refusal for another branch', async () => {
  const r = await remote(['list', '--json'], yd)
  expect(JSON.parse(r.stdout).map((x: { id: string }) => x.id)).toEqual([yc.id])
  expectPlainError(await remote(['messages', zsCase.id, '--key', fx.newKeyFile], yd), /无权查看/)
  expectPlainError(await remote(['status', zsCase.id, 'closed'], yd), /无权查看/)
  const out = path.join(fx.env.dir, 'export-yd')
  expect((await remote(['export', '--key', fx.newKeyFile, '--out', out], yd)).code).toBe(0)
  expect(fs.readdirSync(out).filter((f) => !f.startsWith('.')).map((f) => f.slice(-32))).toEqual([yc.id])
  expect(JSON.parse((await local(['list', '--json'])).stdout).find((x: { id: string }) => x.id === zsCase.id).status).toBe('received')
}, 150000)

test('errors: revoked token, unreachable server, missing or malformed token, a token on the command line', async () => {
  const t = await makeToken('临时脚本')
  expect((await runCli(['token', 'revoke', t.id, '--data', fx.dataDir])).code).toBe(0)
  expectPlainError(await remote(['list'], t.secret), /令牌已被撤销/)

  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
  const unreachable = await runCli(['list', '--server', `http://127.0.0.1:${closed}`], { BUREAU_TOKEN: all })
  expectPlainError(unreachable, /无法连接举报服务器/)

  // Option mistakes: the same dispatcher in this process (no child needed to check them).
  expectPlainError(await runInProcess(['list', '--server', bureau]), /缺少工作站令牌/)
  expectPlainError(await runInProcess(['list', '--server', bureau], { BUREAU_TOKEN: 'cw1_short' }), /令牌格式不对/)
  expectPlainError(await runInProcess(['list', '--server', bureau, '--data', fx.dataDir], { BUREAU_TOKEN: all }), /不能同时使用/)
  expectPlainError(await runInProcess(['list', '--token-file', tokenFile]), /--server/)
  expectPlainError(await runInProcess(['list', '--server', bureau, '--token', all, '--token-file', tokenFile]), /只能给一个/)
  expectPlainError(await runInProcess(['list', '--server', 'ftp://127.0.0.1:1'], { BUREAU_TOKEN: all }), /服务器地址/)
  expectPlainError(await runInProcess(['list', '--server', bureau, '--state', 'unfinished'], { BUREAU_TOKEN: all }), /未完成的上传/)

  const onCommandLine = await runCli(['list', '--server', bureau, '--token', all])
  expect(onCommandLine.code).toBe(0)
  expect(onCommandLine.stderr).toMatch(/ps 中看到/)
}, 150000)

test('a legacy case: reply refuses the key the server registered unless --accept-unverified-key, warns either way, and then the resident reads it', async () => {
  const old = await fx.send({ category: 'loan', branch: 'zs', description: '旧版程序的举报' })
  const reply = (args: string[], where = remote) => where(['reply', old.id, '--key', fx.newKeyFile, '--text', '请补充聊天记录。', ...args])
  const stored = async () => (await request(bureau, `/bureau/v1/cases/${old.id}/messages`, { headers: { authorization: `Bearer ${all}` } })).json
  // No key registered yet: nothing to send to, with or without the flag.
  expectPlainError(await reply(['--accept-unverified-key']), /还没有用新版程序打开过案件/)

  // The resident's new app registers D′ (the server's word: nothing binds it to the report).
  const salt = await request(fx.server.url, '/api/v1/case/legacy-salt')
  const legacy = legacyKeys(old.receipt, Buffer.from(salt.json.salt, 'base64'))
  expect((await request(fx.server.url, '/api/v1/case/reply-key', { method: 'POST', headers: { 'case-auth': legacy.auth }, body: { replyKey: legacy.replyKey } })).status).toBe(200)
  expect((await stored()).replyKey).toBe(legacy.replyKey)

  // Without the flag: the warning, a refusal that names the flag, nothing posted; the same over the API and on the data directory.
  for (const where of [remote, local]) {
    const refused = await reply([], where)
    expectPlainError(refused, /未发送。[^\n]*--accept-unverified-key/)
    expect(refused.stderr).toMatch(/run again with --accept-unverified-key/)
    expect(refused.stderr).toContain('控制了服务器的人可以换成自己的公钥，读到这条回复')
    expect(refused.stderr).toContain('Whoever controls the server could have put in their own key')
    // What the bureau decrypted, so staff can tell it is the old report they mean (a hostile server can make any case look legacy).
    expect(refused.stderr).toContain(`类别 category: ${findCategory('loan')!.name}；内容开头 begins: “旧版程序的举报”`)
    expect(refused.stdout).not.toMatch(/已发送/)
    expect((await stored()).messages).toEqual([])
  }

  // With it: the warning first, then the reply, sealed to D′: the holder of the old 查询码 reads it.
  const sent = await reply(['--accept-unverified-key'])
  expect(sent.code).toBe(0)
  expect(sent.stderr).toContain('Whoever controls the server could have put in their own key')
  expect(sent.stderr).toMatch(/已确认风险（--accept-unverified-key）/)
  const msgId = /（([0-9a-f]{32})）/.exec(sent.stdout)![1]
  expect((await stored()).messages.map((m: { msgId: string; from: string }) => [m.msgId, m.from])).toEqual([[msgId, 'bureau']])
  const view = await request(fx.server.url, `/api/v1/case/messages/${msgId}`, { headers: { 'case-auth': legacy.auth } })
  expect(view.status).toBe(200)
  expect(openAsResident({ caseId: old.id, keys: legacy, bureauPublicKey: fx.newKey.publicKey, view: view.json }).text).toBe('请补充聊天记录。')

  // The conversation opens with that key over the API as on the data directory, marked unverified in both.
  const there = await remote(['messages', old.id, '--key', fx.newKeyFile])
  const here = await local(['messages', old.id, '--key', fx.newKeyFile])
  expect([there.code, here.code]).toEqual([0, 0])
  expect(there.stdout).toContain('请补充聊天记录。')
  expect(there.stdout).toBe(here.stdout)
  for (const r of [there, here]) expect(r.stderr).toMatch(/旧版举报：回复公钥来自服务器，未经验证/)
}, 150000)
