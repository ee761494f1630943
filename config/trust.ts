/**
 * The trust anchor at build time (issue 10): reads the bureau's signing key from the campaign
 * configuration (campaign/campaign.json, or the file CAMPAIGN_FILE names) and defines it in the
 * app as the constant CLUE_TRUST (src/keys/anchor.ts); the app bundles that same file.
 *
 * The release build (`--mode release`, npm run release:weapp / release:h5: what goes to WeChat
 * review or to residents) refuses a campaign whose signing key or current encryption key is a
 * development key, or that lists a development key at all. Other builds (development, tests,
 * npm start) keep working with the development keys in keys/dev/.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Compiler } from 'webpack'
// JSON, not src/keys/development.ts: Taro loads this file with a loader that compiles config/ only.
import devKids from '../keys/dev/development-kids.json'

/** The named build mode of a release build. */
export const RELEASE_MODE = 'release'

export const CAMPAIGN_FILE = path.resolve(__dirname, '..', 'campaign', 'campaign.json')

/**
 * The campaign configuration a build takes: CAMPAIGN_FILE when set (the same variable the server
 * reads), else campaign/campaign.json. Its signing key becomes the anchor and the app bundles it.
 */
export function buildCampaignFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.CAMPAIGN_FILE ? path.resolve(env.CAMPAIGN_FILE) : CAMPAIGN_FILE
}

/**
 * Bundles `file` where the app imports campaign/campaign.json (src/domain/campaign.ts), so that
 * a build's bundled keys and its anchor come from the same configuration.
 */
export class CampaignFilePlugin {
  constructor(private readonly file: string) {}

  apply(compiler: Compiler): void {
    if (this.file === CAMPAIGN_FILE) return
    new compiler.webpack.NormalModuleReplacementPlugin(/[\\/]campaign[\\/]campaign\.json$/, this.file).apply(compiler)
  }
}

export interface BuildTrust {
  anchor: { kid: string; publicKey: string; development: boolean }
  release: boolean
}

export class BuildTrustError extends Error {
  constructor(
    readonly detail: string,
    file = 'campaign/campaign.json',
  ) {
    super(`${file}: ${detail}`)
    this.name = 'BuildTrustError'
  }
}

type Key = { kid?: unknown; publicKey?: unknown; current?: unknown; development?: unknown }

/** The same rule as the app's (src/keys/development.ts): flagged, or one of the repository's development kids. */
function isDevelopmentKey(key: Key): boolean {
  return key.development === true || key.kid === devKids.encryption || key.kid === devKids.signing
}

function checkKid(key: Key, what: string): { kid: string; publicKey: string } {
  const bytes = typeof key.publicKey === 'string' ? Buffer.from(key.publicKey, 'base64') : Buffer.alloc(0)
  if (bytes.length !== 32 || bytes.toString('base64') !== key.publicKey) throw new BuildTrustError(`${what}.publicKey is not 32 bytes of canonical base64`)
  const kid = createHash('sha256').update(bytes).digest().subarray(0, 8).toString('hex')
  if (key.kid !== kid) throw new BuildTrustError(`${what}.kid does not match its public key (expected ${kid})`)
  return { kid, publicKey: key.publicKey as string }
}

/** What the build defines, from a parsed campaign configuration; throws a BuildTrustError when refused. */
export function buildTrust(campaign: unknown, mode: string | undefined): BuildTrust {
  const release = mode === RELEASE_MODE
  const c = (campaign ?? {}) as { signingKey?: Key; keys?: Key[] }
  if (!c.signingKey || typeof c.signingKey !== 'object') {
    throw new BuildTrustError('"signingKey" is missing: the app needs the bureau\'s signing key (npm run bureau -- keygen --with-signing-key)')
  }
  const anchor = checkKid(c.signingKey, 'signingKey')
  const anchorIsDev = isDevelopmentKey({ kid: anchor.kid, development: c.signingKey.development })
  if (release) {
    if (anchorIsDev) {
      throw new BuildTrustError(`a release build refuses the development signing key ${anchor.kid} as its trust anchor: put the bureau's own "signingKey" in the campaign configuration`)
    }
    const keys = Array.isArray(c.keys) ? c.keys : []
    const current = keys.find((k) => k.current === true)
    if (!current) throw new BuildTrustError('no key is marked current')
    const dev = keys.filter(isDevelopmentKey)
    if (dev.includes(current)) {
      throw new BuildTrustError(`a release build refuses the development key ${String(current.kid)} as the current key: put the bureau's own key in "keys"`)
    }
    if (dev.length > 0) throw new BuildTrustError(`a release build refuses the development key ${dev.map((k) => String(k.kid)).join(', ')} in "keys"`)
    keys.forEach((k, i) => checkKid(k, `keys[${i}]`))
  }
  return { anchor: { ...anchor, development: anchorIsDev }, release }
}

/** The defineConstants entry for Taro (a JavaScript expression, as DefinePlugin wants). */
export function trustDefines(mode: string | undefined, file = CAMPAIGN_FILE): { CLUE_TRUST: string } {
  const campaign: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
  try {
    return { CLUE_TRUST: JSON.stringify(buildTrust(campaign, mode)) }
  } catch (e) {
    // Name the file the build was given.
    if (e instanceof BuildTrustError && file !== CAMPAIGN_FILE) throw new BuildTrustError(e.detail, file)
    throw e
  }
}
