/**
 * The campaign configuration as the server uses it: validated at boot by the shared validator
 * (src/domain/campaign.ts), with the production rules on top, and served to clients with an ETag.
 */
import { createHash } from 'node:crypto'
import { campaignState, validateCampaignConfig } from '../../src/domain/campaign'
import type { BureauKey, CampaignConfig } from '../../src/domain/types'
import { DEV_PUBLIC_KEY, isDevelopmentKid, kidOf } from './envelope'

/**
 * Validates an untrusted campaign config (throws with every problem listed) and checks each kid
 * against its public key. In production, a key marked `development`, or the repository's
 * development key (keys/dev/) whatever its flags, is refused.
 */
export function checkCampaign(json: unknown, production: boolean): CampaignConfig {
  const config = validateCampaignConfig(json)
  for (const key of config.keys) {
    const kid = kidOf(Buffer.from(key.publicKey, 'base64'))
    if (kid !== key.kid) throw new Error(`keys: kid "${key.kid}" does not match its public key (expected "${kid}")`)
  }
  if (production) {
    const dev = config.keys.filter((k) => k.development === true || isDevelopmentKid(k.kid) || k.publicKey === DEV_PUBLIC_KEY)
    if (dev.length > 0) {
      throw new Error(
        `production mode refuses the development key${dev.length > 1 ? 's' : ''} ${dev.map((k) => `"${k.kid}"`).join(', ')}: ` +
          'generate the bureau key pair offline and list only its public key',
      )
    }
  }
  return config
}

/** The campaign config plus what the routes derive from it, computed once. */
export class Campaign {
  readonly config: CampaignConfig
  /** Strong ETag of the served JSON. */
  readonly etag: string
  private readonly keysByKid: Map<string, BureauKey>

  constructor(config: CampaignConfig) {
    this.config = config
    this.etag = `"${createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 32)}"`
    this.keysByKid = new Map(config.keys.map((k) => [k.kid, k]))
  }

  key(kid: string): BureauKey | undefined {
    return this.keysByKid.get(kid)
  }

  acceptingReports(now: Date): boolean {
    return campaignState(this.config.campaign, now).acceptingReports
  }
}
