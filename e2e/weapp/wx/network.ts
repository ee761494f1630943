/**
 * wx.request and the network state.
 *
 * wx.request (https://developers.weixin.qq.com/miniprogram/dev/api/network/request/wx.request.html,
 * limits from https://developers.weixin.qq.com/miniprogram/dev/framework/ability/network.html):
 * - real HTTP to the real test server. The URL's origin must be in the domain list
 *   (Device.domains maps the build's API base to the server that answers for it, as DNS would);
 *   anything else fails "url not in domain list", as WeChat does for unlisted domains;
 * - `timeout` in ms, default and maximum 60 000: then "request:fail timeout" (errno 5);
 * - at most 10 requests, uploads and downloads in flight: the 11th fails "exceed max task count"
 *   and is reported as a violation;
 * - data: an ArrayBuffer is sent as is, an object as JSON (or as a query string for GET), a string
 *   as is; dataType "json" parses a text answer when it can; responseType "arraybuffer" gives an
 *   ArrayBuffer; the answer has statusCode, header (an object) and cookies;
 * - enableChunked / enableHttp2 / enableQuic / enableCache are not faked and fail loudly;
 * - always returns a RequestTask (abort, onHeadersReceived), never a Promise;
 * - offline: fails at once ("request:fail net::ERR_INTERNET_DISCONNECTED"), and requests in flight
 *   when the network drops fail the same way;
 * - in the background: requests still open 5 s after onAppHide fail "interrupted", and new ones
 *   fail "interrupted" until the app is back in the foreground.
 * A killed app's requests are aborted (the socket closes) and answer nothing.
 *
 * Network state (https://developers.weixin.qq.com/miniprogram/dev/api/device/network/wx.onNetworkStatusChange.html):
 * getNetworkType gives "wifi" or "none"; onNetworkStatusChange listeners get
 * { isConnected, networkType } when Device.setOnline changes it.
 */
import type { Device } from '../device'
import { asyncApi, deliver, Listeners, WxFail, type ApiContext } from './api'

export const MAX_IN_FLIGHT = 10
export const MAX_TIMEOUT_MS = 60000
export const BACKGROUND_GRACE_MS = 5000

interface InFlight {
  abort(reason: WxFail): void
}

export interface NetworkState {
  background: boolean
  readonly inFlight: Set<InFlight>
  peakInFlight: number
  requests: { method: string; url: string; status?: number; error?: string; bytesSent: number }[]
}

function encodeQuery(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`)
    .join('&')
}

export function createNetwork(ctx: ApiContext, device: Device) {
  const state: NetworkState = { background: false, inFlight: new Set(), peakInFlight: 0, requests: [] }
  const statusListeners = new Listeners<{ isConnected: boolean; networkType: string }>()
  let backgroundTimer: NodeJS.Timeout | undefined

  const stopListening = device.onNetworkChange((online) => {
    if (!online) for (const r of [...state.inFlight]) r.abort(new WxFail('net::ERR_INTERNET_DISCONNECTED', 600001))
    statusListeners.emit(ctx, 'onNetworkStatusChange listener', { isConnected: online, networkType: online ? 'wifi' : 'none' })
  })

  const send = async (o: Record<string, unknown>, register: (r: InFlight) => void): Promise<Record<string, unknown>> => {
    for (const flag of ['enableChunked', 'enableHttp2', 'enableQuic', 'enableCache']) {
      if (o[flag]) throw new Error(`wx.request: ${flag} is not faked by e2e/weapp (add it to wx/network.ts)`)
    }
    if (typeof o.url !== 'string') throw new WxFail('parameter error: parameter.url should be String')
    const method = String(o.method ?? 'GET').toUpperCase()
    const record: NetworkState['requests'][number] = { method, url: o.url, bytesSent: 0 }
    state.requests.push(record)
    if (state.background) throw new WxFail('interrupted')
    if (!device.online) throw new WxFail('net::ERR_INTERNET_DISCONNECTED', 600001)
    const match = /^(https?:\/\/[^/]+)(\/.*)?$/i.exec(o.url)
    const target = match ? device.domains[match[1]] : undefined
    if (!match || !target) throw new WxFail('url not in domain list', 600002)
    if (state.inFlight.size >= MAX_IN_FLIGHT) {
      ctx.violation(`wx.request: an ${state.inFlight.size + 1}th request while ${MAX_IN_FLIGHT} are in flight (${method} ${o.url})`)
      throw new WxFail('exceed max task count')
    }
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries((o.header as Record<string, unknown>) ?? {})) if (v !== undefined) headers[k] = String(v)
    const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')
    let url = `${target}${match[2] ?? '/'}`
    let body: Buffer | undefined
    const data = o.data
    if (data !== undefined && data !== null) {
      if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') body = Buffer.from(new Uint8Array(data as ArrayBuffer))
      else if (typeof data === 'string') body = Buffer.from(data, 'utf8')
      else if (method === 'GET') url += (url.includes('?') ? '&' : '?') + encodeQuery(data as Record<string, unknown>)
      else {
        body = Buffer.from(JSON.stringify(data), 'utf8')
        if (!hasType) headers['content-type'] = 'application/json'
      }
    }
    if (method !== 'GET' && method !== 'HEAD' && !hasType && !headers['content-type']) headers['content-type'] = 'application/json'
    record.bytesSent = body?.length ?? 0
    const timeout = Math.min(typeof o.timeout === 'number' && o.timeout > 0 ? o.timeout : MAX_TIMEOUT_MS, MAX_TIMEOUT_MS)
    const controller = new AbortController()
    let failure: WxFail | undefined
    const entry: InFlight = {
      abort: (reason) => {
        failure = reason
        controller.abort()
      },
    }
    const timer = setTimeout(() => entry.abort(new WxFail('timeout', 5)), timeout)
    state.inFlight.add(entry)
    state.peakInFlight = Math.max(state.peakInFlight, state.inFlight.size)
    register(entry)
    try {
      const res = await fetch(url, { method, headers, body: body ? new Uint8Array(body) : undefined, signal: controller.signal, redirect: 'manual' })
      const raw = Buffer.from(await res.arrayBuffer())
      const header: Record<string, string> = {}
      res.headers.forEach((v, k) => (header[k] = v))
      record.status = res.status
      let out: unknown
      if (o.responseType === 'arraybuffer') out = ctx.realm.arrayBuffer(raw)
      else {
        out = raw.toString('utf8')
        if ((o.dataType ?? 'json') === 'json') {
          try {
            out = JSON.parse(out as string)
          } catch {
            // WeChat leaves text that is not JSON as a string.
          }
        }
      }
      return { statusCode: res.status, data: out, header, cookies: [] }
    } catch (error) {
      if (failure) throw failure
      throw new WxFail(`net::ERR_CONNECTION_REFUSED ${(error as Error).message}`, 600001)
    } finally {
      clearTimeout(timer)
      state.inFlight.delete(entry)
    }
  }

  const request = (o: Record<string, unknown> = {}) => {
    let current: InFlight | undefined
    let abortedEarly = false
    const outcome = send(o, (r) => {
      current = r
      if (abortedEarly) r.abort(new WxFail('abort'))
    }).catch((e) => {
      const lastRecord = state.requests[state.requests.length - 1]
      if (lastRecord && e instanceof WxFail) lastRecord.error = e.reason
      throw e
    })
    // Callbacks only: request never returns a Promise (Taro wraps it itself).
    deliver(ctx, 'request', { ...o, success: o.success ?? (() => undefined) }, outcome)
    return ctx.realm.copyIn({
      abort: () => {
        abortedEarly = true
        current?.abort(new WxFail('abort'))
      },
      onHeadersReceived: () => undefined,
      offHeadersReceived: () => undefined,
      onChunkReceived: () => {
        throw new Error('RequestTask.onChunkReceived is not faked by e2e/weapp')
      },
    })
  }

  const api = {
    request,
    getNetworkType: asyncApi(ctx, 'getNetworkType', () => ({ networkType: device.online ? 'wifi' : 'none', signalStrength: device.online ? 70 : 0, hasSystemProxy: false })),
    onNetworkStatusChange: statusListeners.on,
    offNetworkStatusChange: statusListeners.off,
  }

  return {
    api,
    state,
    enterBackground() {
      state.background = true
      backgroundTimer = setTimeout(() => {
        for (const r of [...state.inFlight]) r.abort(new WxFail('interrupted'))
      }, BACKGROUND_GRACE_MS)
    },
    enterForeground() {
      state.background = false
      if (backgroundTimer) clearTimeout(backgroundTimer)
    },
    /** The kill: every socket closes, nothing answers. */
    kill() {
      if (backgroundTimer) clearTimeout(backgroundTimer)
      for (const r of [...state.inFlight]) r.abort(new WxFail('killed'))
      stopListening()
    },
  }
}
