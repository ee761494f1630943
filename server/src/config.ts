/**
 * Server configuration from command-line flags and environment, validated at boot. Anything wrong
 * throws a ConfigError whose message says what to fix; main.ts prints it and exits with status 2.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { CampaignConfig } from '../../src/domain/types'
import { checkCampaign } from './campaign'
import { TrustProxyError, parseTrustProxy } from './http/client-address'
import { parseCaseLimits, type CaseLimits } from './case/limits'
import { parseOperationalLimits, type OperationalLimits } from './operations'

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** The repository root (server/src/ → ../..), for defaults that do not depend on the cwd. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..')

export interface ServerConfig {
  host: string
  port: number
  /** Holds the SQLite database, the blob files and the receipt salt. */
  dataDir: string
  campaignFile: string
  /** The signed key list served at GET /api/v1/keys (docs/protocol.md §15). */
  keysFile: string
  /** The H5 build served at `/`. */
  h5Dir: string
  production: boolean
  /** Per-client rate limiting (in memory). Only the benchmark turns it off. */
  rateLimit: boolean
  /** Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed; false = none. */
  trustProxy: string[] | false
  /** Timeouts, connection caps, storage reserve and caps, hashing queue (server/src/operations.ts). */
  limits: OperationalLimits
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Minimum time a status lookup takes, hit or miss, so timing tells nothing. */
  statusMinMs: number
  /** postgres://… (DATABASE_URL): PostgreSQL shared by several instances; absent = embedded SQLite. */
  databaseUrl?: string
  /** PostgreSQL connections per instance (PG_POOL_MAX). */
  poolMax: number
  /** Case channel limits (CASE_* variables, server/src/case/limits.ts). */
  caseLimits: CaseLimits
  /** The bureau API's own listener (server/src/bureau-api), or null when switched off. */
  bureau: BureauListenerConfig | null
}

export interface BureauListenerConfig {
  host: string
  port: number
  /** PEM files: TLS certificate and key, and the CA of accepted client certificates (mTLS). */
  tls?: { certFile: string; keyFile: string; clientCaFile?: string }
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/

/** The bureau listener from flags and environment; see docs/bureau-api.md. */
function parseBureauListener(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv, publicPort: number, production: boolean): BureauListenerConfig | null {
  const portRaw = (values['bureau-port'] as string | undefined) ?? env.BUREAU_PORT ?? '8081'
  if (portRaw === 'off') return null
  const port = parsePort(portRaw)
  const host = (values['bureau-host'] as string | undefined) ?? env.BUREAU_HOST ?? '127.0.0.1'
  if (host.trim() === '') throw new ConfigError('--bureau-host / BUREAU_HOST must not be empty')
  if (port !== 0 && port === publicPort) throw new ConfigError(`The bureau API needs a port of its own (--bureau-port), not the public port ${port}`)
  const certFile = env.BUREAU_TLS_CERT
  const keyFile = env.BUREAU_TLS_KEY
  const clientCaFile = env.BUREAU_TLS_CLIENT_CA
  if ((certFile === undefined) !== (keyFile === undefined)) throw new ConfigError('BUREAU_TLS_CERT and BUREAU_TLS_KEY go together')
  if (clientCaFile !== undefined && certFile === undefined) throw new ConfigError('BUREAU_TLS_CLIENT_CA (client certificates) needs BUREAU_TLS_CERT and BUREAU_TLS_KEY')
  if (production && !LOOPBACK.test(host) && certFile === undefined) {
    throw new ConfigError(`The bureau API on ${host} (not loopback) needs TLS in production: set BUREAU_TLS_CERT and BUREAU_TLS_KEY (docs/bureau-api.md)`)
  }
  return { host, port, ...(certFile && keyFile ? { tls: { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile), ...(clientCaFile ? { clientCaFile: path.resolve(clientCaFile) } : {}) } } : {}) }
}

export const USAGE = `Usage: npm start -- [options]   (or: tsx server/src/main.ts [options])

Options (environment variable in brackets):
  --host <addr>        listen address, default 127.0.0.1            [HOST]
  --port <n>           listen port (0 = any free port), default 8080 [PORT]
  --data <dir>         data directory (SQLite + blobs), default ./data [DATA_DIR]
  --campaign <file>    campaign configuration, default campaign/campaign.json [CAMPAIGN_FILE]
  --keys <file>        signed key list (npm run bureau -- sign-keys), default
                       keys.signed.json beside the campaign file      [KEYS_FILE]
  --h5 <dir>           H5 build to serve at /, default dist/h5      [H5_DIR]
  --production         refuse development keys and a key list that
                       does not verify under the campaign's signingKey [NODE_ENV=production]
  --log-level <level>  fatal|error|warn|info|debug|trace|silent     [LOG_LEVEL]
                       (default info; warn in production)
  --bureau-host <addr> the bureau API's own listener (workstations), default
                       127.0.0.1: the police network's interface in production [BUREAU_HOST]
  --bureau-port <n>    its port, default 8081; "off" = no bureau API  [BUREAU_PORT]
                       TLS: BUREAU_TLS_CERT + BUREAU_TLS_KEY; client certificates
                       (mTLS) from BUREAU_TLS_CLIENT_CA (docs/bureau-api.md)
  --help               print this text

Also: DATABASE_URL=postgres://user:password@host:5432/db selects PostgreSQL (several instances
share it: rows, attachment chunks, locks; PG_POOL_MAX connections each, default 10); without it the
embedded SQLite in the data directory is used. TRUST_PROXY=<addresses or CIDR ranges of the reverse proxies> so that rate limiting sees
client addresses (kept in memory only); RECEIPT_PEPPER_FILE=<file outside the data directory>
(required in production); RATE_LIMIT=off disables rate limiting (benchmarks only). Timeouts,
connection and storage limits: see docs/server.md.`

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

function parsePort(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(`Invalid port "${raw}": expected an integer from 0 to 65535`)
  }
  return Number(raw)
}

/** Reads flags and environment. Throws ConfigError; returns undefined when --help was asked. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig | undefined {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        data: { type: 'string' },
        campaign: { type: 'string' },
        keys: { type: 'string' },
        h5: { type: 'string' },
        production: { type: 'boolean' },
        'log-level': { type: 'string' },
        'bureau-host': { type: 'string' },
        'bureau-port': { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}\n\n${USAGE}`)
  }
  if (values.help) return undefined

  const str = (flag: string, envName: string, dflt: string): string => {
    const v = (values[flag] as string | undefined) ?? env[envName] ?? dflt
    if (v.trim() === '') throw new ConfigError(`--${flag} / ${envName} must not be empty`)
    return v
  }
  const host = str('host', 'HOST', '127.0.0.1')
  const port = parsePort(str('port', 'PORT', '8080'))
  const dataDir = path.resolve(str('data', 'DATA_DIR', 'data'))
  const campaignFile = path.resolve(str('campaign', 'CAMPAIGN_FILE', path.join(REPO_ROOT, 'campaign', 'campaign.json')))
  const keysFile = path.resolve(str('keys', 'KEYS_FILE', path.join(path.dirname(campaignFile), 'keys.signed.json')))
  const h5Dir = path.resolve(str('h5', 'H5_DIR', path.join(REPO_ROOT, 'dist', 'h5')))
  const production = values.production === true || env.NODE_ENV === 'production'

  const level = str('log-level', 'LOG_LEVEL', production ? 'warn' : 'info')
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`Invalid log level "${level}": expected one of ${LOG_LEVELS.join(', ')}`)
  }
  const rateLimitRaw = env.RATE_LIMIT ?? 'on'
  if (!['on', 'off'].includes(rateLimitRaw)) throw new ConfigError(`RATE_LIMIT must be "on" or "off", got "${rateLimitRaw}"`)
  if (rateLimitRaw === 'off' && production) throw new ConfigError('RATE_LIMIT=off is refused in production mode')

  const statusMinRaw = env.STATUS_MIN_MS ?? '300'
  if (!/^\d{1,5}$/.test(statusMinRaw)) throw new ConfigError(`STATUS_MIN_MS must be an integer number of milliseconds`)

  let trustProxy: ServerConfig['trustProxy']
  try {
    trustProxy = parseTrustProxy(env.TRUST_PROXY)
  } catch (e) {
    if (e instanceof TrustProxyError) throw new ConfigError(e.message)
    throw e
  }
  const databaseUrl = env.DATABASE_URL === undefined || env.DATABASE_URL === '' ? undefined : env.DATABASE_URL
  if (databaseUrl !== undefined) {
    let ok = false
    try {
      ok = /^postgres(ql)?:$/.test(new URL(databaseUrl).protocol)
    } catch {
      ok = false
    }
    // The value holds a password: never echo it.
    if (!ok) throw new ConfigError('DATABASE_URL must be a postgres:// (or postgresql://) URL; leave it unset for the embedded SQLite database')
  }
  const poolRaw = env.PG_POOL_MAX ?? '10'
  if (!/^\d{1,4}$/.test(poolRaw) || Number(poolRaw) < 2) throw new ConfigError('PG_POOL_MAX must be a whole number of at least 2')

  const limits = parseOperationalLimits(env, (message) => {
    throw new ConfigError(message)
  })

  const caseLimits = parseCaseLimits(env, (message) => {
    throw new ConfigError(message)
  })

  return {
    caseLimits,
    host,
    port,
    dataDir,
    campaignFile,
    keysFile,
    h5Dir,
    production,
    rateLimit: rateLimitRaw === 'on',
    trustProxy,
    limits,
    logLevel: level as ServerConfig['logLevel'],
    statusMinMs: Number(statusMinRaw),
    databaseUrl,
    poolMax: Number(poolRaw),
    bureau: parseBureauListener(values, env, port, production),
  }
}

/** Reads and checks the campaign file; in production, development keys are refused. */
export function loadCampaign(file: string, production: boolean): CampaignConfig {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    throw new ConfigError(`Cannot read the campaign file ${file}: ${(e as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new ConfigError(`The campaign file ${file} is not valid JSON: ${(e as Error).message}`)
  }
  try {
    return checkCampaign(json, production)
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message}`)
  }
}

/** Creates the data directory if needed and checks it is writable. */
export function prepareDataDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.R_OK)
  } catch (e) {
    throw new ConfigError(`The data directory ${dir} is not usable: ${(e as Error).message}`)
  }
}
