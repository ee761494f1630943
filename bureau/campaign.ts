/** The campaign configuration for the bureau tools, read and checked exactly as the server does. */
import { ConfigError, loadCampaign } from '../server/src/config'
import type { CampaignConfig } from '../src/domain/types'
import { CliError } from './errors'

export function readCampaign(file: string): CampaignConfig {
  try {
    return loadCampaign(file, false)
  } catch (e) {
    const message = e instanceof ConfigError ? e.message : String((e as Error)?.message ?? e)
    throw new CliError(`活动配置文件有问题：${message}\n（用 --campaign 指定正确的文件）`, `Campaign configuration problem: ${message}\n(use --campaign with the right file)`)
  }
}
