/**
 * Certificate files that cannot be used (review L6): in the workstation's connection settings, over
 * its real local HTTP API, and with the CLI's --ca/--client-cert/--client-key. A missing file, a
 * folder, an unreadable file, something that is not PEM, a PEM whose body is damaged, a key where
 * the certificate belongs (and the other way round), and a key that is not the certificate's: each
 * refused before any connection, with a message naming the setting and the file, never the file's
 * contents.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildWorkstation, type Workstation } from '../../bureau/workstation/server/app'
import { ConnectionStore } from '../../bureau/workstation/server/connection'
import { runInProcess } from '../bureau/fixture'
import { request } from '../server/helpers'

const TOKEN = `cw1_${'A'.repeat(43)}`
// Nothing listens here: every case must be refused before a connection is tried.
const SERVER = 'https://127.0.0.1:1'
const SECRET = 'SECRET-CONTENT-7Q'

let dir: string
let ws: Workstation
let base: string
let cookie: string
const f = (name: string) => path.join(dir, name)

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-tls-files-'))
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=test-ca')
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ws.key', '-out', 'ws.pem', '-days', '2', '-subj', '/CN=ws')
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'other.key')
  fs.mkdirSync(f('a-folder'))
  execFileSync('mkfifo', [f('a-fifo')]) // opened for reading, it would block the event loop until a writer came
  fs.writeFileSync(f('huge.pem'), fs.readFileSync(f('ca.pem')))
  fs.truncateSync(f('huge.pem'), 2 * 1024 * 1024)
  fs.writeFileSync(f('garbage.pem'), `${SECRET} this is not a certificate\n`)
  fs.writeFileSync(f('damaged.pem'), `-----BEGIN CERTIFICATE-----\n${Buffer.from(SECRET.repeat(8)).toString('base64')}\n-----END CERTIFICATE-----\n`)
  fs.writeFileSync(f('damaged.key'), `-----BEGIN PRIVATE KEY-----\n${Buffer.from(SECRET.repeat(8)).toString('base64')}\n-----END PRIVATE KEY-----\n`)
  fs.writeFileSync(f('unreadable.pem'), fs.readFileSync(f('ca.pem')), { mode: 0o000 })
  fs.chmodSync(f('unreadable.pem'), 0o000)

  const web = f('web')
  fs.mkdirSync(web)
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><div id="root"></div>')
  ws = await buildWorkstation({ webDir: web, connection: new ConnectionStore(f('config')), idleMs: 60_000, exportDir: f('export'), stateDir: f('config') })
  await ws.app.listen({ host: '127.0.0.1', port: 0 })
  const port = (ws.app.server.address() as { port: number }).port
  ws.setPort(port)
  base = `http://127.0.0.1:${port}`
  const login = await request(base, `/login?s=${ws.loginSecret}`)
  cookie = String(login.headers['set-cookie']).split(';')[0]
})

afterAll(async () => {
  await ws?.app.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

type Tls = { ca?: string; clientCert?: string; clientKey?: string }
type Case = [name: string, tls: () => Tls, field: 'ca' | 'clientCert' | 'clientKey', file: () => string, zh: RegExp, en: RegExp]

// Root reads any file whatever its mode: the unreadable case only means something for another user.
const asRoot = process.getuid?.() === 0

const CASES: Case[] = [
  ['a missing CA file', () => ({ ca: f('nope.pem') }), 'ca', () => f('nope.pem'), /^CA 证书文件(（--ca）)?不存在/, /^The CA certificate file( \(--ca\))? does not exist/],
  ['a folder given as the client certificate', () => ({ clientCert: f('a-folder'), clientKey: f('ws.key') }), 'clientCert', () => f('a-folder'), /^客户端证书文件(（--client-cert）)?是一个文件夹/, /is a folder, not a file/],
  ['a FIFO given as the CA', () => ({ ca: f('a-fifo') }), 'ca', () => f('a-fifo'), /^CA 证书文件(（--ca）)?不是普通文件/, /is not a regular file/],
  ['a device given as the client key', () => ({ clientCert: f('ws.pem'), clientKey: '/dev/zero' }), 'clientKey', () => '/dev/zero', /^客户端私钥文件(（--client-key）)?不是普通文件/, /is not a regular file/],
  ['a 2 MiB file as the CA', () => ({ ca: f('huge.pem') }), 'ca', () => f('huge.pem'), /^CA 证书文件(（--ca）)?太大/, /is too large/],
  ['a missing client key', () => ({ clientCert: f('ws.pem'), clientKey: f('a-folder/ws.key') }), 'clientKey', () => f('a-folder/ws.key'), /^客户端私钥文件(（--client-key）)?不存在/, /does not exist/],
  ...(asRoot ? [] : ([['an unreadable CA file', () => ({ ca: f('unreadable.pem') }), 'ca', () => f('unreadable.pem'), /没有读取权限/, /permission denied/]] as Case[])),
  ['a garbage file as the CA', () => ({ ca: f('garbage.pem') }), 'ca', () => f('garbage.pem'), /^CA 证书文件(（--ca）)?不是 PEM 格式的证书/, /is not a PEM certificate/],
  ['a damaged PEM certificate', () => ({ clientCert: f('damaged.pem'), clientKey: f('ws.key') }), 'clientCert', () => f('damaged.pem'), /^客户端证书文件(（--client-cert）)?里的证书无法读取/, /cannot be read \(damaged\)/],
  ['a damaged PEM key', () => ({ clientCert: f('ws.pem'), clientKey: f('damaged.key') }), 'clientKey', () => f('damaged.key'), /^客户端私钥文件(（--client-key）)?里的私钥无法读取/, /private key that cannot be read/],
  ['the key given as the certificate', () => ({ clientCert: f('ws.key'), clientKey: f('ws.key') }), 'clientCert', () => f('ws.key'), /^客户端证书文件(（--client-cert）)?里是私钥，不是证书/, /holds a private key, not a certificate/],
  ['the key given as the CA', () => ({ ca: f('ca.key') }), 'ca', () => f('ca.key'), /^CA 证书文件(（--ca）)?里是私钥，不是证书/, /holds a private key/],
  ['the certificate given as the key', () => ({ clientCert: f('ws.pem'), clientKey: f('ws.pem') }), 'clientKey', () => f('ws.pem'), /^客户端私钥文件(（--client-key）)?里是证书，不是私钥/, /holds a certificate, not a private key/],
  ['a key that is not the certificate’s', () => ({ ca: f('ca.pem'), clientCert: f('ws.pem'), clientKey: f('other.key') }), 'clientKey', () => f('other.key'), /^客户端私钥文件(（--client-key）)?与客户端证书不是一对/, /does not belong to the client certificate/],
]

/** What no message may show: the files' contents. */
function leaksNothing(text: string): void {
  expect(text).not.toContain(SECRET)
  for (const name of ['ws.key', 'ca.key', 'other.key', 'ws.pem', 'ca.pem', 'damaged.pem', 'damaged.key']) {
    const body = fs.readFileSync(f(name), 'utf8').split('\n')[1]
    expect(text).not.toContain(body)
  }
}

test.each(CASES)('workstation settings: %s is refused, naming the field and the file', async (_name, tls, field, file, zh) => {
  const r = await request(base, '/api/setup', {
    method: 'POST',
    headers: { cookie, 'x-workstation': '1', 'content-type': 'application/json' },
    body: JSON.stringify({ server: SERVER, token: TOKEN, ...tls() }),
  })
  expect([r.status, r.json.code, r.json.field]).toEqual([400, 'TLS_FILE', field])
  expect(r.json.message).toMatch(zh)
  expect(r.json.message).not.toContain('（--')
  expect(r.json.message).toContain(`：${file()}`)
  leaksNothing(r.text)
  // Nothing was saved.
  expect((await request(base, '/api/state', { headers: { cookie } })).json.configured).toBe(false)
})

test.each(CASES)('CLI --ca/--client-cert/--client-key: %s is a usage error naming the option and the file', async (_name, tls, _field, file, zh, en) => {
  const t = tls()
  const flags = [...(t.ca ? ['--ca', t.ca] : []), ...(t.clientCert ? ['--client-cert', t.clientCert] : []), ...(t.clientKey ? ['--client-key', t.clientKey] : [])]
  const r = await runInProcess(['list', '--server', SERVER, ...flags], { BUREAU_TOKEN: TOKEN })
  expect(r.code).toBe(2)
  const [zhLine, enLine] = r.stderr.trim().split('\n').slice(-2)
  expect(zhLine.replace(/^错误：/, '')).toMatch(zh)
  expect(zhLine).toMatch(/（--(ca|client-cert|client-key)）/)
  expect(zhLine).toContain(`：${file()}`)
  expect(enLine.replace(/^Error: /, '')).toMatch(en)
  expect(enLine).toContain(`: ${file()}`)
  expect(r.output).not.toMatch(/\n\s+at .*\(/)
  leaksNothing(r.output)
})

test('a saved certificate file that later goes missing is named at unlock time too', () => {
  const store = new ConnectionStore(f('config2'))
  fs.mkdirSync(f('config2'))
  fs.writeFileSync(store.file, JSON.stringify({ server: SERVER, token: TOKEN, tls: { ca: f('gone.pem') } }))
  const again = new ConnectionStore(f('config2'))
  expect(again.configured).toBe(true)
  expect(() => again.client()).toThrow(expect.objectContaining({ field: 'ca', zh: expect.stringMatching(`^CA 证书文件不存在：${f('gone.pem')}。`) }))
})
