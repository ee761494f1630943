/**
 * The trust anchor at build time (config/trust.ts): what a build defines as CLUE_TRUST, and the
 * release build mode refusing development keys — as a function, and through the real Taro CLI.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { buildTrust, BuildTrustError, trustDefines } from '../../config/trust'
import { DEV_KEY_KID, DEV_PUBLIC_KEY, generateBureauKeyPair } from '../../server/src/envelope'
import { generateSigningKeyPair } from '../../server/src/keylist'

const ROOT = path.resolve(__dirname, '..', '..')
const repoCampaign = JSON.parse(fs.readFileSync(path.join(ROOT, 'campaign', 'campaign.json'), 'utf8'))
const signing = generateSigningKeyPair()
const key = generateBureauKeyPair()
const anchor = { kid: signing.kid, publicKey: signing.publicKey.toString('base64') }
const bureauKey = { kid: key.kid, publicKey: key.publicKey.toString('base64'), current: true }
const DEV_KEY = { kid: DEV_KEY_KID, publicKey: DEV_PUBLIC_KEY, current: true, development: true }
const bureauCampaign = { ...repoCampaign, signingKey: anchor, keys: [bureauKey] }

describe('buildTrust', () => {
  test('a development build of the repository campaign trusts the development signing key', () => {
    expect(buildTrust(repoCampaign, 'development')).toEqual({ anchor: { ...repoCampaign.signingKey, development: true }, release: false })
    expect(buildTrust(repoCampaign, 'production').release).toBe(false)
    expect(JSON.parse(trustDefines('development').CLUE_TRUST)).toEqual(buildTrust(repoCampaign, 'development'))
  })

  test('a release build of a campaign with only bureau keys', () => {
    expect(buildTrust(bureauCampaign, 'release')).toEqual({ anchor: { ...anchor, development: false }, release: true })
  })

  test.each<[string, object, RegExp]>([
    ['the repository campaign (development anchor and key)', repoCampaign, /refuses the development signing key 60a745a23efcdaeb/],
    ['the development signing key without its flag', { ...bureauCampaign, signingKey: { kid: repoCampaign.signingKey.kid, publicKey: repoCampaign.signingKey.publicKey } }, /refuses the development signing key/],
    ['a signing key flagged development', { ...bureauCampaign, signingKey: { ...anchor, development: true } }, /refuses the development signing key/],
    ['the development key as the current key', { ...bureauCampaign, keys: [DEV_KEY] }, /refuses the development key 1a25be3e6b4b9a7b as the current key/],
    ['the development key, unflagged, as the current key', { ...bureauCampaign, keys: [{ ...DEV_KEY, development: undefined }] }, /as the current key/],
    ['the development key listed beside the bureau key', { ...bureauCampaign, keys: [bureauKey, { ...DEV_KEY, current: false }] }, /refuses the development key 1a25be3e6b4b9a7b in "keys"/],
  ])('a release build refuses %s', (_name, campaign, message) => {
    expect(() => buildTrust(campaign, 'release')).toThrow(BuildTrustError)
    expect(() => buildTrust(campaign, 'release')).toThrow(message)
    expect(() => buildTrust(campaign, 'development')).not.toThrow()
  })

  test('any build refuses a missing anchor or one whose kid does not match', () => {
    const { signingKey: _s, ...none } = bureauCampaign
    expect(() => buildTrust(none, 'development')).toThrow(/"signingKey" is missing/)
    expect(() => buildTrust({ ...bureauCampaign, signingKey: { ...anchor, kid: '0123456789abcdef' } }, 'development')).toThrow(/signingKey.kid does not match/)
  })
})

describe('taro build --mode release (npm run release:weapp)', () => {
  test('stops before compiling when the campaign holds the development keys', () => {
    const taro = path.join(ROOT, 'node_modules', '.bin', 'taro')
    const res = spawnSync(taro, ['build', '--type', 'weapp', '--mode', 'release'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TARO_ENV: 'weapp' },
      timeout: 60000,
    })
    expect(res.status).not.toBe(0)
    expect(`${res.stdout}${res.stderr}`).toContain('a release build refuses the development signing key 60a745a23efcdaeb')
    expect(`${res.stdout}${res.stderr}`).not.toMatch(/Compiled successfully|编译成功/)
  }, 90000)
})
