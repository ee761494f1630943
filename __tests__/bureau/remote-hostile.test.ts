/**
 * A hostile bureau API (a fake server on loopback) against `export --server`: ids that are paths,
 * records that are not objects, impossible sizes, a status with terminal escapes, an object that
 * keeps coming past its declared size, a lying Content-Length, messages with path ids, and reports
 * sealed to the bureau key (anyone holding the public key can make them) whose file names climb
 * out of the folder. Nothing may be written or deleted outside --out, and each bad record is named.
 * And against `reply --server`: a reply key the API serves cannot replace the one inside a report,
 * and a malformed or low-order one is no key at all.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { writePrivateKeyFile } from '../../server/src/envelope'
import { crc32Hex } from '@/crypto'
import { PASSPHRASE_ENV } from '../../bureau/keys'
import { openAsResident, residentKeys, sealResidentMessage } from '../support/case-client'
import { makeBureauKey, receipt, seal } from '../server/helpers'
import { PASSPHRASE, buildReport, listFiles, runCli } from './fixture'

const key = makeBureauKey()
const TOKEN = `cw1_${'A'.repeat(43)}`
const hex = () => randomBytes(16).toString('hex')
let root: string
let server: http.Server
let url: string
const good = hex()
const flood = hex()
const liar = hex()
const keys = residentKeys(receipt())
/** A case-channel report (D inside) for which the API serves another "registered" key: the attacker's. */
const swap = hex()
const attacker = residentKeys(receipt())
/** Legacy reports (no D inside) for which the API serves a malformed key and a low-order point. */
const malformed = hex()
const lowOrder = hex()
/** What reached the fake API's POST …/messages. */
const posted: { url: string; body: Record<string, unknown> }[] = []
const routes = new Map<string, (res: http.ServerResponse) => void>()
const now = Date.parse('2026-12-01T08:00:00Z')

function meta(id: string, sealed: ReturnType<typeof seal>, extra: Record<string, unknown> = {}) {
  return {
    id, createdAt: now, receivedAt: now, branch: 'yd', status: 'received', statusChangedAt: now, publicNote: null,
    header: sealed.header, reportSize: sealed.report.length,
    attachments: sealed.attachments.map((a, n) => ({ n, size: a.length, crc32: crc32Hex(a) })),
    readAt: null, notes: 0, unreadMessages: 0, unreadFiles: 0, messages: 1, ...extra,
  }
}
const send = (bytes: Uint8Array) => (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(Buffer.from(bytes))
const json = (body: unknown) => (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-hostile-api-'))
  fs.writeFileSync(path.join(root, 'sentinel.txt'), 'keep me')
  await writePrivateKeyFile(path.join(root, 'bureau.key.json'), key, PASSPHRASE, { scryptLogN: 14 })

  // A valid report whose file names climb out, with a resident message (and one with a path as its id).
  const pic = randomBytes(3000)
  const report = { ...buildReport({ category: 'loan', branch: 'yd', description: '正常的举报', files: [{ name: '../../outside.txt', bytes: pic }, { name: '/etc/passwd', bytes: pic }] }), replyKey: keys.replyKey }
  const sealedGood = seal(key, report, [new Uint8Array(pic), new Uint8Array(pic)])
  const m = sealResidentMessage({ caseId: good, keys, bureauPublicKey: key.publicKey, text: '补充', files: [{ name: '../../../pwn.txt', bytes: randomBytes(100) }] })
  const message = Buffer.from(m.body.message, 'base64')
  const sealedFlood = seal(key, buildReport({ category: 'loan', branch: 'yd', description: '超量', files: [{ name: 'x.png', bytes: pic }] }), [new Uint8Array(pic)])
  const sealedLiar = seal(key, buildReport({ category: 'loan', branch: 'yd', description: '谎报长度' }))
  const other = seal(key, buildReport({ category: 'loan', branch: 'yd', description: '其他' }))

  const cases = [
    meta('../../escape-id', other),
    meta('0'.repeat(31) + 'G', other),
    'not an object',
    null,
    meta(hex(), other, { attachments: [{ n: 0, size: 10 * 1024 ** 3, crc32: '00000000' }] }),
    meta(hex(), other, { status: '\u001b[31mHACKED' }),
    meta(hex(), other, { branch: '../yd' }),
    meta(good, sealedGood),
    meta(flood, sealedFlood),
    meta(liar, sealedLiar),
  ]
  routes.set('/bureau/v1/cases?limit=1000', json({ cases, next: null }))
  routes.set(`/bureau/v1/cases/${good}`, json({ case: meta(good, sealedGood) }))
  routes.set(`/bureau/v1/cases/${good}/report`, send(sealedGood.report))
  sealedGood.attachments.forEach((a, n) => routes.set(`/bureau/v1/cases/${good}/attachments/${n}`, send(a)))
  routes.set(`/bureau/v1/cases/${good}/messages`, json({
    messages: [
      { msgId: '../../../../x', from: 'resident', seq: 1, header: m.body.header, createdAt: now, acceptedAt: now, readAt: null, size: message.length, attachments: [] },
      { msgId: m.msgId, from: 'resident', seq: 2, header: m.body.header, createdAt: now, acceptedAt: now, readAt: null, size: message.length, attachments: [{ n: 0, size: m.files[0].length }] },
    ],
  }))
  routes.set(`/bureau/v1/cases/${good}/messages/${m.msgId}/object`, send(message))
  routes.set(`/bureau/v1/cases/${good}/messages/${m.msgId}/attachments/0`, send(m.files[0]))
  routes.set(`/bureau/v1/cases/${flood}/report`, send(sealedFlood.report))
  // Keeps sending (chunked, no length) far past the declared size.
  routes.set(`/bureau/v1/cases/${flood}/attachments/0`, (res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    for (let i = 0; i < 64; i++) res.write(randomBytes(64 * 1024))
    res.end()
  })
  routes.set(`/bureau/v1/cases/${liar}/report`, (res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(2 ** 40) })
    res.write(sealedLiar.report)
    setTimeout(() => res.destroy(), 100)
  })
  const sealedSwap = seal(key, { ...buildReport({ category: 'loan', branch: 'yd', description: '有回复公钥的举报' }), replyKey: keys.replyKey })
  const sealedOld = seal(key, buildReport({ category: 'loan', branch: 'yd', description: '旧版举报' }))
  for (const [id, sealed, replyKey] of [[swap, sealedSwap, attacker.replyKey], [malformed, sealedOld, 'AAAA'], [lowOrder, sealedOld, Buffer.alloc(32).toString('base64')]] as const) {
    routes.set(`/bureau/v1/cases/${id}`, json({ case: meta(id, sealed, { messages: 0 }) }))
    routes.set(`/bureau/v1/cases/${id}/report`, send(sealed.report))
    routes.set(`/bureau/v1/cases/${id}/messages`, json({ messages: [], replyKey }))
  }
  server = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end('{"code":"TOKEN_INVALID"}')
    if (req.method === 'POST' && /^\/bureau\/v1\/cases\/[0-9a-f]{32}\/messages$/.test(req.url ?? '')) {
      let text = ''
      req.setEncoding('utf8').on('data', (d: string) => (text += d))
      req.on('end', () => {
        const body = JSON.parse(text) as Record<string, unknown>
        posted.push({ url: req.url!, body })
        const message = { msgId: body.msgId, from: 'bureau', seq: 1, header: body.header, createdAt: now, acceptedAt: now, readAt: null, size: 100, attachments: [] }
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ message }))
      })
      return
    }
    const route = routes.get(req.url ?? '')
    if (route) return route(res)
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"CASE_NOT_FOUND","message":"no"}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
}, 30000)

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  fs.rmSync(root, { recursive: true, force: true })
})

test('export from a hostile bureau API writes only inside --out, refuses each bad record by name, and exports the good case', async () => {
  const out = path.join(root, 'out')
  const r = await runCli(['export', '--key', path.join(root, 'bureau.key.json'), '--out', out, '--server', url], { BUREAU_TOKEN: TOKEN, [PASSPHRASE_ENV]: PASSPHRASE })
  // Nothing outside --out: the only files under root are the ones the test put there, and the export's.
  if (process.env.DEBUG_HOSTILE) console.log(r.output)
  const outside = listFiles(root).filter((f) => !f.startsWith('out/'))
  expect(outside.sort()).toEqual(['bureau.key.json', 'sentinel.txt'])
  expect(fs.readFileSync(path.join(root, 'sentinel.txt'), 'utf8')).toBe('keep me')
  for (const f of listFiles(out)) expect(path.resolve(out, f).startsWith(`${out}${path.sep}`)).toBe(true)

  expect(r.code).toBe(1)
  expect(r.stderr).not.toContain('内部错误')
  expect(r.stderr).not.toMatch(/\n\s+at .*\(/)
  // Seven records refused as not what the server writes (ids, shapes, sizes, status, branch).
  expect(r.stdout).toMatch(/另有 7 条记录无效，已拒绝/)
  expect(r.stderr).toContain('../../escape-id')
  expect(r.stderr).not.toContain('\u001b[31m')
  // The flood and the lying length fail their own case only.
  // …stopped at the bound (declared size, declared length), not read to the end.
  expect(r.stderr).toMatch(new RegExp(`✗ 失败 FAILED ${flood}\n.*数据过大`))
  expect(r.stderr).toMatch(new RegExp(`✗ 失败 FAILED ${liar}\n.*数据过大`))

  const folder = fs.readdirSync(out).find((f) => f.endsWith(good))!
  const files = fs.readdirSync(path.join(out, folder)).sort()
  expect(files).toEqual(expect.arrayContaining(['outside.txt', 'passwd', '补充材料-2-1-pwn.txt', 'report.md']))
  // The message with a path for an id is named as refused in the conversation, not fetched.
  expect(fs.readFileSync(path.join(out, folder, 'report.md'), 'utf8')).toMatch(/#1 举报人[\s\S]*无法打开：数据库记录无效/)
  // The flood left no file beyond its declared size anywhere (nothing of its case was kept).
  expect(fs.readdirSync(out).some((f) => f.includes(flood))).toBe(false)
}, 60000)

test('reply to a hostile bureau API: the report’s own reply key wins over the one served, and a bad served key is no key', async () => {
  const reply = (id: string) =>
    runCli(['reply', id, '--key', path.join(root, 'bureau.key.json'), '--text', '收到，正在核实。', '--accept-unverified-key', '--server', url], { BUREAU_TOKEN: TOKEN, [PASSPHRASE_ENV]: PASSPHRASE })
  // The served key is ignored for a report that carries D: no legacy warning, sealed to D (the resident reads it, the attacker cannot).
  const r = await reply(swap)
  expect([r.code, r.stderr]).toEqual([0, expect.not.stringContaining('旧版举报')])
  expect(posted.map((p) => p.url)).toEqual([`/bureau/v1/cases/${swap}/messages`])
  const b = posted[0].body as { msgId: string; header: unknown; message: string }
  const view = { msgId: b.msgId, from: 'bureau' as const, header: b.header, object: b.message }
  expect(openAsResident({ caseId: swap, keys, bureauPublicKey: key.publicKey, view }).text).toBe('收到，正在核实。')
  expect(() => openAsResident({ caseId: swap, keys: attacker, bureauPublicKey: key.publicKey, view })).toThrow()
  // A legacy case whose served key is malformed or a low-order point: refused as having no key, even with the flag; nothing posted.
  for (const id of [malformed, lowOrder]) {
    const refused = await reply(id)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/还没有用新版程序打开过案件/)
    expect(refused.stderr).not.toContain('内部错误')
  }
  expect(posted).toHaveLength(1)
}, 60000)
