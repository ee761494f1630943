/**
 * Command-line options (node:util parseArgs, strict), with the options every command shares.
 */
import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { CliError } from './errors'

/** The repository root (bureau/ → ..), for defaults that do not depend on the working directory. */
const REPO_ROOT = path.resolve(__dirname, '..')

type Options = NonNullable<ParseArgsConfig['options']>

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
}

/** Parses `argv` for `command`; unknown or malformed options become a CliError with a hint. */
export function parse(command: string, argv: string[], options: Options, allowPositionals = false): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals })
    return { values: values as Parsed['values'], positionals }
  } catch (e) {
    const message = (e as Error).message
    throw new CliError(
      `命令参数有误：${message}\n运行 npm run bureau -- ${command} --help 查看用法。`,
      `${message}\nRun npm run bureau -- ${command} --help for usage.`,
    )
  }
}

/** The data directory: --data, else DATA_DIR, else ./data (the server's own default). */
export function dataDirOf(values: Parsed['values'], env: NodeJS.ProcessEnv): string {
  const raw = (values.data as string | undefined) ?? env.DATA_DIR ?? 'data'
  return path.resolve(raw)
}

/** The campaign file: --campaign, else CAMPAIGN_FILE, else campaign/campaign.json of this repository. */
export function campaignFileOf(values: Parsed['values'], env: NodeJS.ProcessEnv): string {
  const raw = (values.campaign as string | undefined) ?? env.CAMPAIGN_FILE ?? path.join(REPO_ROOT, 'campaign', 'campaign.json')
  return path.resolve(raw)
}

/** A required string option. */
export function required(command: string, values: Parsed['values'], name: string, zhWhat: string): string {
  const v = values[name]
  if (typeof v !== 'string' || v.trim() === '') {
    throw new CliError(
      `缺少 --${name}（${zhWhat}）。运行 npm run bureau -- ${command} --help 查看用法。`,
      `Missing --${name}. Run npm run bureau -- ${command} --help for usage.`,
    )
  }
  return v
}

export const DATA_OPTION = { data: { type: 'string' } } as const
export const CAMPAIGN_OPTION = { campaign: { type: 'string' } } as const

export const DATA_HELP = `  --data DIR          服务器的数据目录（默认 ./data，与服务器相同；也可用环境变量 DATA_DIR）
                      the server's data directory (default ./data, as the server; or DATA_DIR)`
export const CAMPAIGN_HELP = `  --campaign FILE     活动配置文件（默认 campaign/campaign.json；也可用 CAMPAIGN_FILE）
                      the campaign configuration (default campaign/campaign.json; or CAMPAIGN_FILE)`
