/**
 * The bureau API client, for the workstation and for CLI commands run with --server/--token.
 * Everything it receives is hostile: JSON shapes are checked by the callers (bureau/untrusted.ts
 * style), sizes are bounded here, and every failure becomes a RemoteError with a plain Chinese
 * message (server unreachable, token revoked, …). Over https it can pin the CA that signed the
 * server's certificate and present a client certificate (mTLS, docs/bureau-api.md).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { Readable } from 'node:stream'

export type RemoteErrorCode =
  | 'UNREACHABLE'
  | 'TOKEN_MISSING'
  | 'TOKEN_INVALID'
  | 'TOKEN_REVOKED'
  | 'CASE_NOT_FOUND'
  | 'TOO_LARGE'
  | 'BAD_RESPONSE'
  | 'REFUSED'
  | 'TLS'

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

/** What the server answered: status, headers and the body as a stream (not yet read). */
interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Readable
}

/** TLS failures in plain words: the server's certificate is not the pinned CA's, or the server wants a client certificate. */
function tlsProblem(e: unknown, server: string, droppedAfterHandshake: boolean): RemoteError | undefined {
  const code = String((e as NodeJS.ErrnoException)?.code ?? '')
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|HOSTNAME/.test(code) && !/ALERT/.test(code)) {
    return new RemoteError('TLS', `无法验证举报服务器（${server}）的证书：它不是所配置的证书机构（CA）签发的，或与服务器地址不符。连接已拒绝。请向管理员核对 CA 证书文件和服务器地址。`)
  }
  if (/ALERT|HANDSHAKE/.test(code) || droppedAfterHandshake) {
    return new RemoteError(
      'TLS',
      `举报服务器（${server}）在建立安全连接后立即断开：它要求有效的客户端证书（mTLS），而本机没有提供，或所给证书不是它信任的机构签发的。请配置管理员发给本机的客户端证书和私钥。`,
    )
  }
  return undefined
}

const MESSAGES: Partial<Record<RemoteErrorCode, string>> = {
  TOKEN_MISSING: '没有填写工作站令牌。请在“连接设置”中填入服务器主机上生成的令牌。',
  TOKEN_INVALID: '工作站令牌无效：服务器不认识这个令牌。请检查是否填错，或向管理员重新申请令牌。',
  TOKEN_REVOKED: '此工作站的令牌已被撤销，不能再访问服务器。请向管理员申请新的令牌（npm run bureau -- token create）。',
  CASE_NOT_FOUND: '服务器上没有这条举报，或此工作站无权查看。',
}

/** PEM contents for https: the CA that signed the server's certificate, and this client's certificate and key (mTLS). */
export interface ClientTls {
  ca?: Buffer
  cert?: Buffer
  key?: Buffer
}

/** File paths of ClientTls, as the CLI flags and the workstation's settings give them. */
export interface ClientTlsFiles {
  ca?: string
  clientCert?: string
  clientKey?: string
}

/** Which certificate setting a TlsFileError is about (the workstation's form field; the CLI's flag). */
export type TlsField = 'ca' | 'clientCert' | 'clientKey'

const TLS_FLAGS: Record<TlsField, string> = { ca: '--ca', clientCert: '--client-cert', clientKey: '--client-key' }
const TLS_WHAT: Record<TlsField, { zh: string; en: string }> = {
  ca: { zh: 'CA 证书', en: 'CA certificate' },
  clientCert: { zh: '客户端证书', en: 'client certificate' },
  clientKey: { zh: '客户端私钥', en: 'client key' },
}

/**
 * A certificate file that cannot be used: missing, a folder, unreadable, not PEM, or a PEM of the
 * wrong kind. Names the setting and the file (never its contents); `en` for the CLI's second line.
 */
export class TlsFileError extends RemoteError {
  constructor(
    readonly field: TlsField,
    readonly file: string,
    zh: string,
    readonly en: string,
  ) {
    super('TLS', zh)
    this.name = 'TlsFileError'
  }
}

/** What a PEM file holds, from its armor lines only. */
function pemKinds(text: string): string[] {
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]{1,40})-----/g)].map((m) => m[1])
}

/** A CA bundle, certificate or key file is kilobytes; a system CA bundle some hundreds. */
const MAX_PEM_BYTES = 1024 * 1024

const PRIVATE_KEY = /^(?:(?:RSA|EC|DSA|ENCRYPTED) )?PRIVATE KEY$/

/** A file path for a message: bounded, control characters replaced (it may come from a hostile settings file). */
const shownPath = (file: string) => file.slice(0, 300).replace(/[\u0000-\u001f\u007f]/g, '?')

/**
 * Reads and checks the PEM files named; a TlsFileError saying which setting and which file is wrong
 * (missing, a folder, unreadable, not PEM, a key where a certificate belongs or the other way round,
 * a certificate and key that are not a pair), or a RemoteError when only half a client pair is given.
 * `flags`: name the CLI's options in the messages.
 */
export function readClientTls(files: ClientTlsFiles, options: { flags?: boolean } = {}): ClientTls | undefined {
  if ((files.clientCert === undefined) !== (files.clientKey === undefined)) {
    throw new RemoteError('TLS', '客户端证书和私钥要一起给出（--client-cert 和 --client-key）。')
  }
  /** "<setting>文件<problem>：<path>。<what to do>" (and the English line). */
  const fail = (field: TlsField, file: string, zh: [string, string], en: string): never => {
    const what = TLS_WHAT[field]
    const flag = options.flags ? `（${TLS_FLAGS[field]}）` : ''
    const enFlag = options.flags ? ` (${TLS_FLAGS[field]})` : ''
    const p = shownPath(file)
    throw new TlsFileError(field, file, `${what.zh}文件${flag}${zh[0]}：${p}。${zh[1]}`, `The ${what.en} file${enFlag} ${en}: ${p}`)
  }
  const FOLDER: [string, string] = ['是一个文件夹，不是文件', '请写出文件本身的完整路径。']
  const read = (field: TlsField, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined
    let pem: Buffer
    try {
      const st = fs.statSync(file)
      if (st.isDirectory()) fail(field, file, FOLDER, 'is a folder, not a file')
      // A FIFO or a device (/dev/stdin, /dev/zero) would block or exhaust the reader: regular files only, bounded.
      if (!st.isFile()) fail(field, file, ['不是普通文件', '请写出证书或私钥文件本身的完整路径。'], 'is not a regular file')
      if (st.size > MAX_PEM_BYTES) fail(field, file, [`太大（超过 ${MAX_PEM_BYTES / 1024 / 1024} MiB）`, '证书和私钥文件只有几 KB，请确认路径没有写错。'], `is too large (over ${MAX_PEM_BYTES / 1024 / 1024} MiB)`)
      pem = fs.readFileSync(file)
    } catch (e) {
      if (e instanceof TlsFileError) throw e
      const code = (e as NodeJS.ErrnoException)?.code
      if (code === 'ENOENT' || code === 'ENOTDIR') return fail(field, file, ['不存在', '请检查路径是否写错，或向管理员要这个文件。'], 'does not exist')
      if (code === 'EACCES' || code === 'EPERM') return fail(field, file, ['没有读取权限', '请让管理员把它设为当前系统用户可读。'], 'cannot be read (permission denied)')
      if (code === 'EISDIR') return fail(field, file, FOLDER, 'is a folder, not a file')
      return fail(field, file, [`无法读取（${String(code ?? '未知错误').slice(0, 20)}）`, '请检查这个文件。'], `cannot be read (${String(code ?? 'unknown error').slice(0, 20)})`)
    }
    const kinds = pemKinds(pem.toString('latin1'))
    const certificate = kinds.includes('CERTIFICATE')
    const privateKey = kinds.some((k) => PRIVATE_KEY.test(k))
    if (field === 'clientKey') {
      if (!privateKey) {
        if (certificate) return fail(field, file, ['里是证书，不是私钥', '请确认没有把证书和私钥填反。'], 'holds a certificate, not a private key (certificate and key swapped?)')
        return fail(field, file, ['不是 PEM 格式的私钥', '私钥文件的内容应以 -----BEGIN PRIVATE KEY----- 开头，请向管理员核对。'], 'is not a PEM private key')
      }
      try {
        createPrivateKey(pem)
      } catch {
        return fail(field, file, ['里的私钥无法读取', '文件可能已损坏，或设有口令（工作站不支持带口令的私钥），请向管理员重新要一份。'], 'holds a private key that cannot be read (damaged, or protected by a passphrase)')
      }
      return pem
    }
    if (!certificate) {
      if (privateKey) return fail(field, file, ['里是私钥，不是证书', '请确认没有把证书和私钥填反。'], 'holds a private key, not a certificate (certificate and key swapped?)')
      return fail(field, file, ['不是 PEM 格式的证书', '证书文件的内容应以 -----BEGIN CERTIFICATE----- 开头，请向管理员核对。'], 'is not a PEM certificate')
    }
    try {
      new X509Certificate(pem)
    } catch {
      return fail(field, file, ['里的证书无法读取', '文件可能已损坏，请向管理员重新要一份。'], 'holds a certificate that cannot be read (damaged)')
    }
    return pem
  }
  const tls = { ca: read('ca', files.ca), cert: read('clientCert', files.clientCert), key: read('clientKey', files.clientKey) }
  if (tls.cert && tls.key) {
    let pair = false
    try {
      pair = new X509Certificate(tls.cert).checkPrivateKey(createPrivateKey(tls.key))
    } catch {
      pair = false
    }
    if (!pair) fail('clientKey', files.clientKey!, ['与客户端证书不是一对', '这个私钥不属于所填的客户端证书，请向管理员核对。'], 'does not belong to the client certificate')
  }
  return tls.ca || tls.cert ? tls : undefined
}

export interface RemoteOptions {
  /** e.g. http://127.0.0.1:8081 (no trailing path). */
  server: string
  token: string
  /** https only: a pinned CA and a client certificate. */
  tls?: ClientTls
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

/** An API error code from the server, made safe to print (it is hostile input). */
const printableCode = (code: string): string => code.slice(0, 40).replace(/[^A-Z0-9_]/g, '?')

export class BureauClient {
  readonly server: string
  private readonly token: string
  private readonly timeoutMs: number
  private readonly maxBytes: number
  private readonly tls: ClientTls | undefined

  constructor(options: RemoteOptions) {
    const server = parseServerUrl(options.server)
    if (!server) throw new RemoteError('REFUSED', `服务器地址“${options.server}”无效：应为 http://主机:端口 或 https://主机:端口。`)
    this.server = server
    this.token = options.token.trim()
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024
    this.tls = options.tls
  }

  private async raw(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const payload = init.body !== undefined ? Buffer.from(JSON.stringify(init.body)) : undefined
    const url = new URL(`${this.server}${path}`)
    const secure = url.protocol === 'https:'
    let res: http.IncomingMessage
    // A server that requires client certificates drops a connection without an acceptable one right
    // after the handshake (TLS 1.3: no alert reaches the client): a reset then means exactly that.
    let handshook = false
    try {
      res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = (secure ? https : http).request(
          url,
          {
            method: init.method ?? 'GET',
            headers: {
              authorization: `Bearer ${this.token}`,
              ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
              ...init.headers,
            },
            // Idle time, not total time: a large object may take longer than this as long as bytes keep coming.
            timeout: this.timeoutMs,
            ...(secure ? { ca: this.tls?.ca, cert: this.tls?.cert, key: this.tls?.key, minVersion: 'TLSv1.2' as const, agent: false } : { agent: false }),
          },
          resolve,
        )
        req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })))
        req.on('socket', (socket) => socket.once('secureConnect', () => (handshook = true)))
        req.on('error', reject)
        req.end(payload)
      })
    } catch (e) {
      const reset = ['ECONNRESET', 'EPIPE'].includes(String((e as NodeJS.ErrnoException)?.code))
      throw tlsProblem(e, this.server, handshook && reset) ?? new RemoteError('UNREACHABLE', `无法连接举报服务器（${this.server}）。请检查网络和服务器地址，稍后再试。`)
    }
    res.on('error', () => {})
    const status = res.statusCode ?? 0
    if (status >= 300 && status < 400) {
      res.resume()
      throw new RemoteError('REFUSED', `服务器要求转到别的地址（${status}），已拒绝：请检查服务器地址。`, status)
    }
    if (status >= 200 && status < 300) return { status, headers: res.headers, body: res }
    let body: { code?: unknown; message?: unknown } = {}
    try {
      body = (await this.readBytes({ status, headers: res.headers, body: res }, 64 * 1024).then((b) => JSON.parse(b.toString('utf8')))) as typeof body
    } catch {
      // not JSON: answered by the status alone
    }
    const apiCode = typeof body?.code === 'string' ? body.code : undefined
    const known = apiCode && apiCode in MESSAGES ? (apiCode as RemoteErrorCode) : undefined
    if (known) throw new RemoteError(known, MESSAGES[known]!, status, apiCode)
    throw new RemoteError('REFUSED', `服务器拒绝了请求（${status}${apiCode ? ` ${printableCode(apiCode)}` : ''}）。`, status, apiCode)
  }

  /** The body's chunks, at most `limit` bytes in all (a declared length over it is refused before reading). */
  private async *chunks(res: Answer, limit: number): AsyncGenerator<Buffer> {
    const declared = Number(res.headers['content-length'] ?? NaN)
    if (Number.isFinite(declared) && declared > limit) {
      res.body.destroy()
      throw new RemoteError('TOO_LARGE', '服务器返回的数据过大，已拒绝。')
    }
    let total = 0
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        total += chunk.length
        if (total > limit) throw new RemoteError('TOO_LARGE', '服务器返回的数据过大，已拒绝。')
        yield chunk
      }
    } catch (e) {
      res.body.destroy()
      if (e instanceof RemoteError) throw e
      throw new RemoteError('UNREACHABLE', `与举报服务器（${this.server}）的连接中断。请稍后再试。`)
    }
  }

  private async readBytes(res: Answer, limit: number): Promise<Buffer> {
    const parts: Buffer[] = []
    for await (const chunk of this.chunks(res, limit)) parts.push(chunk)
    return Buffer.concat(parts)
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

  /**
   * A binary object (ciphertext) written to `file` (created, mode 0600), which must be exactly
   * `size` bytes: more is cut off and refused, fewer is refused. The caller removes the file on failure.
   */
  async toFile(path: string, file: string, size: number): Promise<void> {
    const res = await this.raw(path)
    const fh = await fs.promises.open(file, 'wx', 0o600)
    let total = 0
    try {
      for await (const chunk of this.chunks(res, size)) {
        await fh.write(chunk)
        total += chunk.length
      }
      await fh.sync()
    } finally {
      await fh.close()
    }
    if (total !== size) throw new RemoteError('BAD_RESPONSE', `服务器返回的数据不完整（${total} 字节，应为 ${size} 字节）。`)
  }
}
