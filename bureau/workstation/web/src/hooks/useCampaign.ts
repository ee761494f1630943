/** Branch and category names (the notice's), read once per unlock from the local server. */
import { api } from '../api'
import { useLoad } from './useLoad'

export interface CampaignNames {
  branches: { code: string; name: string }[]
  categories: { code: string; name: string }[]
}

const NO_NAMES: CampaignNames = { branches: [], categories: [] }

export function useCampaign(): CampaignNames {
  const { data } = useLoad(() => api<CampaignNames>('/api/campaign'), [])
  return data ?? NO_NAMES
}

export function branchName(names: CampaignNames, code: string | null): string {
  if (!code) return '—'
  return names.branches.find((b) => b.code === code)?.name ?? `未知单位（${code}）`
}
