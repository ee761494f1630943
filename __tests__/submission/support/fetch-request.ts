/**
 * Taro.request for jest, over Node's fetch, behaving like WeChat's: resolves { statusCode, data,
 * header } for any HTTP answer, rejects { errMsg: 'request:fail …' } when no answer arrives, parses
 * JSON when dataType is 'json', sends an ArrayBuffer body as bytes, honours `timeout`, and returns a
 * promise with abort(). Hooks let a test fail a request before it leaves (the network is down) or
 * after the server answered (the answer was lost), and count what was sent.
 */
import Taro from '../../mocks/taro'

export interface SentRequest {
  method: string
  url: string
  path: string
  header: Record<string, string>
  /** Bytes of a binary body. */
  bytes?: Buffer
  json?: any
}

export interface FakeNetwork {
  sent: SentRequest[]
  inFlight: number
  maxInFlight: number
  /** Throw to fail the request before it reaches the server. */
  before?: (request: SentRequest) => void | Promise<void>
  /** Throw to lose the answer after the server handled the request. */
  after?: (request: SentRequest, response: { statusCode: number; data: unknown; header: Record<string, string> }) => void | Promise<void>
  reset(): void
}

export const network: FakeNetwork = {
  sent: [],
  inFlight: 0,
  maxInFlight: 0,
  reset() {
    this.sent = []
    this.inFlight = 0
    this.maxInFlight = 0
    this.before = undefined
    this.after = undefined
  },
}

interface Options {
  url: string
  method?: string
  data?: unknown
  header?: Record<string, string>
  timeout?: number
  dataType?: string
  responseType?: string
}

export function fetchRequest(options: Options) {
  const controller = new AbortController()
  const method = (options.method ?? 'GET').toUpperCase()
  const url = new URL(options.url)
  const sent: SentRequest = { method, url: options.url, path: url.pathname, header: { ...(options.header ?? {}) } }
  let body: Uint8Array<ArrayBuffer> | string | undefined
  if (options.data instanceof ArrayBuffer) {
    body = new Uint8Array(options.data.slice(0))
    sent.bytes = Buffer.from(body)
  } else if (options.data !== undefined && method !== 'GET' && method !== 'HEAD') {
    sent.json = JSON.parse(JSON.stringify(options.data))
    body = JSON.stringify(options.data)
  }
  const timer = setTimeout(() => controller.abort(), options.timeout ?? 60000)
  const promise = (async () => {
    network.inFlight += 1
    network.maxInFlight = Math.max(network.maxInFlight, network.inFlight)
    try {
      await network.before?.(sent)
      network.sent.push(sent)
      const res = await fetch(options.url, { method, headers: options.header, body, signal: controller.signal })
      const text = await res.text()
      const header: Record<string, string> = {}
      res.headers.forEach((value, key) => {
        header[key] = value
      })
      let data: unknown = text
      if (options.dataType === 'json' && text !== '') {
        try {
          data = JSON.parse(text)
        } catch {
          data = text
        }
      }
      const response = { statusCode: res.status, data, header, errMsg: 'request:ok' }
      await network.after?.(sent, response)
      return response
    } catch (error) {
      const e = error as { name?: string; message?: string }
      throw { errMsg: e.name === 'AbortError' ? 'request:fail timeout' : `request:fail ${e.message ?? String(error)}` }
    } finally {
      network.inFlight -= 1
      clearTimeout(timer)
    }
  })()
  return Object.assign(promise, { abort: () => controller.abort() })
}

/** Routes Taro.request through fetchRequest. */
export function installFetchRequest(): void {
  ;(Taro.request as unknown as jest.Mock).mockImplementation(fetchRequest)
}

/** A failure a test throws from `before`: the phone has no network. */
export function networkDown(): never {
  throw new Error('connect ENETUNREACH')
}
