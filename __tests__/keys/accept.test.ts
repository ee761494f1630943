/**
 * What the phone accepts as the bureau's key list (src/keys/accept.ts, store.ts): the rules one by
 * one, what is kept in storage, what happens to a refused list (logged, nothing shown), and that
 * the keys the app encrypts to never come from the server's campaign configuration.
 */
import Taro, { __reset } from '../mocks/taro'
import { bundledConfig } from '@/domain/campaign'
import { checkKeyList } from '@/keys/accept'
import { DEV_ENCRYPTION_KID } from '@/keys/development'
import { KeyListError, type KeyListRejection } from '@/keys/key-list'
import { acceptedKeySet, currentEncryptionKey, offerKeyList } from '@/keys/store'
import { readKey, writeKey } from '@/platform/storage'
import { currentCampaignConfig, rememberCampaignConfig } from '@/services/campaign-config'
import { errorLog } from '@/services/error-log'
import { refreshKeyList } from '@/services/key-list'
import { DEV_KEY_KID, DEV_PUBLIC_KEY, generateBureauKeyPair, type BureauKeyPair } from '../../server/src/envelope'
import { createHash, sign } from 'node:crypto'
import { generateSigningKeyPair, keyListMessage, KEY_LIST_FORMAT, signKeyList, type KeyListEntry, type SigningKeyPair } from '../../server/src/keylist'
import { buildAppWithAnchor, restoreDevelopmentBuild } from './support'

const bureau = generateSigningKeyPair()
const attacker = generateSigningKeyPair()
const k1 = generateBureauKeyPair()
const k2 = generateBureauKeyPair()
const evil = generateBureauKeyPair()

const entry = (k: BureauKeyPair, current: boolean): KeyListEntry => ({ kid: k.kid, publicKey: k.publicKey.toString('base64'), current })
const DEV_ENTRY: KeyListEntry = { kid: DEV_KEY_KID, publicKey: DEV_PUBLIC_KEY, current: true }

function signed(sequence: number, keys: KeyListEntry[], by: SigningKeyPair = bureau): any {
  return JSON.parse(JSON.stringify(signKeyList({ sequence, issuedAt: '2024-06-01T00:00:00Z', keys }, by)))
}

/** Signs whatever it is given (sign-keys would refuse): a bureau mistake the phone must still catch. */
function signedAnyway(sequence: number, keys: KeyListEntry[]): any {
  const unsigned = { format: KEY_LIST_FORMAT, sequence, issuedAt: '2024-06-01T00:00:00Z', signer: bureau.kid, keys } as const
  return { ...unsigned, signature: sign(null, keyListMessage(unsigned), bureau.privateKey).toString('base64') }
}

const trustOf = (release: boolean) => ({ anchor: { kid: bureau.kid, publicKey: bureau.publicKey.toString('base64'), development: false }, release })

function verdict(list: unknown, floor = 0, release = false): KeyListRejection | 'accepted' {
  try {
    checkKeyList(list, { trust: trustOf(release), floor })
    return 'accepted'
  } catch (e) {
    if (e instanceof KeyListError) return e.code
    throw e
  }
}

describe('the rules (checkKeyList)', () => {
  const good = signed(5, [entry(k2, true), entry(k1, false)])
  const { signature: _s, ...unsigned } = good
  const tampered = { ...good, keys: [entry(evil, true), entry(k1, false)] }
  const forgedSigner = { ...signed(5, [entry(evil, true)], attacker), signer: bureau.kid }
  const nonCanonical = { kid: '', publicKey: Buffer.alloc(32, 0xff).toString('base64'), current: true }

  test.each<[string, KeyListRejection | 'accepted', unknown, number, boolean]>([
    ['a list signed by the anchor', 'accepted', good, 0, false],
    ['the same sequence as the accepted one', 'accepted', good, 5, false],
    ['a newer list', 'accepted', signed(6, [entry(k2, true)]), 5, true],
    ['an unsigned list with an attacker key', 'MALFORMED', { ...unsigned, keys: [entry(evil, true)] }, 0, false],
    ['an empty signature', 'MALFORMED', { ...good, signature: '' }, 0, false],
    ['a list signed by another key (its own signer id)', 'WRONG_SIGNER', signed(9, [entry(evil, true)], attacker), 0, false],
    ['a list signed by another key claiming the anchor as signer', 'BAD_SIGNATURE', forgedSigner, 0, false],
    ['bytes changed after signing (current key swapped)', 'BAD_SIGNATURE', tampered, 0, false],
    ['bytes changed after signing (sequence raised)', 'BAD_SIGNATURE', { ...good, sequence: 99 }, 0, false],
    ['a valid signature but a lower sequence (rollback)', 'ROLLBACK', good, 6, false],
    ['a development current key in a release build', 'DEVELOPMENT_KEY', signed(7, [{ ...DEV_ENTRY, development: true }]), 0, true],
    ['the development key without its flag, in a release build', 'DEVELOPMENT_KEY', signed(7, [DEV_ENTRY]), 0, true],
    ['a development current key in a development build', 'accepted', signed(7, [DEV_ENTRY]), 0, false],
    ['a key whose kid does not match', 'BAD_KEY', signedAnyway(8, [{ ...entry(k1, true), kid: k2.kid }]), 0, false],
    ['two current keys', 'BAD_KEY', signedAnyway(8, [entry(k1, true), entry(k2, true)]), 0, false],
    ['garbage', 'MALFORMED', '<html>captive portal</html>', 0, false],
  ])('%s → %s', (_name, expected, list, floor, release) => {
    expect(verdict(list, floor, release)).toBe(expected)
  })

  test('a non-canonical point is refused even when the bureau signed it', () => {
    // The kid of the point itself, so that only the canonical check (§3) can refuse it.
    const kid = createHash('sha256').update(Buffer.from(nonCanonical.publicKey, 'base64')).digest().subarray(0, 8).toString('hex')
    const list = signedAnyway(8, [{ ...nonCanonical, kid }])
    expect(verdict(list)).toBe('BAD_KEY')
  })

  test('a build without an anchor accepts no served list', () => {
    expect(() => checkKeyList(good, { trust: undefined, floor: 0 })).toThrow(expect.objectContaining({ code: 'NO_ANCHOR' }))
  })
})

describe('the key store', () => {
  beforeEach(() => {
    __reset()
    buildAppWithAnchor(bureau)
  })
  afterAll(restoreDevelopmentBuild)

  test('a fresh phone uses the bundled list, which counts as sequence 0', () => {
    expect(acceptedKeySet()).toEqual({ source: 'bundled', sequence: 0, keys: bundledConfig.keys })
    expect(currentEncryptionKey()?.kid).toBe(DEV_ENCRYPTION_KID)
  })

  test('an accepted list is kept, and survives a restart of the app', () => {
    expect(offerKeyList(signed(3, [entry(k1, true)]))).toEqual({ accepted: true, sequence: 3, currentKid: k1.kid })
    buildAppWithAnchor(bureau) // forgets everything in memory
    expect(acceptedKeySet()).toMatchObject({ source: 'signed', sequence: 3 })
    expect(currentEncryptionKey()?.kid).toBe(k1.kid)
  })

  test('a refused list changes nothing, is logged, and shows the resident nothing', () => {
    offerKeyList(signed(3, [entry(k1, true)]))
    const results = [
      offerKeyList(signed(2, [entry(evil, true)])),
      offerKeyList(signed(4, [entry(evil, true)], attacker)),
      offerKeyList({ ...signed(4, [entry(k1, true)]), keys: [entry(evil, true)] }),
    ]
    expect(results.map((r) => (r.accepted ? 'accepted' : r.code))).toEqual(['ROLLBACK', 'WRONG_SIGNER', 'BAD_SIGNATURE'])
    expect(currentEncryptionKey()?.kid).toBe(k1.kid)
    expect(acceptedKeySet().sequence).toBe(3)
    expect(errorLog().map((e) => [e.event, e.detail.split(':')[0]])).toEqual([
      ['key-list-rejected', 'ROLLBACK'],
      ['key-list-rejected', 'WRONG_SIGNER'],
      ['key-list-rejected', 'BAD_SIGNATURE'],
    ])
    expect(Taro.showModal).not.toHaveBeenCalled()
    expect(Taro.showToast).not.toHaveBeenCalled()
  })

  test('a stored list altered on the phone is not used: back to the bundled keys', () => {
    offerKeyList(signed(3, [entry(k1, true)]))
    const stored = readKey('keys/accepted')!
    writeKey('keys/accepted', { ...stored, list: { ...(stored.list as object), keys: [entry(evil, true)] } })
    buildAppWithAnchor(bureau)
    expect(acceptedKeySet().source).toBe('bundled')
    expect(currentEncryptionKey()?.kid).toBe(DEV_ENCRYPTION_KID)
    expect(errorLog().at(-1)?.event).toBe('key-list-stored-invalid')
  })

  test('the error log keeps the last 30 entries', () => {
    for (let i = 0; i < 35; i++) offerKeyList({ junk: i })
    expect(errorLog()).toHaveLength(30)
  })

  test("the campaign configuration's keys are never the server's, and reports use the accepted list", () => {
    offerKeyList(signed(3, [entry(k1, true)]))
    const hostile = structuredClone(bundledConfig)
    hostile.keys = [entry(evil, true)]
    rememberCampaignConfig(hostile)
    expect(readKey('config/campaign')).toBeTruthy()
    // The configuration shown keeps the bundled keys (display only); encryption takes the signed list's.
    expect(currentCampaignConfig().keys).toEqual(bundledConfig.keys)
    writeKey('config/campaign', hostile)
    expect(currentCampaignConfig().keys.map((k) => k.kid)).not.toContain(evil.kid)
    expect(currentEncryptionKey()?.kid).toBe(k1.kid)
  })

  test('refreshKeyList: a server without a list is logged; no network is an error the caller retries', async () => {
    jest.mocked(Taro.request).mockImplementationOnce((() =>
      Promise.resolve({ statusCode: 404, data: { code: 'KEY_LIST_NOT_CONFIGURED', message: 'none' }, header: {} })) as any)
    await expect(refreshKeyList()).resolves.toMatchObject({ accepted: false, code: 'NOT_SERVED' })
    expect(errorLog().at(-1)?.event).toBe('key-list-unavailable')
    jest.mocked(Taro.request).mockImplementationOnce((() => Promise.reject({ errMsg: 'request:fail ENETUNREACH' })) as any)
    await expect(refreshKeyList()).rejects.toMatchObject({ kind: 'offline' })
    jest.mocked(Taro.request).mockImplementationOnce((() => Promise.resolve({ statusCode: 200, data: signed(4, [entry(k2, true)]), header: {} })) as any)
    await expect(refreshKeyList()).resolves.toEqual({ accepted: true, sequence: 4, currentKid: k2.kid })
    expect(currentEncryptionKey()?.kid).toBe(k2.kid)
  })
})
