/**
 * The options that send a bureau command to the bureau API instead of the data directory:
 * --server URL with the workstation token from --token-file, BUREAU_TOKEN or --token (in that
 * order of preference; a token on the command line is visible to other users in `ps`, so it is
 * warned about), and for https the pinned CA and the client certificate (--ca, --client-cert,
 * --client-key). Nothing here talks to the server: remote-data.ts does, through BureauClient.
 */
import fs from 'node:fs'
import path from 'node:path'
import { TOKEN_PATTERN } from '../server/src/bureau-api/tokens'
import { dataDirOf, type Parsed } from './args'
import type { Io } from './command'
import { openDataDir, type DataDir, type DataSource } from './data-dir'
import { CliError } from './errors'
import { BureauClient, RemoteError, TlsFileError, parseServerUrl, readClientTls } from './remote'
import { openRemoteData } from './remote-data'

export const TOKEN_ENV = 'BUREAU_TOKEN'

export const REMOTE_OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  ca: { type: 'string' },
  'client-cert': { type: 'string' },
  'client-key': { type: 'string' },
} as const

export const REMOTE_HELP = `远程模式 Remote mode（不需要数据目录，经扫黑办接口 / through the bureau API, no data directory）:
  --server URL        扫黑办接口地址，如 https://10.1.2.3:8081 / the bureau API's address
  --token-file FILE   工作站令牌所在的文件（推荐）/ a file holding the workstation token (preferred)
                      也可用环境变量 ${TOKEN_ENV} / or the environment variable ${TOKEN_ENV}
  --token TOKEN       直接给出令牌（其他用户可在 ps 中看到，不推荐）/ the token itself (visible in ps)
  --ca FILE           https：签发服务器证书的 CA（PEM）/ https: the CA that signed the server's certificate
  --client-cert FILE  https：本机的客户端证书（PEM，mTLS）/ this machine's client certificate
  --client-key FILE   https：客户端证书的私钥（PEM）/ its private key
  令牌只在服务器主机上生成：npm run bureau -- token create --name … / tokens are made on the server host.`

const REMOTE_ONLY = ['token', 'token-file', 'ca', 'client-cert', 'client-key'] as const

/** The workstation token: --token-file, else BUREAU_TOKEN, else --token (warned about). */
function tokenOf(values: Parsed['values'], io: Io): string {
  const given = [values['token-file'] !== undefined, values.token !== undefined].filter(Boolean).length
  if (given > 1) throw new CliError('--token 和 --token-file 只能给一个。', 'Give only one of --token and --token-file.')
  let token: string | undefined
  if (typeof values['token-file'] === 'string') {
    const file = path.resolve(values['token-file'])
    try {
      token = fs.readFileSync(file, 'utf8').trim()
    } catch (e) {
      throw new CliError(`无法读取令牌文件 ${file}：${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, `Cannot read the token file ${file}.`)
    }
  } else if (typeof values.token === 'string') {
    io.err('⚠️ 命令行上的令牌会被本机其他用户在 ps 中看到。请改用 --token-file 或环境变量 BUREAU_TOKEN。\n⚠️ A token on the command line is visible to other users in ps: use --token-file or BUREAU_TOKEN.')
    token = values.token.trim()
  } else {
    token = io.env[TOKEN_ENV]?.trim()
  }
  if (!token) {
    throw new CliError(
      `缺少工作站令牌：请用 --token-file 文件 或环境变量 ${TOKEN_ENV} 给出（令牌在服务器主机上用 token create 生成）。`,
      `Missing the workstation token: give --token-file FILE or ${TOKEN_ENV} (made with token create on the server host).`,
    )
  }
  if (!TOKEN_PATTERN.test(token)) {
    throw new CliError('工作站令牌格式不对：应以 cw1_ 开头，共 47 个字符。请完整复制服务器上生成的令牌。', 'The workstation token is malformed: cw1_ followed by 43 characters.')
  }
  return token
}

/** The bureau API client when --server is given, else undefined (the data directory is used); a CliError for inconsistent options. */
export function remoteClientOf(command: string, values: Parsed['values'], io: Io): BureauClient | undefined {
  if (typeof values.server !== 'string') {
    const stray = REMOTE_ONLY.find((o) => values[o] !== undefined)
    if (stray) throw new CliError(`--${stray} 只用于远程模式，请同时给出 --server。`, `--${stray} is for remote mode: give --server too.`)
    return undefined
  }
  if (values.data !== undefined) throw new CliError('--server 和 --data 不能同时使用。', `Give either --server or --data to ${command}, not both.`)
  const server = parseServerUrl(values.server)
  if (!server) throw new CliError(`服务器地址 "${values.server}" 无效：应为 http://主机:端口 或 https://主机:端口。`, `Invalid --server "${values.server}": http(s)://host:port.`)
  const token = tokenOf(values, io)
  const files = { ca: values.ca as string | undefined, clientCert: values['client-cert'] as string | undefined, clientKey: values['client-key'] as string | undefined }
  try {
    const tls = readClientTls(files, { flags: true })
    if (tls && !server.startsWith('https:')) throw new RemoteError('TLS', '--ca、--client-cert、--client-key 只用于 https:// 地址。')
    return new BureauClient({ server, token, tls })
  } catch (e) {
    if (e instanceof TlsFileError) throw new CliError(e.zh, e.en)
    if (e instanceof RemoteError) throw new CliError(e.zh, e.message)
    throw e
  }
}

/** Where the command's cases are: the bureau API with --server, else the data directory (or DATABASE_URL). */
export async function openSource(command: string, values: Parsed['values'], io: Io): Promise<DataSource> {
  const client = remoteClientOf(command, values, io)
  if (client) return openRemoteData(client)
  return openDataDir(dataDirOf(values, io.env), io.env)
}

/** True for the data directory (or PostgreSQL), false for the bureau API. */
export function isLocal(data: DataSource): data is DataDir {
  return 'dir' in data
}
