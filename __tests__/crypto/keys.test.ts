/** Bureau key pairs, passphrase-protected key files, and the bundled development key. */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DEV_KEY_FILE,
  DEV_KEY_KID,
  DEV_KEY_PASSPHRASE,
  DEV_PUBLIC_KEY,
  EnvelopeError,
  bureauKeyPairFromRaw,
  decodePrivateKeyFile,
  encodePrivateKeyFile,
  generateBureauKeyPair,
  isDevelopmentKid,
  kidOf,
  rawPrivateKey,
  readDevKey,
  readPrivateKeyFile,
  writePrivateKeyFile,
} from '../../server/src/envelope'
import { keyId } from '@/crypto'
import type { CampaignConfig } from '@/domain/types'
import { ROOT } from './helpers'

const FAST = { scryptLogN: 14 }
const PASS = 'correct horse battery 电池'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'envelope-keys-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

test('generateBureauKeyPair: a fresh X25519 pair with kid = first 8 bytes of SHA-256(B)', () => {
  const a = generateBureauKeyPair()
  const b = generateBureauKeyPair()
  expect(a.publicKey).toHaveLength(32)
  expect(a.kid).toMatch(/^[0-9a-f]{16}$/)
  expect(a.kid).toBe(createHash('sha256').update(a.publicKey).digest('hex').slice(0, 16))
  expect(kidOf(a.publicKey)).toBe(keyId(new Uint8Array(a.publicKey)))
  expect(a.publicKey.equals(b.publicKey)).toBe(false)
  expect(a.privateKey.asymmetricKeyType).toBe('x25519')
  expect(bureauKeyPairFromRaw(rawPrivateKey(a)).publicKey.equals(a.publicKey)).toBe(true)
})

test('write then read a key file', async () => {
  const pair = generateBureauKeyPair()
  const path = join(dir, 'bureau.key.json')
  await writePrivateKeyFile(path, pair, PASS, { ...FAST, comment: '市局 2023' })
  expect(statSync(path).mode & 0o777).toBe(0o600)
  const text = readFileSync(path, 'utf8')
  expect(text).not.toContain(rawPrivateKey(pair).toString('base64'))
  expect(JSON.parse(text)).toMatchObject({ format: 'clue-report/bureau-private-key@1', kid: pair.kid, publicKey: pair.publicKey.toString('base64'), comment: '市局 2023' })
  const read = await readPrivateKeyFile(path, PASS)
  expect(read.kid).toBe(pair.kid)
  expect(read.publicKey.equals(pair.publicKey)).toBe(true)
  expect(rawPrivateKey(read).equals(rawPrivateKey(pair))).toBe(true)
  // The passphrase is NFC-normalized: a decomposed spelling opens the file too.
  const pair2 = generateBureauKeyPair()
  const composed = await encodePrivateKeyFile(pair2, 'café passphrase', FAST)
  expect((await decodePrivateKeyFile(composed, 'cafe\u0301 passphrase')).kid).toBe(pair2.kid)
})

test('refuses to overwrite an existing key file', async () => {
  const path = join(dir, 'bureau.key.json')
  writeFileSync(path, 'existing')
  await expect(writePrivateKeyFile(path, generateBureauKeyPair(), PASS, FAST)).rejects.toThrow(/EEXIST/)
  expect(readFileSync(path, 'utf8')).toBe('existing')
})

test('wrong passphrase: BAD_PASSPHRASE', async () => {
  const text = await encodePrivateKeyFile(generateBureauKeyPair(), PASS, FAST)
  await expect(decodePrivateKeyFile(text, 'not the passphrase')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE', message: expect.stringMatching(/wrong passphrase/) })
  await expect(decodePrivateKeyFile(text, '')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' })
})

test('a passphrase that is too short, or a cost out of range, is refused when writing', async () => {
  await expect(encodePrivateKeyFile(generateBureauKeyPair(), 'short', FAST)).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' })
  await expect(encodePrivateKeyFile(generateBureauKeyPair(), PASS, { scryptLogN: 10 })).rejects.toThrow(RangeError)
})

describe('malformed key files: BAD_KEY_FILE (or BAD_PASSPHRASE when only the sealed part changed)', () => {
  let good: Record<string, unknown>
  let other: Record<string, unknown>
  beforeAll(async () => {
    good = JSON.parse(await encodePrivateKeyFile(generateBureauKeyPair(), PASS, FAST))
    other = JSON.parse(await encodePrivateKeyFile(generateBureauKeyPair(), PASS, FAST))
  })
  const kdf = () => good.kdf as Record<string, unknown>

  const cases: [string, () => unknown, string][] = [
    ['not JSON', () => '{"format":', 'BAD_KEY_FILE'],
    ['an array', () => [good], 'BAD_KEY_FILE'],
    ['another format', () => ({ ...good, format: 'clue-report/bureau-private-key@2' }), 'BAD_KEY_FILE'],
    ['a missing field', () => ({ ...good, kdf: undefined }), 'BAD_KEY_FILE'],
    ['an unknown field', () => ({ ...good, privateKey: 'x' }), 'BAD_KEY_FILE'],
    ['a kid that does not match the public key', () => ({ ...good, kid: other.kid }), 'BAD_KEY_FILE'],
    ['a public key of the wrong length', () => ({ ...good, publicKey: Buffer.alloc(31).toString('base64') }), 'BAD_KEY_FILE'],
    ['non-canonical base64', () => ({ ...good, publicKey: ` ${good.publicKey}` }), 'BAD_KEY_FILE'],
    ['scrypt N not a power of two', () => ({ ...good, kdf: { ...kdf(), N: 20000 } }), 'BAD_KEY_FILE'],
    ['scrypt N too large (memory exhaustion)', () => ({ ...good, kdf: { ...kdf(), N: 2 ** 24 } }), 'BAD_KEY_FILE'],
    ['scrypt N too small', () => ({ ...good, kdf: { ...kdf(), N: 1024 } }), 'BAD_KEY_FILE'],
    ['scrypt r changed', () => ({ ...good, kdf: { ...kdf(), r: 1 } }), 'BAD_KEY_FILE'],
    ['a short salt', () => ({ ...good, kdf: { ...kdf(), salt: Buffer.alloc(8).toString('base64') } }), 'BAD_KEY_FILE'],
    ['another cipher', () => ({ ...good, cipher: { name: 'aes-256-cbc', nonce: (good.cipher as { nonce: string }).nonce } }), 'BAD_KEY_FILE'],
    ['a truncated sealed key', () => ({ ...good, encryptedPrivateKey: Buffer.from(good.encryptedPrivateKey as string, 'base64').subarray(1).toString('base64') }), 'BAD_KEY_FILE'],
    // Swapping in another file's identity (kid + public key) breaks the GCM additional data.
    ['another key file identity', () => ({ ...good, kid: other.kid, publicKey: other.publicKey }), 'BAD_PASSPHRASE'],
    ['another salt', () => ({ ...good, kdf: other.kdf }), 'BAD_PASSPHRASE'],
    ['a sealed key from another file', () => ({ ...good, encryptedPrivateKey: other.encryptedPrivateKey }), 'BAD_PASSPHRASE'],
  ]
  test.each(cases)('%s', async (_why, make, code) => {
    const value = make()
    const text = typeof value === 'string' ? value : JSON.stringify(value)
    const failure = decodePrivateKeyFile(text, PASS)
    await expect(failure).rejects.toBeInstanceOf(EnvelopeError)
    await expect(failure).rejects.toMatchObject({ code })
  })

  test('a file too large to be a key file', async () => {
    const path = join(dir, 'huge.json')
    writeFileSync(path, ' '.repeat(100_000))
    await expect(readPrivateKeyFile(path, PASS)).rejects.toMatchObject({ code: 'BAD_KEY_FILE' })
  })
})

describe('the development key', () => {
  test('opens with its public passphrase and matches dev-key.ts', async () => {
    const key = await readDevKey()
    expect(key.kid).toBe(DEV_KEY_KID)
    expect(key.publicKey.toString('base64')).toBe(DEV_PUBLIC_KEY)
    expect(isDevelopmentKid(key.kid)).toBe(true)
    expect(isDevelopmentKid(generateBureauKeyPair().kid)).toBe(false)
    expect(DEV_KEY_PASSPHRASE).toBe('dev-only-not-secret')
    expect(readFileSync(DEV_KEY_FILE, 'utf8')).toMatch(/DEVELOPMENT KEY/)
  })

  test('is the current key of the bundled campaign.json, flagged as development', () => {
    const config: CampaignConfig = JSON.parse(readFileSync(join(ROOT, 'campaign', 'campaign.json'), 'utf8'))
    expect(config.keys).toEqual([{ kid: DEV_KEY_KID, publicKey: DEV_PUBLIC_KEY, current: true, development: true }])
    expect(keyId(new Uint8Array(Buffer.from(DEV_PUBLIC_KEY, 'base64')))).toBe(DEV_KEY_KID)
  })

  test('its README says loudly that it is for development only', () => {
    const readme = readFileSync(join(ROOT, 'keys', 'dev', 'README.md'), 'utf8')
    expect(readme).toMatch(/DEVELOPMENT KEY — FOR DEVELOPMENT AND TESTS ONLY — NOT SECRET/)
    expect(readme).toContain(DEV_KEY_PASSPHRASE)
    expect(readme).toContain(DEV_KEY_KID)
  })
})
