/**
 * The bureau API address and this workstation's token, configured once in the page and kept in
 * the workstation's configuration folder (mode 0600: the token is a credential). The token's name
 * and branches are read back from the server, never trusted from the file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { BureauClient, RemoteError, parseServerUrl } from '../../remote'
import { TOKEN_PATTERN } from '../../../server/src/bureau-api/tokens'

export interface TokenInfo {
  id: string
  name: string
  branches: string[]
}

export class ConnectionStore {
  private saved: { server: string; token: string } | undefined
  info: TokenInfo | undefined
  lastError: string | undefined

  constructor(
    private readonly dir: string,
    private readonly makeClient: (server: string, token: string) => BureauClient = (server, token) => new BureauClient({ server, token }),
  ) {
    try {
      const raw = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { server?: unknown; token?: unknown }
      if (typeof raw.server === 'string' && parseServerUrl(raw.server) && typeof raw.token === 'string' && TOKEN_PATTERN.test(raw.token)) {
        this.saved = { server: parseServerUrl(raw.server)!, token: raw.token }
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

  client(): BureauClient {
    if (!this.saved) throw new RemoteError('TOKEN_MISSING', '还没有设置服务器地址和工作站令牌。')
    return this.makeClient(this.saved.server, this.saved.token)
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

  /** Verifies, then saves, a new address and token. */
  async configure(serverRaw: string, token: string): Promise<TokenInfo> {
    const server = parseServerUrl(serverRaw)
    if (!server) throw new RemoteError('REFUSED', '服务器地址格式不对，应为 http://主机:端口 或 https://主机:端口。')
    if (!TOKEN_PATTERN.test(token.trim())) throw new RemoteError('TOKEN_INVALID', '令牌格式不对：应以 cw1_ 开头，共 47 个字符。请完整复制服务器上生成的令牌。')
    const info = await this.check(this.makeClient(server, token.trim()))
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const tmp = `${this.file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify({ server, token: token.trim() }), { mode: 0o600 })
    fs.renameSync(tmp, this.file)
    this.saved = { server, token: token.trim() }
    return info
  }
}
