import { useMemo } from 'react'
import { currentCampaignConfig } from '@/services/campaign-config'

/** The campaign configuration in force (the server's latest copy, else the bundled one). */
export function useCampaignConfig() {
  return useMemo(() => currentCampaignConfig(), [])
}
