/**
 * Client certificates (mTLS) from the bureau's clients: the real server's bureau listener with
 * BUREAU_TLS_CERT/KEY and BUREAU_TLS_CLIENT_CA, certificates made here by openssl (a test CA, the
 * server's certificate for 127.0.0.1, a client certificate, and a second CA that signs nothing the
 * server trusts). The CLI (--ca, --client-cert, --client-key) and the workstation's connection
 * settings: with the client certificate accepted; without it, with one of another CA, or with the
 * wrong CA pinned, refused with a plain message.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ConnectionStore } from '../../bureau/workstation/server/connection'
import { RemoteError } from '../../bureau/remote'
import { Fixture, runCli, type Sent } from './fixture'

let dir: string
let fx: Fixture
let bureau: string
let token: string
let sent: Sent
const f = (name: string) => path.join(dir, name)

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
}

/** A CA (self-signed), and a certificate signed by it with the given extensions. */
function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
}
function makeCert(name: string, ca: string, ext: string): void {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`)
  fs.writeFileSync(f(`${name}.ext`), ext)
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`)
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-mtls-'))
  makeCa('bureau-ca')
  makeCa('other-ca')
  makeCert('server', 'bureau-ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
  makeCert('workstation', 'bureau-ca', 'extendedKeyUsage=clientAuth\n')
  makeCert('stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n')
  fx = await Fixture.start({ serverEnv: { BUREAU_TLS_CERT: f('server.pem'), BUREAU_TLS_KEY: f('server.key'), BUREAU_TLS_CLIENT_CA: f('bureau-ca.pem') } })
  bureau = fx.server.bureauUrl!
  expect(bureau).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
  sent = await fx.send({ category: 'loan', branch: 'yd', description: 'mTLS 测试' })
  const r = await runCli(['token', 'create', '--name', '证书工作站', '--data', fx.dataDir, '--campaign', fx.env.campaignFile])
  token = /cw1_[A-Za-z0-9_-]{43}/.exec(r.stdout)![0]
}, 90000)

afterAll(async () => {
  await fx?.stop()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

const list = (...tls: string[]) => runCli(['list', '--json', '--server', bureau, ...tls], { BUREAU_TOKEN: token })
const plain = (stderr: string) => expect(stderr).not.toMatch(/内部错误|\n\s+at .*\(/)

test('CLI: the pinned CA and the client certificate are accepted', async () => {
  const r = await list('--ca', f('bureau-ca.pem'), '--client-cert', f('workstation.pem'), '--client-key', f('workstation.key'))
  expect(r.code).toBe(0)
  expect(JSON.parse(r.stdout).map((x: { id: string }) => x.id)).toEqual([sent.id])
}, 60000)

test('CLI: without a client certificate, or with one from another CA, the server refuses the connection', async () => {
  for (const tls of [['--ca', f('bureau-ca.pem')], ['--ca', f('bureau-ca.pem'), '--client-cert', f('stranger.pem'), '--client-key', f('stranger.key')]]) {
    const r = await list(...tls)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/要求有效的客户端证书（mTLS）/)
    expect(r.stdout).not.toContain(sent.id)
    plain(r.stderr)
  }
}, 90000)

test('CLI: a server certificate not signed by the pinned CA (or with no CA given) is refused before the token is sent', async () => {
  for (const ca of [['--ca', f('other-ca.pem')], []]) {
    const r = await list(...ca, '--client-cert', f('workstation.pem'), '--client-key', f('workstation.key'))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/无法验证举报服务器.*的证书/)
    plain(r.stderr)
  }
  // Half a pair, a missing file, or certificates for http:// are usage errors.
  expect((await list('--ca', f('bureau-ca.pem'), '--client-cert', f('workstation.pem'))).stderr).toMatch(/要一起给出/)
  expect((await list('--ca', f('nope.pem'))).stderr).toMatch(/CA 证书文件（--ca）不存在：/)
  expect((await runCli(['list', '--server', 'http://127.0.0.1:1', '--ca', f('bureau-ca.pem')], { BUREAU_TOKEN: token })).stderr).toMatch(/只用于 https/)
}, 120000)

test('workstation: the connection settings take the certificate files, are saved, and refuse a missing client certificate', async () => {
  const config = path.join(dir, 'ws-config')
  const store = new ConnectionStore(config)
  await expect(store.configure(bureau, token, { ca: f('bureau-ca.pem') })).rejects.toMatchObject({ code: 'TLS', zh: expect.stringMatching(/客户端证书/) })
  await expect(store.configure(bureau, token, { ca: f('other-ca.pem'), clientCert: f('workstation.pem'), clientKey: f('workstation.key') })).rejects.toBeInstanceOf(RemoteError)
  await expect(store.configure(bureau, token, { ca: 'relative.pem' })).rejects.toMatchObject({ code: 'TLS' })
  expect(store.configured).toBe(false)
  const info = await store.configure(bureau, token, { ca: f('bureau-ca.pem'), clientCert: f('workstation.pem'), clientKey: f('workstation.key') })
  expect(info.name).toBe('证书工作站')
  // A restarted workstation reads the saved paths and connects with them.
  const again = new ConnectionStore(config)
  expect(again.tls).toEqual({ ca: f('bureau-ca.pem'), clientCert: f('workstation.pem'), clientKey: f('workstation.key') })
  expect((await again.check()).name).toBe('证书工作站')
  const cases = (await again.client().json('/bureau/v1/cases')) as { cases: { id: string }[] }
  expect(cases.cases.map((c) => c.id)).toEqual([sent.id])
}, 30000)
