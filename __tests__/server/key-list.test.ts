/**
 * The server's side of the signed key list: in production it refuses to boot with a list that
 * phones would refuse, saying which problem; it serves the list byte for byte (GET /api/v1/keys)
 * and takes reports only for the list's keys; SIGHUP picks up a new list.
 */
import fs from 'node:fs'
import path from 'node:path'
import { DEV_KEY_KID, DEV_PUBLIC_KEY, generateBureauKeyPair } from '../../server/src/envelope'
import { formatKeyList, generateSigningKeyPair, signKeyList, verifyKeyList, parseKeyListText } from '../../server/src/keylist'
import {
  entryOf, idempotencyKey, makeTestEnv, request, runMain, seal, startServer, submissionBody, writeSignedKeyList, type RunningServer, type TestEnv,
} from './helpers'

let env: TestEnv
beforeAll(() => {
  env = makeTestEnv()
})
afterAll(() => env.cleanup())

let files = 0
function file(name: string, text: string): string {
  const p = path.join(env.dir, `${++files}-${name}`)
  fs.writeFileSync(p, text)
  return p
}

const boot = (keysFile: string, extra: string[] = [], vars: Record<string, string> = {}) =>
  runMain(['--data', env.dataDir, '--campaign', env.campaignFile, '--keys', keysFile, '--port', '0', ...extra], { NODE_ENV: 'production', ...vars })

describe('production boot refuses a key list phones would refuse, and says which problem', () => {
  const signed = (keys = [entryOf(env.key, true)], by = env.signing, sequence = 2) => formatKeyList(signKeyList({ sequence, issuedAt: '2024-06-01T00:00:00Z', keys }, by))

  test.each<[string, () => string, RegExp]>([
    ['a list signed by another key', () => file('other.json', signed(undefined, generateSigningKeyPair())), /signed by [0-9a-f]{16}, not by the configured signing key/],
    ['bytes changed after signing', () => {
      const list = JSON.parse(signed())
      list.keys = [entryOf(generateBureauKeyPair(), true)]
      return file('tampered.json', JSON.stringify(list))
    }, /signature does not verify under the configured signing key/],
    ['an unsigned list', () => {
      const { signature: _s, ...rest } = JSON.parse(signed())
      return file('unsigned.json', JSON.stringify(rest))
    }, /refused in production: malformed key list: the list lacks "signature"/],
    ['a development current key (flagged)', () => file('dev.json', formatKeyList({ ...signKeyList({ sequence: 2, issuedAt: '2024-06-01T00:00:00Z', keys: [{ kid: DEV_KEY_KID, publicKey: DEV_PUBLIC_KEY, current: true, development: true }] }, env.signing) })), /current key 1a25be3e6b4b9a7b is a development key/],
    ['the development key without its flag', () => file('dev2.json', signed([{ kid: DEV_KEY_KID, publicKey: DEV_PUBLIC_KEY, current: true }])), /current key 1a25be3e6b4b9a7b is a development key/],
    ['no list at all', () => path.join(env.dir, 'missing.json'), /production mode needs the signed key list .*sign-keys/],
    ['a file that is not JSON', () => file('html.json', '<html>'), /is not JSON/],
  ])('%s', async (_name, make, message) => {
    const res = await boot(make())
    expect(res.code).toBe(2)
    expect(res.output).toMatch(/^Configuration error: /)
    expect(res.output).toMatch(message)
  })

  test('a list signed by the configured signing key boots in production', async () => {
    const keysFile = file('good.json', signed())
    const server = await startServer(env, { args: ['--keys', keysFile, '--production'], env: { NODE_ENV: 'production' } })
    try {
      expect(server.output()).toContain('(production)')
      expect(server.output()).toMatch(/key list: .* \(sequence 2, current key [0-9a-f]{16}\)/)
    } finally {
      await server.stop()
    }
  })
})

describe('serving the list', () => {
  let server: RunningServer
  const other = generateBureauKeyPair()
  let keysFile: string

  beforeAll(async () => {
    keysFile = path.join(env.dir, 'served.json')
    writeSignedKeyList(keysFile, env.signing, 3, [entryOf(other, true), entryOf(env.key, false)])
    server = await startServer(env, { args: ['--keys', keysFile] })
  })
  afterAll(() => server.stop())

  test('GET /api/v1/keys answers the file byte for byte, with an ETag and 304', async () => {
    const res = await request(server.url, '/api/v1/keys')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.text).toBe(fs.readFileSync(keysFile, 'utf8'))
    expect(res.headers['cache-control']).toBe('no-cache')
    verifyKeyList(parseKeyListText(res.text), { kid: env.signing.kid, publicKey: env.signing.publicKey })
    const again = await request(server.url, '/api/v1/keys', { headers: { 'if-none-match': res.headers.etag as string } })
    expect(again.status).toBe(304)
  })

  test("reports are taken for the list's keys, not for others", async () => {
    const make = (key: typeof other) => request(server.url, '/api/v1/submissions', { method: 'POST', body: submissionBody(seal(key, { n: 1 }), idempotencyKey()) })
    expect((await make(other)).status).toBe(201)
    expect((await make(env.key)).status).toBe(201)
    const unknown = await make(generateBureauKeyPair())
    expect(unknown.status).toBe(400)
    expect(unknown.json.code).toBe('UNKNOWN_KID')
    // The served configuration lists the same keys as the list.
    const config = await request(server.url, '/api/v1/config')
    expect(config.json.keys.map((k: { kid: string }) => k.kid)).toEqual([other.kid, env.key.kid])
  })

  test('SIGHUP picks up a newly signed list', async () => {
    const next = generateBureauKeyPair()
    writeSignedKeyList(keysFile, env.signing, 4, [entryOf(next, true)])
    server.child.kill('SIGHUP')
    const deadline = Date.now() + 10000
    let sequence = 3
    while (sequence !== 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
      sequence = JSON.parse((await request(server.url, '/api/v1/keys')).text).sequence
    }
    expect(sequence).toBe(4)
    expect(server.output()).toContain('key list reloaded (key list sequence 4)')
  })
})

describe('development mode', () => {
  test('without a list: 404 KEY_LIST_NOT_CONFIGURED, and a warning at boot', async () => {
    const server = await startServer(env, { args: ['--keys', path.join(env.dir, 'none.json')] })
    try {
      const res = await request(server.url, '/api/v1/keys')
      expect(res.status).toBe(404)
      expect(res.json.code).toBe('KEY_LIST_NOT_CONFIGURED')
      expect(server.output()).toContain('WARNING: no signed key list')
    } finally {
      await server.stop()
    }
  })

  test('a list phones would refuse is still served (tests play hostile servers), with a warning', async () => {
    const bad = file('bad.json', formatKeyList(signKeyList({ sequence: 9, issuedAt: '2024-06-01T00:00:00Z', keys: [entryOf(generateBureauKeyPair(), true)] }, generateSigningKeyPair())))
    const server = await startServer(env, { args: ['--keys', bad] })
    try {
      expect(server.output()).toMatch(/WARNING: phones will refuse this key list: the key list is signed by/)
      expect((await request(server.url, '/api/v1/keys')).text).toBe(fs.readFileSync(bad, 'utf8'))
    } finally {
      await server.stop()
    }
  })

  test('the repository ships a development list signed by the development signing key, listing the campaign keys', () => {
    const root = path.resolve(__dirname, '..', '..')
    const campaign = JSON.parse(fs.readFileSync(path.join(root, 'campaign', 'campaign.json'), 'utf8'))
    const list = parseKeyListText(fs.readFileSync(path.join(root, 'campaign', 'keys.signed.json'), 'utf8'))
    verifyKeyList(list, { kid: campaign.signingKey.kid, publicKey: Buffer.from(campaign.signingKey.publicKey, 'base64') })
    expect(list.keys).toEqual(campaign.keys)
    const readme = fs.readFileSync(path.join(root, 'keys', 'dev', 'README.md'), 'utf8')
    expect(readme).toContain(campaign.signingKey.kid)
    expect(readme).toContain('anyone can sign')
  })
})
