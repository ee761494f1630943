/**
 * The one way the app talks to the intake server: a typed wrapper over Taro.request that builds
 * the URL from the build's API base, applies a timeout, checks the status code and turns every
 * failure into an ApiError whose message a resident understands. Nothing else calls Taro.request.
 */
import Taro from '@tarojs/taro'
import { DEFAULT_API_BASE } from '@/platform/api-base'

export type ApiErrorKind =
  /** No connection at all (no network, DNS failure, connection refused). */
  | 'offline'
  /** The server did not answer in time. */
  | 'timeout'
  /** The server failed or was overloaded (5xx, 429, an unreadable answer): try again later. */
  | 'server'
  /** The server refused the request (4xx other than 409): trying the same again will not help. */
  | 'rejected'
  /** 409: the server's state differs from ours (upload offset, receipt in use, …); the caller decides. */
  | 'conflict'

/** Documented extras of the server's error body (server/src/errors.ts). */
export interface ApiErrorDetails {
  /** The durable upload offset (OFFSET_MISMATCH, UPLOAD_EXCEEDS_SIZE). */
  offset?: number
  /** Attachments concerned (UPLOAD_INCOMPLETE, ATTACHMENT_HASH_MISMATCH). */
  attachments?: { n: number; offset: number; size: number }[]
  /** JSON pointer of the offending field (validation errors). */
  field?: string
  /** How long the server asked us to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number
}

const KIND_MESSAGES: Record<ApiErrorKind, string> = {
  offline: '网络连接不上，请检查手机是否已联网',
  timeout: '网络太慢，连接超时了',
  server: '服务器暂时忙不过来，请稍后再试',
  rejected: '服务器没有接受这次请求',
  conflict: '服务器上的记录和手机上的不一致',
}

/** Resident-facing text for the server's stable error codes; others fall back to the kind. */
const CODE_MESSAGES: Record<string, string> = {
  RATE_LIMITED: '操作太频繁，请过几分钟再试',
  // Load and storage: the report is safe on the phone and goes later by itself.
  STORAGE_FULL: '服务器存储空间暂时不足。举报已安全保存在手机上，稍后会自动重新发送，不需要重新填写',
  BUSY: '服务器正忙，稍后会自动重试',
  STORAGE_UNAVAILABLE: '服务器暂时无法保存，举报已安全保存在手机上，稍后会自动继续发送',
  UPLOADS_IN_FLIGHT: '同时上传的材料较多，稍后会自动继续',
  UNFINISHED_QUOTA: '当前网络中未完成的上传较多，稍后会自动重新发送',
  CAMPAIGN_CLOSED: '目前不在受理时间内，暂时不能在线提交',
  RECEIPT_NOT_FOUND: '查询码不正确或举报不存在',
  INVALID_RECEIPT: '查询码应为 16 位数字',
  SUBMISSION_NOT_FOUND: '服务器上已找不到这份举报的上传记录',
  ATTACHMENT_NOT_FOUND: '服务器上找不到这个材料的上传记录',
  UNKNOWN_KID: '加密用的公安机关公钥已经更新',
  IDEMPOTENCY_KEY_REUSED: '这份举报与服务器上的记录不一致',
  OFFSET_MISMATCH: '上传进度与服务器不一致，将从服务器记录的位置继续',
  UPLOAD_INCOMPLETE: '还有材料没有上传完',
  ATTACHMENT_HASH_MISMATCH: '材料在传输中出错，需要重新上传',
  RECEIPT_IN_USE: '查询码与他人重复，需要重新生成',
  RECEIPT_MISMATCH: '这份举报已用另一个查询码提交',
  SUBMISSION_FINALIZED: '这份举报已经提交完成',
  BODY_TOO_LARGE: '发送的内容太大，服务器无法接收',
  REPORT_TOO_LARGE: '举报文字内容太长，服务器无法接收',
  SUBMISSION_TOO_LARGE: '材料合计太大，服务器无法接收',
  ATTACHMENT_TOO_LARGE: '有材料太大，服务器无法接收',
  BAD_RESPONSE: '服务器返回的内容无法识别，可能是网络被拦截，请稍后再试',
  // The case channel (docs/server.md "Case channel").
  CASE_NOT_FOUND: '查询码不正确或举报不存在',
  AUTH_FAILURES: '这个网络上输错查询码的次数太多，请一分钟后再试',
  CASE_CLOSED_FOR_WRITING: '此案件已办结并超过可回复的期限，不能再发送消息',
  MESSAGE_QUOTA: '今天发送的消息已达上限，这条消息会在明天自动发送',
  CASE_MATERIAL_LIMIT: '这个案件补充的材料合计已达上限，请删减材料后重新发送',
  MESSAGE_TOO_LARGE: '消息太长，服务器无法接收',
  MESSAGE_NOT_FOUND: '服务器上已找不到这条消息的上传记录',
  REPLY_KEY_REQUIRED: '请重新打开案件页面后再发送',
}

export class ApiError extends Error {
  readonly kind: ApiErrorKind
  /** The server's stable error code, when it sent one. */
  readonly code?: string
  /** HTTP status, when a response arrived. */
  readonly status?: number
  readonly details: ApiErrorDetails

  constructor(kind: ApiErrorKind, options: { code?: string; status?: number; details?: ApiErrorDetails; message?: string } = {}) {
    super(options.message ?? (options.code && CODE_MESSAGES[options.code]) ?? KIND_MESSAGES[kind])
    this.name = 'ApiError'
    this.kind = kind
    this.code = options.code
    this.status = options.status
    this.details = options.details ?? {}
  }

  /** Whether the same request may succeed later without any change (network or server trouble). */
  get retryable(): boolean {
    return this.kind === 'offline' || this.kind === 'timeout' || this.kind === 'server'
  }
}

/** Thrown when the caller cancelled the request (not a failure: nothing to show). */
export class CancelledError extends Error {
  constructor() {
    super('已取消')
    this.name = 'CancelledError'
  }
}

/** A cancellation the caller triggers; requests given its signal are aborted at once. */
export class Cancellation {
  private listeners = new Set<() => void>()
  private done = false

  get cancelled(): boolean {
    return this.done
  }

  cancel(): void {
    if (this.done) return
    this.done = true
    const listeners = [...this.listeners]
    this.listeners.clear()
    listeners.forEach((fn) => fn())
  }

  /** Calls `fn` on cancel (at once when already cancelled); returns the unsubscribe. */
  onCancel(fn: () => void): () => void {
    if (this.done) {
      fn()
      return () => undefined
    }
    this.listeners.add(fn)
    return () => {
      this.listeners.delete(fn)
    }
  }

  throwIfCancelled(): void {
    if (this.done) throw new CancelledError()
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'HEAD'

/** JSON calls on a slow mobile network. */
export const DEFAULT_TIMEOUT_MS = 20000
/** Our own timer fires this long after the platform's, in case the platform never reports one. */
const TIMEOUT_GRACE_MS = 2000

export interface RequestOptions {
  method?: HttpMethod
  /** Path on the API server, starting with '/'. */
  path: string
  /** A JSON body. */
  json?: object
  /** A binary body (sent as application/octet-stream unless a Content-Type is given). */
  bytes?: Uint8Array
  headers?: Record<string, string>
  timeoutMs?: number
  /** The answer has no body to read (HEAD). */
  noBody?: boolean
  cancel?: Cancellation
}

export interface ApiResponse<T> {
  status: number
  data: T
  /** A response header, looked up case-insensitively. */
  header(name: string): string | undefined
}

/** The API base of this build: TARO_APP_API_BASE when set, else the platform's default. */
export function apiBase(): string {
  const configured = process.env.TARO_APP_API_BASE
  const base = typeof configured === 'string' && configured.trim() !== '' ? configured.trim() : DEFAULT_API_BASE
  return base.replace(/\/+$/, '')
}

function headerLookup(headers: unknown): (name: string) => string | undefined {
  const map = new Map<string, string>()
  if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
      if (v !== undefined && v !== null) map.set(k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v))
    }
  }
  return (name) => map.get(name.toLowerCase())
}

function parseBody(data: unknown, noBody: boolean): unknown {
  if (noBody) return undefined
  if (typeof data === 'string') {
    if (data.trim() === '') return undefined
    try {
      return JSON.parse(data)
    } catch {
      return data
    }
  }
  return data
}

function errorFromResponse(status: number, body: unknown, header: (name: string) => string | undefined): ApiError {
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {}
  const code = typeof b.code === 'string' ? b.code : undefined
  const details: ApiErrorDetails = {}
  const headerOffset = header('upload-offset')
  if (typeof b.offset === 'number') details.offset = b.offset
  else if (headerOffset !== undefined && /^\d+$/.test(headerOffset)) details.offset = Number(headerOffset)
  if (Array.isArray(b.attachments)) details.attachments = b.attachments as ApiErrorDetails['attachments']
  if (typeof b.field === 'string') details.field = b.field
  const retryAfter = header('retry-after')
  if (retryAfter !== undefined && /^\d{1,6}$/.test(retryAfter.trim())) details.retryAfterMs = Number(retryAfter.trim()) * 1000
  let kind: ApiErrorKind
  if (status === 409) kind = 'conflict'
  else if (status === 408) kind = 'timeout'
  else if (status === 429 || status >= 500) kind = 'server'
  else if (status >= 400) kind = 'rejected'
  // 1xx/3xx: a proxy or portal in the way, not our server.
  else kind = 'server'
  return new ApiError(kind, { code: code ?? (kind === 'server' && status < 400 ? 'BAD_RESPONSE' : undefined), status, details })
}

function errorFromFailure(error: unknown): ApiError {
  const e = (error ?? {}) as { errMsg?: unknown; message?: unknown; name?: unknown }
  const text = `${typeof e.errMsg === 'string' ? e.errMsg : ''} ${typeof e.message === 'string' ? e.message : ''}`
  if (e.name === 'AbortError' || /time(d)?\s*out|超时|abort/i.test(text)) return new ApiError('timeout')
  return new ApiError('offline')
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer
  return bytes.slice().buffer as ArrayBuffer
}

type Task = Promise<{ statusCode: number; data: unknown; header?: unknown }> & { abort?: () => void }

/**
 * Sends one request. Resolves with a 2xx answer; rejects with ApiError (or CancelledError).
 */
export function request<T = unknown>(options: RequestOptions): Promise<ApiResponse<T>> {
  const method = options.method ?? 'GET'
  const noBody = options.noBody === true || method === 'HEAD'
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const header: Record<string, string> = { ...(options.headers ?? {}) }
  const hasType = Object.keys(header).some((k) => k.toLowerCase() === 'content-type')
  let data: object | ArrayBuffer | undefined
  if (options.json !== undefined) {
    data = options.json
    if (!hasType) header['Content-Type'] = 'application/json'
  } else if (options.bytes !== undefined) {
    data = toArrayBuffer(options.bytes)
    if (!hasType) header['Content-Type'] = 'application/octet-stream'
  }

  return new Promise<ApiResponse<T>>((resolve, reject) => {
    if (options.cancel?.cancelled) {
      reject(new CancelledError())
      return
    }
    let settled = false
    let task: Task | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    let stopListening: () => void = () => undefined
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      stopListening()
      fn()
    }
    const abort = () => {
      try {
        task?.abort?.()
      } catch {
        // Already finished.
      }
    }
    try {
      task = Taro.request({
        url: `${apiBase()}${options.path}`,
        method,
        data,
        header,
        timeout,
        dataType: noBody ? 'other' : 'json',
        responseType: 'text',
      }) as unknown as Task
    } catch (error) {
      settle(() => reject(errorFromFailure(error)))
      return
    }
    timer = setTimeout(() => {
      abort()
      settle(() => reject(new ApiError('timeout')))
    }, timeout + TIMEOUT_GRACE_MS)
    if (options.cancel) {
      stopListening = options.cancel.onCancel(() => {
        abort()
        settle(() => reject(new CancelledError()))
      })
    }
    Promise.resolve(task).then(
      (res) => {
        settle(() => {
          if (!res || typeof res.statusCode !== 'number' || res.statusCode <= 0) {
            reject(new ApiError('offline'))
            return
          }
          const lookup = headerLookup(res.header)
          const body = parseBody(res.data, noBody)
          if (res.statusCode >= 200 && res.statusCode < 300) resolve({ status: res.statusCode, data: body as T, header: lookup })
          else reject(errorFromResponse(res.statusCode, body, lookup))
        })
      },
      (error: unknown) => settle(() => reject(errorFromFailure(error))),
    )
  })
}

/** The message to show for anything a network call threw. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message
  if (error instanceof Error && /[\u4e00-\u9fff]/.test(error.message)) return error.message
  return '出现了意外问题，请稍后再试'
}
