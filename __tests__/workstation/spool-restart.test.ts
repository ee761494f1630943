/**
 * A reply kept through a crash: the real workstation process (over its local HTTP API, as the page
 * uses it) replies while the bureau API is down; the reply is spooled sealed (no plaintext in the
 * state folder); the process is killed (SIGKILL) and started again; on the next unlock the reply is
 * back as 待发送 (its resend at unlock dropped); 重试 reaches the server but its answer is lost; the
 * next 重试 is answered "the same reply again" — and the resident's case holds it exactly once. A
 * damaged spool file beside it is a plain Chinese warning, not a crash. A kept reply whose bureau
 * copy no longer opens (altered on disk) is not sent after the restart: it is set aside in the
 * spool (renamed, not deleted) and the inbox tells staff to write it again (review L3).
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { startWorkstation, type RunningWorkstation } from '../../e2e/workstation-harness'
import { Fixture, PASSPHRASE, runCli, type Sent } from '../bureau/fixture'
import { request } from '../server/helpers'

const REPLY = '请携带身份证到御东分局扫黑办面谈ZQX7'
type Mode = 'up' | 'down' | 'drop-replies' | 'lose-answer'

let fx: Fixture
let token: string
let sent: Sent
let proxy: http.Server
let proxyUrl: string
let mode: Mode = 'up'
/** Every reply POST that reached the bureau API's proxy, whatever the mode. */
const replyPosts: string[] = []
const stations: RunningWorkstation[] = []

/** The bureau API behind a switch: down (connections dropped), replies dropped, or replies taken by the server with their answer lost. */
function startProxy(target: URL): Promise<void> {
  proxy = http.createServer((req, res) => {
    const reply = req.method === 'POST' && /\/messages$/.test(req.url ?? '')
    if (reply) replyPosts.push(req.url ?? '')
    if (mode === 'down' || (mode === 'drop-replies' && reply)) return void req.socket.destroy()
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (mode === 'lose-answer' && reply) {
        answer.resume()
        answer.on('end', () => req.socket.destroy())
        return
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => req.socket.destroy())
    req.pipe(upstream)
  })
  return new Promise((done) =>
    proxy.listen(0, '127.0.0.1', () => {
      proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`
      done()
    }),
  )
}

/** Signs in to a running workstation over HTTP (the one-time login URL), returning a caller for its API. */
async function session(ws: RunningWorkstation) {
  const login = await fetch(ws.loginUrl, { redirect: 'manual' })
  const cookie = login.headers.getSetCookie()[0]?.split(';')[0]
  if (!cookie) throw new Error(`no session cookie (${login.status})`)
  return async (p: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const r = await fetch(`${ws.origin}${p}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { cookie, 'x-workstation': '1', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: r.status, json: await r.json() }
  }
}

/** A workstation started on a fresh state folder, signed in, set up (through the proxy) and unlocked. */
async function firstStation(keyFile: string): Promise<RunningWorkstation & { api: Awaited<ReturnType<typeof session>> }> {
  const ws = await startWorkstation()
  stations.push(ws)
  const api = await session(ws)
  expect((await api('/api/setup', { server: proxyUrl, token })).status).toBe(200)
  expect((await api('/api/unlock', { keyFiles: [keyFile], passphrase: PASSPHRASE })).json).toMatchObject({ unlocked: true, cases: 1 })
  return Object.assign(ws, { api })
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]))
}

beforeAll(async () => {
  fx = await Fixture.start()
  sent = await fx.send({ category: 'loan', branch: 'yd', description: '套路贷，对方威胁上门。' }, { caseChannel: true })
  const r = await runCli(['token', 'create', '--name', '测试工作站', '--data', fx.dataDir, '--campaign', fx.env.campaignFile])
  token = /cw1_[A-Za-z0-9_-]{43}/.exec(r.stdout)![0]
  await startProxy(new URL(fx.server.bureauUrl!))
}, 60000)

afterAll(async () => {
  for (const s of stations) await s.stop()
  proxy?.closeAllConnections()
  await new Promise((r) => proxy?.close(r))
  await fx?.stop()
})

test('a reply pending when the workstation is killed is sent after the restart, exactly once, and only ciphertext touched the disk', async () => {
  const keyFile = fs.readFileSync(fx.newKeyFile, 'utf8')
  const first = await firstStation(keyFile)
  let api = first.api

  // The bureau API goes down; the reply is not sent, and is kept.
  mode = 'down'
  const failed = await api(`/api/cases/${sent.id}/replies`, { text: REPLY, requestsMaterial: false })
  expect([failed.status, failed.json.code]).toEqual([502, 'REPLY_NOT_SENT'])
  const outbox = path.join(first.configDir, 'outbox')
  const spooled = fs.readdirSync(outbox)
  expect(spooled).toEqual([expect.stringMatching(/^reply-[0-9a-f]{32}\.json$/)])
  expect(fs.statSync(path.join(outbox, spooled[0])).mode & 0o777).toBe(0o600)
  // Nothing under the state folder holds the reply's text (UTF-8 or UTF-16, as typed or escaped).
  const needles = [Buffer.from(REPLY), Buffer.from(REPLY, 'utf16le'), Buffer.from(JSON.stringify(REPLY).slice(1, -1)), Buffer.from('ZQX7')]
  for (const f of filesUnder(first.configDir)) {
    const bytes = fs.readFileSync(f)
    for (const n of needles) expect([f, bytes.includes(n)]).toEqual([f, false])
  }
  // A damaged spool file beside it (hostile input when read back).
  fs.writeFileSync(path.join(outbox, `reply-${'ab'.repeat(16)}.json`), '{"v":1,"caseId":"<script>"}')

  // Killed, no chance to clean up.
  first.process.kill('SIGKILL')
  await new Promise((r) => (first.process.exitCode !== null || first.process.signalCode !== null ? r(null) : first.process.once('exit', r)))

  // Restarted on the same state folder; the API is back for reading, replies are still dropped.
  mode = 'drop-replies'
  const second = await startWorkstation({ configDir: first.configDir })
  stations.push(second)
  api = await session(second)
  expect((await api('/api/unlock', { keyFiles: [keyFile], passphrase: PASSPHRASE })).json).toMatchObject({ unlocked: true, cases: 1 })
  const inbox = await api('/api/cases')
  expect(inbox.json.spoolWarnings).toEqual([expect.stringContaining(`待发送的回复文件 reply-${'ab'.repeat(16)}.json 无法使用（案件编号无效），没有发送`)])
  let messages = (await api(`/api/cases/${sent.id}/messages`)).json.messages
  const pending = messages.filter((m: { pending?: boolean }) => m.pending)
  expect(pending.map((m: { text: string; problem: string }) => [m.text, m.problem.startsWith('待发送')])).toEqual([[REPLY, true]])

  // 重试 reaches the server, but the answer is lost: still kept.
  mode = 'lose-answer'
  const lost = await api(`/api/cases/${sent.id}/replies/${pending[0].msgId}/retry`, {})
  expect([lost.status, lost.json.code]).toEqual([502, 'REPLY_NOT_SENT'])
  expect(fs.readdirSync(outbox)).toContain(spooled[0])
  // Once answered ("the same reply again"), it is acknowledged: out of the spool, and on the server once.
  mode = 'up'
  const retried = await api(`/api/cases/${sent.id}/replies/${pending[0].msgId}/retry`, {})
  expect(retried.status).toBe(200)
  messages = retried.json.messages
  expect(messages.map((m: { from: string; text: string; pending?: boolean }) => [m.from, m.text, !!m.pending])).toEqual([['bureau', REPLY, false]])
  expect(fs.readdirSync(outbox)).toEqual([`reply-${'ab'.repeat(16)}.json`])
  const onServer = await request(fx.server.bureauUrl!, `/bureau/v1/cases/${sent.id}/messages`, { headers: { authorization: `Bearer ${token}` } })
  expect(onServer.json.messages.map((m: { msgId: string; from: string }) => [m.msgId, m.from])).toEqual([[pending[0].msgId, 'bureau']])
}, 120000)

test('a kept reply whose bureau copy does not open is not sent after a restart: it is set aside, and staff are told to write it again', async () => {
  const keyFile = fs.readFileSync(fx.newKeyFile, 'utf8')
  const first = await firstStation(keyFile)
  let api = first.api
  const onServerBefore = await request(fx.server.bureauUrl!, `/bureau/v1/cases/${sent.id}/messages`, { headers: { authorization: `Bearer ${token}` } })

  // Two replies kept while the bureau API is down.
  mode = 'down'
  for (const text of ['第一条回复：请来面谈', '第二条回复：请补充材料']) {
    expect((await api(`/api/cases/${sent.id}/replies`, { text, requestsMaterial: false })).json.code).toBe('REPLY_NOT_SENT')
  }
  first.process.kill('SIGKILL')
  await new Promise((r) => (first.process.exitCode !== null || first.process.signalCode !== null ? r(null) : first.process.once('exit', r)))

  // On disk, one's bureau copy has a byte changed; the other's copy is replaced by its message
  // (ciphertext addressed to the resident, not the bureau). Both still parse as spool files.
  const outbox = path.join(first.configDir, 'outbox')
  const names = fs.readdirSync(outbox).sort()
  expect(names).toEqual([expect.stringMatching(/^reply-[0-9a-f]{32}\.json$/), expect.stringMatching(/^reply-[0-9a-f]{32}\.json$/)])
  const [flipped, swapped] = names
  const edit = (name: string, change: (j: { copy: string; message: string }) => void) => {
    const j = JSON.parse(fs.readFileSync(path.join(outbox, name), 'utf8'))
    change(j)
    fs.writeFileSync(path.join(outbox, name), JSON.stringify(j), { mode: 0o600 })
  }
  edit(flipped, (j) => {
    const copy = Buffer.from(j.copy, 'base64')
    copy[Math.floor(copy.length / 2)] ^= 0x01
    j.copy = copy.toString('base64')
  })
  edit(swapped, (j) => (j.copy = j.message))

  // Restarted with the bureau API up: nothing is posted.
  mode = 'up'
  replyPosts.length = 0
  const second = await startWorkstation({ configDir: first.configDir })
  stations.push(second)
  api = await session(second)
  expect((await api('/api/unlock', { keyFiles: [keyFile], passphrase: PASSPHRASE })).json).toMatchObject({ unlocked: true, cases: 1 })
  const inbox = await api('/api/cases')
  expect(replyPosts).toEqual([])
  const notice = (name: string) => `有一条保留的回复（案件 ${sent.id}）未通过验证：本机保存的加密副本无法打开（可能已损坏、被改动，或不属于这个案件），为安全起见没有发送。请打开这个案件，重新撰写这条回复。原文件已单独保留为 ${outbox}/${name.replace(/\.json$/, '.unverified.json')}，请交管理员检查后删除。`
  expect(inbox.json.spoolWarnings).toEqual([notice(flipped), notice(swapped)])
  // Kept aside, byte for byte as they were, under names never read as replies to send again.
  expect(fs.readdirSync(outbox).sort()).toEqual(names.map((n) => n.replace(/\.json$/, '.unverified.json')))
  // Not listed as 待发送 (there is nothing to retry), and the server has no new message.
  const messages = (await api(`/api/cases/${sent.id}/messages`)).json.messages
  expect(messages.filter((m: { pending?: boolean }) => m.pending)).toEqual([])
  const onServer = await request(fx.server.bureauUrl!, `/bureau/v1/cases/${sent.id}/messages`, { headers: { authorization: `Bearer ${token}` } })
  expect(onServer.json.messages).toEqual(onServerBefore.json.messages)

  // The next load (从服务器刷新) still says so, and still sends nothing.
  expect((await api('/api/reload', {})).status).toBe(200)
  expect((await api('/api/cases')).json.spoolWarnings).toEqual([notice(flipped), notice(swapped)])
  expect(replyPosts).toEqual([])
}, 120000)
