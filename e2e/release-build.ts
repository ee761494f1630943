/**
 * A release build of the H5 app for a test bureau, so that a production server can be tested end
 * to end: a fresh signing key (the trust anchor) and encryption key, a campaign configuration that
 * names them, and `taro build --type h5 --mode release` (what npm run release:h5 runs) made from it
 * with CAMPAIGN_FILE and H5_DIR. Its built-in anchor is this signing key, not the development one,
 * and the release mode refuses development keys as it does for the bureau.
 *
 * One build (1–2 minutes here) serves every test that needs it: it is kept in dist/e2e-release
 * with its signing key and made again only when it is older than the app's sources.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { generateBureauKeyPair, type BureauKeyPair } from '../server/src/envelope'
import { generateSigningKeyPair, readSigningKeyFile, writeSigningKeyFile, type SigningKeyPair } from '../server/src/keylist'
import { ROOT } from './harness'

const DIR = path.join(ROOT, 'dist', 'e2e-release')
const SIGNING_KEY_FILE = path.join(DIR, 'signing.key.json')
/** A throwaway key of this test build; the passphrase only satisfies the key file format. */
const PASSPHRASE = 'e2e release build test key'
/** What the build is made from; a change to any of them makes it again. */
const SOURCES = ['src', 'config', 'campaign', 'package-lock.json', 'babel.config.js', 'tsconfig.json', __filename]

export interface ReleaseBuild {
  /** The H5 build (serve it with --h5). */
  h5Dir: string
  /** The campaign configuration the app was built from (signingKey + the bundled key). */
  campaignFile: string
  campaign: Record<string, any>
  /** The test bureau's signing key: the anchor built into the app. */
  signing: SigningKeyPair
}

function newest(p: string): number {
  if (!fs.existsSync(p)) return 0
  const s = fs.statSync(p)
  if (!s.isDirectory()) return s.mtimeMs
  return Math.max(0, ...fs.readdirSync(p).map((n) => newest(path.join(p, n))))
}

function isFresh(marker: string): boolean {
  return fs.existsSync(marker) && fs.existsSync(SIGNING_KEY_FILE) && fs.statSync(marker).mtimeMs >= Math.max(...SOURCES.map((p) => newest(path.isAbsolute(p) ? p : path.join(ROOT, p))))
}

function runBuild(env: Record<string, string>, log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(log, 'w')
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'taro'), ['build', '--type', 'h5', '--mode', 'release'], {
      cwd: ROOT,
      // NODE_ENV as a shell's `npm run release:h5` has it (jest sets "test").
      env: { ...process.env, NODE_ENV: 'production', ...env },
      stdio: ['ignore', out, out],
    })
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      fs.closeSync(out)
      if (code === 0) return resolve()
      const tail = fs.readFileSync(log, 'utf8').split('\n').slice(-40).join('\n')
      reject(new Error(`taro build --type h5 --mode release failed (${code ?? signal}); ${log}:\n${tail}`))
    })
  })
}

/** The release build, made now unless the one in dist/e2e-release is newer than its sources. */
export async function releaseBuild(): Promise<ReleaseBuild> {
  const h5Dir = path.join(DIR, 'h5')
  const campaignFile = path.join(DIR, 'campaign.json')
  const marker = path.join(h5Dir, 'index.html')
  if (!isFresh(marker)) {
    fs.rmSync(DIR, { recursive: true, force: true })
    fs.mkdirSync(DIR, { recursive: true })
    const signing = generateSigningKeyPair()
    const bundled: BureauKeyPair = generateBureauKeyPair()
    const campaign = JSON.parse(fs.readFileSync(path.join(ROOT, 'campaign', 'campaign.json'), 'utf8'))
    campaign.signingKey = { kid: signing.kid, publicKey: signing.publicKey.toString('base64') }
    campaign.keys = [{ kid: bundled.kid, publicKey: bundled.publicKey.toString('base64'), current: true }]
    // Reports stay open whatever the date the tests run on.
    campaign.campaign.acceptAfterEnd = true
    fs.writeFileSync(campaignFile, `${JSON.stringify(campaign, null, 2)}\n`)
    await runBuild({ CAMPAIGN_FILE: campaignFile, H5_DIR: h5Dir }, path.join(DIR, 'build.log'))
    if (!fs.existsSync(marker)) throw new Error(`the release build wrote no ${marker}`)
    // Written last: a build that did not finish leaves no key, and is made again next time.
    await writeSigningKeyFile(SIGNING_KEY_FILE, signing, PASSPHRASE)
  }
  return {
    h5Dir,
    campaignFile,
    campaign: JSON.parse(fs.readFileSync(campaignFile, 'utf8')),
    signing: await readSigningKeyFile(SIGNING_KEY_FILE, PASSPHRASE),
  }
}
