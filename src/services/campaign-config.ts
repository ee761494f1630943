/**
 * The campaign configuration: categories, branch offices, period and the bureau's keys. The app
 * ships a copy so it works offline; a copy refreshed from the server replaces it once validated.
 * Its keys are never the server's: they are the bundled ones, for display only. Reports are
 * encrypted to the accepted signed key list (src/keys/store.ts, in the sending code), never to
 * what this returns; keeping the key check out of here keeps crypto out of H5's first load.
 */
import { bundledConfig, validateCampaignConfig } from '@/domain/campaign'
import type { CampaignConfig } from '@/domain/types'
import { readKey, writeKey } from '@/platform/storage'

function cachedOrBundled(): CampaignConfig {
  try {
    const cached = readKey('config/campaign')
    if (cached) return validateCampaignConfig(cached)
  } catch {
    // A damaged or outdated cached copy falls back to the bundled one.
  }
  return bundledConfig
}

export function currentCampaignConfig(): CampaignConfig {
  return { ...cachedOrBundled(), keys: bundledConfig.keys }
}

/** Keeps a configuration fetched from the server, only if it is valid. */
export function rememberCampaignConfig(json: unknown): CampaignConfig {
  const config = validateCampaignConfig(json)
  writeKey('config/campaign', config)
  return config
}
