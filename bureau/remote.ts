/**
 * The bureau API client, for the workstation and for CLI commands run with --server/--token.
 * Everything it receives is hostile: JSON shapes are checked by the callers (bureau/untrusted.ts
 * style), sizes are bounded here, and every failure becomes a RemoteError with a plain Chinese
 * message (server unreachable, token revoked, …).
 */

export type RemoteErrorCode =
  | 'UNREACHABLE'
  | 'TOKEN_MISSING'
  | 'TOKEN_INVALID'
  | 'TOKEN_REVOKED'
  | 'CASE_NOT_FOUND'
  | 'TOO_LARGE'
  | 'BAD_RESPONSE'
  | 'REFUSED'

export class RemoteError extends Error {
  constructor(
    readonly code: RemoteErrorCode,
    readonly zh: string,
    readonly status?: number,
    readonly apiCode?: string,
  ) {
    super(zh)
    this.name = 'RemoteError'
  }
}

const MESSAGES: Partial<Record<RemoteErrorCode, string>> = {
  TOKEN_MISSING: '没有填写工作站令牌。请在“连接设置”中填入服务器主机上生成的令牌。',
  TOKEN_INVALID: '工作站令牌无效：服务器不认识这个令牌。请检查是否填错，或向管理员重新申请令牌。',
  TOKEN_REVOKED: '此工作站的令牌已被撤销，不能再访问服务器。请向管理员申请新的令牌（npm run bureau -- token create）。',
  CASE_NOT_FOUND: '服务器上没有这条举报，或此工作站无权查看。',
}

export interface RemoteOptions {
  /** e.g. http://127.0.0.1:8081 (no trailing path). */
  server: string
  token: string
  /** Milliseconds per request (default 30 s). */
  timeoutMs?: number
  /** Largest response body accepted (default 64 MiB). */
  maxBytes?: number
}

/** Checks a --server value: http(s) URL with nothing but a host and port. */
export function parseServerUrl(raw: string): string | undefined {
  let u: URL
  try {
    u = new URL(raw.trim())
  } catch {
    return undefined
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash) return undefined
  if (u.pathname !== '/' && u.pathname !== '') return undefined
  return `${u.protocol}//${u.host}`
}

export class BureauClient {
  readonly server: string
  private readonly token: string
  private readonly timeoutMs: number
  private readonly maxBytes: number

  constructor(options: RemoteOptions) {
    const server = parseServerUrl(options.server)
    if (!server) throw new RemoteError('REFUSED', `服务器地址“${options.server}”无效：应为 http://主机:端口 或 https://主机:端口。`)
    this.server = server
    this.token = options.token.trim()
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024
  }

  private async raw(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    let res: Response
    try {
      res = await fetch(`${this.server}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      })
    } catch {
      throw new RemoteError('UNREACHABLE', `无法连接举报服务器（${this.server}）。请检查网络和服务器地址，稍后再试。`)
    }
    if (res.ok) return res
    let body: { code?: unknown; message?: unknown } = {}
    try {
      body = (await this.readBytes(res, 64 * 1024).then((b) => JSON.parse(b.toString('utf8')))) as typeof body
    } catch {
      // not JSON: answered by the status alone
    }
    const apiCode = typeof body?.code === 'string' ? body.code : undefined
    const known = apiCode && apiCode in MESSAGES ? (apiCode as RemoteErrorCode) : undefined
    if (known) throw new RemoteError(known, MESSAGES[known]!, res.status, apiCode)
    throw new RemoteError('REFUSED', `服务器拒绝了请求（${res.status}${apiCode ? ` ${apiCode.slice(0, 40)}` : ''}）。`, res.status, apiCode)
  }

  private async readBytes(res: Response, limit: number): Promise<Buffer> {
    const declared = Number(res.headers.get('content-length') ?? NaN)
    if (Number.isFinite(declared) && declared > limit) throw new RemoteError('TOO_LARGE', '服务器返回的数据过大，已拒绝。')
    const chunks: Buffer[] = []
    let total = 0
    if (!res.body) return Buffer.alloc(0)
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        total += chunk.length
        if (total > limit) throw new RemoteError('TOO_LARGE', '服务器返回的数据过大，已拒绝。')
        chunks.push(Buffer.from(chunk))
      }
    } catch (e) {
      if (e instanceof RemoteError) throw e
      throw new RemoteError('UNREACHABLE', `与举报服务器（${this.server}）的连接中断。请稍后再试。`)
    }
    return Buffer.concat(chunks)
  }

  /** GET/POST/PUT returning parsed JSON (unknown: the caller checks its shape). */
  async json(path: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
    const res = await this.raw(path, init)
    const bytes = await this.readBytes(res, this.maxBytes)
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown
    } catch {
      throw new RemoteError('BAD_RESPONSE', '服务器返回的数据格式错误。')
    }
  }

  /** Binary object (ciphertext), at most `limit` bytes. */
  async bytes(path: string, limit: number, range?: { start: number; end: number }): Promise<Buffer> {
    const res = await this.raw(path, range ? { headers: { range: `bytes=${range.start}-${range.end}` } } : {})
    return this.readBytes(res, limit)
  }
}
