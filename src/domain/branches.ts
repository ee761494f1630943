/**
 * Helpers over the configured branch offices. Contact details come only from the configuration
 * (which copies the notice); a missing address, postcode or phone stays missing.
 */
import type { BranchOffice, CampaignConfig } from './types'

export function findBranch(config: CampaignConfig, code: string | undefined | null): BranchOffice | undefined {
  if (!code) return undefined
  return config.branches.find((b) => b.code === code)
}

/** "(十四)大同市公安局御东分局扫黑办", or just the name when the notice gives no list number. */
export function branchDisplayName(branch: BranchOffice): string {
  return branch.listNumber ? `(${branch.listNumber})${branch.name}` : branch.name
}

/** The contact lines the notice gives for this office, in the notice's order; [] if it gives none. */
export function branchContactLines(branch: BranchOffice): string[] {
  const lines: string[] = []
  if (branch.address?.trim()) lines.push(`地址：${branch.address.trim()}`)
  if (branch.postcode?.trim()) lines.push(`邮编：${branch.postcode.trim()}`)
  if (branch.phone?.trim()) lines.push(`举报电话：${branch.phone.trim()}`)
  return lines
}

/** The phone number as digits for a dial API (e.g. "03527788110"), or undefined when none is given. */
export function dialablePhone(branch: BranchOffice): string | undefined {
  const digits = branch.phone?.replace(/[^0-9+]/g, '')
  return digits ? digits : undefined
}
