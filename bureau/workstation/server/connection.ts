/**
 * The bureau API address and this workstation's token, configured once in the page and kept in
 * the workstation's configuration folder (mode 0600: the token is a credential), with, for https,
 * the paths of the pinned CA and of this workstation's client certificate and key (mTLS; the files
 * are read for each client, so a renewed certificate is picked up). The token's name and branches
 * are read back from the server, never trusted from the file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { BureauClient, RemoteError, parseServerUrl, readClientTls, type ClientTlsFiles } from '../../remote'
import { TOKEN_PATTERN } from '../../../server/src/bureau-api/tokens'

export interface TokenInfo {
  id: string
  name: string
  branches: string[]
}

interface Saved {
  server: string
  token: string
  tls: ClientTlsFiles
}

/** Absolute paths only (the file is read later, from whatever the working directory is then). */
function tlsFiles(raw: unknown): ClientTlsFiles | undefined {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  const out: ClientTlsFiles = {}
  for (const k of ['ca', 'clientCert', 'clientKey'] as const) {
    const v = r[k]
    if (v === undefined || v === null || v === '') continue
    if (typeof v !== 'string' || !path.isAbsolute(v.trim()) || v.length > 1000) return undefined
    out[k] = v.trim()
  }
  return out
}

export class ConnectionStore {
  private saved: Saved | undefined
  info: TokenInfo | undefined
  lastError: string | undefined

  constructor(
    private readonly dir: string,
    private readonly makeClient: (server: string, token: string, tls: ClientTlsFiles) => BureauClient = (server, token, tls) => new BureauClient({ server, token, tls: readClientTls(tls) }),
  ) {
    try {
      const raw = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { server?: unknown; token?: unknown; tls?: unknown }
      const tls = tlsFiles(raw.tls)
      if (typeof raw.server === 'string' && parseServerUrl(raw.server) && typeof raw.token === 'string' && TOKEN_PATTERN.test(raw.token) && tls) {
        this.saved = { server: parseServerUrl(raw.server)!, token: raw.token, tls }
      }
    } catch {
      // not configured yet
    }
  }

  get file(): string {
    return path.join(this.dir, 'connection.json')
  }

  get configured(): boolean {
    return this.saved !== undefined
  }

  get server(): string | undefined {
    return this.saved?.server
  }

  /** The certificate file paths in use (for the settings form). */
  get tls(): ClientTlsFiles {
    return { ...this.saved?.tls }
  }

  client(): BureauClient {
    if (!this.saved) throw new RemoteError('TOKEN_MISSING', '还没有设置服务器地址和工作站令牌。')
    return this.makeClient(this.saved.server, this.saved.token, this.saved.tls)
  }

  /** Checks the token with the server and reads its name and branches. */
  async check(client = this.client()): Promise<TokenInfo> {
    try {
      const body = (await client.json('/bureau/v1/session')) as { token?: { id?: unknown; name?: unknown; branches?: unknown } }
      const t = body?.token
      if (typeof t?.id !== 'string' || typeof t.name !== 'string' || !Array.isArray(t.branches)) throw new RemoteError('BAD_RESPONSE', '服务器返回的数据格式错误。')
      this.info = { id: t.id.slice(0, 16), name: t.name.slice(0, 100), branches: t.branches.filter((b): b is string => typeof b === 'string').slice(0, 50) }
      this.lastError = undefined
      return this.info
    } catch (e) {
      if (e instanceof RemoteError) this.lastError = e.zh
      throw e
    }
  }

  /** Verifies, then saves, a new address and token (and for https the certificate files: absolute paths). */
  async configure(serverRaw: string, token: string, tlsRaw: ClientTlsFiles = {}): Promise<TokenInfo> {
    const server = parseServerUrl(serverRaw)
    if (!server) throw new RemoteError('REFUSED', '服务器地址格式不对，应为 http://主机:端口 或 https://主机:端口。')
    if (!TOKEN_PATTERN.test(token.trim())) throw new RemoteError('TOKEN_INVALID', '令牌格式不对：应以 cw1_ 开头，共 47 个字符。请完整复制服务器上生成的令牌。')
    const tls = tlsFiles(tlsRaw)
    if (!tls) throw new RemoteError('TLS', '证书文件要写完整路径（例如 /home/staff/bureau-ca.pem）。')
    if (Object.keys(tls).length > 0 && !server.startsWith('https:')) throw new RemoteError('TLS', '证书文件只用于 https:// 地址。')
    const info = await this.check(this.makeClient(server, token.trim(), tls))
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const tmp = `${this.file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify({ server, token: token.trim(), tls }), { mode: 0o600 })
    fs.renameSync(tmp, this.file)
    this.saved = { server, token: token.trim(), tls }
    return info
  }
}
