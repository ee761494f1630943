/**
 * The campaign configuration as the server uses it: validated at boot by the shared validator
 * (src/domain/campaign.ts), with the production rules on top, and served to clients with an ETag.
 */
import { createHash } from 'node:crypto'
import { campaignState, validateCampaignConfig } from '../../src/domain/campaign'
import type { BureauKey, CampaignConfig } from '../../src/domain/types'
import { DEV_PUBLIC_KEY, isDevelopmentKid, kidOf } from './envelope'
import type { ServedKeyList } from './key-list-file'
import { isDevelopmentSigner } from './keylist'

/**
 * Validates an untrusted campaign config (throws with every problem listed) and checks each kid
 * against its public key. In production, a key marked `development`, or the repository's
 * development key (keys/dev/) whatever its flags, is refused, and so is a missing or development
 * signing key (the anchor the key list is checked against).
 */
export function checkCampaign(json: unknown, production: boolean): CampaignConfig {
  const config = validateCampaignConfig(json)
  for (const key of config.keys) {
    const kid = kidOf(Buffer.from(key.publicKey, 'base64'))
    if (kid !== key.kid) throw new Error(`keys: kid "${key.kid}" does not match its public key (expected "${kid}")`)
  }
  const anchor = config.signingKey
  if (anchor) {
    const kid = kidOf(Buffer.from(anchor.publicKey, 'base64'))
    if (kid !== anchor.kid) throw new Error(`signingKey: kid "${anchor.kid}" does not match its public key (expected "${kid}")`)
  }
  if (production) {
    const problems: string[] = []
    const dev = config.keys.filter((k) => k.development === true || isDevelopmentKid(k.kid) || k.publicKey === DEV_PUBLIC_KEY)
    if (dev.length > 0) {
      problems.push(
        `production mode refuses the development key${dev.length > 1 ? 's' : ''} ${dev.map((k) => `"${k.kid}"`).join(', ')}: ` +
          'generate the bureau key pair offline and list only its public key',
      )
    }
    if (!anchor) {
      problems.push('production mode needs "signingKey", the bureau\'s signing key (npm run bureau -- keygen --with-signing-key)')
    } else if (anchor.development === true || isDevelopmentSigner(anchor.kid)) {
      problems.push(`production mode refuses the development signing key "${anchor.kid}": generate the bureau's signing key offline (keygen --with-signing-key)`)
    }
    if (problems.length > 0) throw new Error(problems.join('; '))
  }
  return config
}

/**
 * The campaign config plus what the routes derive from it, computed once. With a signed key list,
 * its keys are the ones the server takes reports for (and lists in the served config).
 */
export class Campaign {
  readonly config: CampaignConfig
  /** Strong ETag of the served JSON. */
  readonly etag: string
  readonly keyList?: ServedKeyList
  private readonly keysByKid: Map<string, BureauKey>

  constructor(config: CampaignConfig, keyList?: ServedKeyList) {
    this.config = keyList?.list ? { ...config, keys: keyList.list.keys } : config
    this.keyList = keyList
    this.etag = `"${createHash('sha256').update(JSON.stringify(this.config)).digest('hex').slice(0, 32)}"`
    this.keysByKid = new Map(this.config.keys.map((k) => [k.kid, k]))
  }

  key(kid: string): BureauKey | undefined {
    return this.keysByKid.get(kid)
  }

  acceptingReports(now: Date): boolean {
    return campaignState(this.config.campaign, now).acceptingReports
  }
}
