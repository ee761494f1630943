/**
 * `bureau keygen --with-signing-key` and `bureau sign-keys`: the signing key file (protected like
 * the encryption key file), the signed list beside the campaign file with a growing sequence, and
 * every mistake refused before a list phones would refuse is written.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { checkKeyList } from '@/keys/accept'
import { DEV_KEY_KID, DEV_PUBLIC_KEY } from '../../server/src/envelope'
import { parseKeyListText, readSigningKeyFile, SIGNING_KEY_FILE_FORMAT, verifyKeyList } from '../../server/src/keylist'
import { makeTestEnv, type TestEnv } from '../server/helpers'
import { runInProcess } from './fixture'

const PASS = 'sign keys test passphrase'
const env = { BUREAU_KEY_PASSPHRASE: PASS }

let testEnv: TestEnv
let dir: string
let campaignFile: string
let signingFile: string
let made: string

const snippet = (out: string, name: string) => JSON.parse(new RegExp(`"${name}": (\\[[\\s\\S]*?\\n\\s*\\]|\\{[\\s\\S]*?\\n\\s*\\})`).exec(out)![1])
const listFile = () => path.join(dir, 'keys.signed.json')
const readList = () => parseKeyListText(fs.readFileSync(listFile(), 'utf8'))
const campaign = () => JSON.parse(fs.readFileSync(campaignFile, 'utf8'))
const sign = (...args: string[]) => runInProcess(['sign-keys', '--signing-key', signingFile, '--campaign', campaignFile, ...args], env)

beforeAll(async () => {
  testEnv = makeTestEnv()
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sign-keys-'))
  campaignFile = path.join(dir, 'campaign.json')
  fs.copyFileSync(testEnv.campaignFile, campaignFile)
  const r = await runInProcess(['keygen', '--out', dir, '--with-signing-key', '--campaign', campaignFile], env)
  expect(r.code).toBe(0)
  made = r.stdout
  const c = campaign()
  c.keys = snippet(made, 'keys')
  c.signingKey = snippet(made, 'signingKey')
  fs.writeFileSync(campaignFile, JSON.stringify(c, null, 2))
  signingFile = path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith('bureau-signing-'))!)
}, 120_000)

afterAll(() => {
  testEnv.cleanup()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('keygen --with-signing-key', () => {
  test('writes the signing key beside the encryption key, sealed the same way, and prints its "signingKey" entry', async () => {
    expect(fs.statSync(signingFile).mode & 0o777).toBe(0o600)
    const file = JSON.parse(fs.readFileSync(signingFile, 'utf8'))
    expect(file.format).toBe(SIGNING_KEY_FILE_FORMAT)
    expect(Object.keys(file).sort()).toEqual(['cipher', 'comment', 'encryptedPrivateKey', 'format', 'kdf', 'kid', 'publicKey'])
    expect(file.kdf).toMatchObject({ name: 'scrypt', N: 2 ** 17, r: 8, p: 1 })
    const pair = await readSigningKeyFile(signingFile, PASS)
    expect(snippet(made, 'signingKey')).toEqual({ kid: pair.kid, publicKey: pair.publicKey.toString('base64') })
    expect(path.basename(signingFile)).toBe(`bureau-signing-${pair.kid}.key.json`)
    await expect(readSigningKeyFile(signingFile, 'not the passphrase')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' })
    expect(made).toContain('sign-keys --signing-key')
    expect(made).toContain('release:weapp')
  })
})

describe('sign-keys', () => {
  test('signs the campaign keys into keys.signed.json beside it; phones (and node:crypto) accept it; the sequence grows', async () => {
    const first = await sign()
    expect(first.code).toBe(0)
    const list = readList()
    expect(list.sequence).toBe(1)
    expect(list.keys).toEqual(campaign().keys)
    const anchor = campaign().signingKey
    verifyKeyList(list, { kid: anchor.kid, publicKey: Buffer.from(anchor.publicKey, 'base64') })
    const trust = { anchor: { ...anchor, development: false }, release: true }
    expect(checkKeyList(JSON.parse(fs.readFileSync(listFile(), 'utf8')), { trust, floor: 0 }).sequence).toBe(1)
    expect(first.stdout).toMatch(/Sequence:\s+1/)
    expect(first.stdout).toContain(list.keys[0].kid.replace(/(.{4})(?=.)/g, '$1 '))

    const second = await sign()
    expect(second.code).toBe(0)
    expect(readList().sequence).toBe(2)
    expect(second.stdout).toContain('previous: 1')
    expect((await sign('--sequence', '10')).code).toBe(0)
    expect(readList().sequence).toBe(10)
  })

  test('refuses a sequence that does not grow, leaving the list as it was', async () => {
    const before = fs.readFileSync(listFile(), 'utf8')
    const r = await sign('--sequence', String(readList().sequence))
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('phones would refuse it')
    expect((await sign('--sequence', '-1')).code).toBe(2)
    expect(fs.readFileSync(listFile(), 'utf8')).toBe(before)
  })

  test('refuses a signing key that is not the campaign\'s anchor', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'other-signing-'))
    try {
      expect((await runInProcess(['keygen', '--out', other, '--with-signing-key', '--campaign', campaignFile], env)).code).toBe(0)
      const otherFile = path.join(other, fs.readdirSync(other).find((f) => f.startsWith('bureau-signing-'))!)
      const before = fs.readFileSync(listFile(), 'utf8')
      const r = await runInProcess(['sign-keys', '--signing-key', otherFile, '--campaign', campaignFile], env)
      expect(r.code).toBe(2)
      expect(r.stderr).toContain("is not the configuration's signingKey")
      expect(fs.readFileSync(listFile(), 'utf8')).toBe(before)
    } finally {
      fs.rmSync(other, { recursive: true, force: true })
    }
  })

  test('refuses to put the development key in a list signed by the bureau key', async () => {
    const c = campaign()
    const edited = path.join(dir, 'with-dev.json')
    fs.writeFileSync(edited, JSON.stringify({ ...c, keys: [...c.keys.map((k: object) => ({ ...k, current: false })), { kid: DEV_KEY_KID, publicKey: DEV_PUBLIC_KEY, current: true }] }))
    const r = await runInProcess(['sign-keys', '--signing-key', signingFile, '--campaign', edited, '--out', path.join(dir, 'dev-list.json')], env)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('still lists the development key 1a25be3e6b4b9a7b')
    expect(fs.existsSync(path.join(dir, 'dev-list.json'))).toBe(false)
  })

  test('refuses a previous list that does not verify (it cannot vouch for the sequence)', async () => {
    const tampered = path.join(dir, 'tampered.json')
    fs.writeFileSync(tampered, JSON.stringify({ ...readList(), sequence: 999 }))
    const r = await sign('--previous', tampered, '--out', path.join(dir, 'next.json'))
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('cannot be used')
    // With an explicit --sequence (the first list under a new signing key), it signs and says so.
    const forced = await sign('--previous', tampered, '--out', path.join(dir, 'next.json'), '--sequence', '1000')
    expect(forced.code).toBe(0)
    expect(forced.stderr).toContain('is not signed by this key')
    expect(parseKeyListText(fs.readFileSync(path.join(dir, 'next.json'), 'utf8')).sequence).toBe(1000)
  })

  test('a wrong passphrase or a missing option does nothing', async () => {
    const before = fs.readFileSync(listFile(), 'utf8')
    const wrong = await runInProcess(['sign-keys', '--signing-key', signingFile, '--campaign', campaignFile], { BUREAU_KEY_PASSPHRASE: 'wrong passphrase!' })
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain('Wrong passphrase')
    const missing = await runInProcess(['sign-keys', '--campaign', campaignFile], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--signing-key')
    expect(fs.readFileSync(listFile(), 'utf8')).toBe(before)
  })
})
