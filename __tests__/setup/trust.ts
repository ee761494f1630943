/**
 * What a development build defines as CLUE_TRUST (config/trust.ts, from campaign/campaign.json):
 * the development signing key as the trust anchor, not a release build. Tests that play a release
 * build or another anchor set globalThis.CLUE_TRUST themselves (see __tests__/keys/support.ts).
 */
import { buildTrust } from '../../config/trust'
import campaign from '../../campaign/campaign.json'

;(globalThis as { CLUE_TRUST?: unknown }).CLUE_TRUST = buildTrust(campaign, 'development')
