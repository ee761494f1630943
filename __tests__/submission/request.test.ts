/**
 * The typed request wrapper (src/services/request.ts) against the Taro fake: URL from the build's
 * API base, bodies, status codes → typed errors with Chinese messages, timeouts, offline, cancel.
 */
import Taro, { __reset } from '../mocks/taro'
import { ApiError, CancelledError, Cancellation, apiBase, messageOf, request } from '@/services/request'
import { finalizeSubmission, getConfig, headAttachment, putChunk } from '@/services/api'
import { fetchCase } from '@/services/case-api'
import { bundledConfig } from '@/domain/campaign'

const mockRequest = Taro.request as unknown as jest.Mock

type Answer = { statusCode: number; data?: unknown; header?: Record<string, string> }

function answer(a: Answer) {
  mockRequest.mockImplementationOnce(() => Object.assign(Promise.resolve({ errMsg: 'request:ok', header: {}, data: '', ...a }), { abort: jest.fn() }))
}

function fail(errMsg: string) {
  mockRequest.mockImplementationOnce(() => Object.assign(Promise.reject({ errMsg }), { abort: jest.fn() }))
}

async function errorOf(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p
  } catch (e) {
    if (e instanceof ApiError) return e
    throw e
  }
  throw new Error('expected an ApiError')
}

const OLD_BASE = process.env.TARO_APP_API_BASE

beforeEach(() => {
  __reset()
  mockRequest.mockReset()
  delete process.env.TARO_APP_API_BASE
})

afterAll(() => {
  if (OLD_BASE === undefined) delete process.env.TARO_APP_API_BASE
  else process.env.TARO_APP_API_BASE = OLD_BASE
})

describe('API base', () => {
  it('defaults to the same origin on H5', () => {
    expect(apiBase()).toBe('')
  })

  it('comes from TARO_APP_API_BASE, without a trailing slash', async () => {
    process.env.TARO_APP_API_BASE = ' https://jubao.example.cn/ '
    expect(apiBase()).toBe('https://jubao.example.cn')
    answer({ statusCode: 200, data: { ok: 1 } })
    await request({ path: '/api/v1/x' })
    expect(mockRequest.mock.calls[0][0].url).toBe('https://jubao.example.cn/api/v1/x')
  })

  it('uses the platform default when the variable is empty', () => {
    process.env.TARO_APP_API_BASE = '  '
    expect(apiBase()).toBe('')
  })
})

describe('request bodies and answers', () => {
  it('sends JSON with its content type and resolves the parsed body of a 2xx answer', async () => {
    answer({ statusCode: 201, data: { id: 'a' }, header: { 'X-Thing': '1' } })
    const res = await request<{ id: string }>({ method: 'POST', path: '/p', json: { a: 1 } })
    expect(res.status).toBe(201)
    expect(res.data).toEqual({ id: 'a' })
    expect(res.header('x-thing')).toBe('1')
    const call = mockRequest.mock.calls[0][0]
    expect(call).toMatchObject({ method: 'POST', data: { a: 1 }, dataType: 'json', timeout: 20000 })
    expect(call.header['Content-Type']).toBe('application/json')
  })

  it('parses a JSON body that arrives as text', async () => {
    answer({ statusCode: 200, data: '{"x":2}' })
    expect((await request({ path: '/p' })).data).toEqual({ x: 2 })
  })

  it('sends bytes as an ArrayBuffer holding exactly those bytes (a view into a bigger buffer too)', async () => {
    const big = new Uint8Array([9, 9, 1, 2, 3, 9])
    answer({ statusCode: 200, data: { offset: 3, size: 10 } })
    await request({ method: 'PUT', path: '/p', bytes: big.subarray(2, 5), headers: { 'Upload-Offset': '0' } })
    const call = mockRequest.mock.calls[0][0]
    expect(call.data).toBeInstanceOf(ArrayBuffer)
    expect([...new Uint8Array(call.data)]).toEqual([1, 2, 3])
    expect(call.header).toEqual({ 'Upload-Offset': '0', 'Content-Type': 'application/octet-stream' })
  })

  it('reads headers case-insensitively (WeChat keeps the server\'s case)', async () => {
    answer({ statusCode: 200, header: { 'Upload-Offset': '262144', 'UPLOAD-LENGTH': '999' } })
    expect(await headAttachment('0'.repeat(32), 0)).toEqual({ offset: 262144, length: 999 })
    const call = mockRequest.mock.calls[0][0]
    expect(call.method).toBe('HEAD')
    expect(call.dataType).toBe('other')
  })
})

describe('status codes become typed errors with plain Chinese messages', () => {
  it.each<[number, unknown, string, string | undefined, string]>([
    [400, { code: 'INVALID_FIELD', message: 'x' }, 'rejected', 'INVALID_FIELD', '服务器没有接受这次请求'],
    [403, { code: 'CAMPAIGN_CLOSED', message: 'x' }, 'rejected', 'CAMPAIGN_CLOSED', '目前不在受理时间内，暂时不能在线提交'],
    [404, { code: 'RECEIPT_NOT_FOUND', message: 'x' }, 'rejected', 'RECEIPT_NOT_FOUND', '查询码不正确或举报不存在'],
    [409, { code: 'RECEIPT_IN_USE', message: 'x' }, 'conflict', 'RECEIPT_IN_USE', '查询码与他人重复，需要重新生成'],
    [429, { code: 'RATE_LIMITED', message: 'x' }, 'server', 'RATE_LIMITED', '操作太频繁，请过几分钟再试'],
    [500, { code: 'INTERNAL', message: 'x' }, 'server', 'INTERNAL', '服务器暂时忙不过来，请稍后再试'],
    [507, { code: 'STORAGE_FULL', message: 'x' }, 'server', 'STORAGE_FULL', '服务器存储空间暂时不足。举报已安全保存在手机上，稍后会自动重新发送，不需要重新填写'],
    [503, { code: 'BUSY', message: 'x' }, 'server', 'BUSY', '服务器正忙，稍后会自动重试'],
    [429, { code: 'UPLOADS_IN_FLIGHT', message: 'x' }, 'server', 'UPLOADS_IN_FLIGHT', '同时上传的材料较多，稍后会自动继续'],
    [429, { code: 'UNFINISHED_QUOTA', message: 'x' }, 'server', 'UNFINISHED_QUOTA', '当前网络中未完成的上传较多，稍后会自动重新发送'],
    [502, '<html>Bad Gateway</html>', 'server', undefined, '服务器暂时忙不过来，请稍后再试'],
    [408, '', 'timeout', undefined, '网络太慢，连接超时了'],
    [302, '<html>portal</html>', 'server', 'BAD_RESPONSE', '服务器返回的内容无法识别，可能是网络被拦截，请稍后再试'],
  ])('%i %j → %s %s', async (statusCode, data, kind, code, message) => {
    answer({ statusCode, data })
    const e = await errorOf(request({ path: '/p' }))
    expect(e.kind).toBe(kind)
    expect(e.code).toBe(code)
    expect(e.status).toBe(statusCode)
    expect(e.message).toBe(message)
    expect(e.retryable).toBe(kind === 'server' || kind === 'timeout')
  })

  it('a 409 OFFSET_MISMATCH carries the server\'s offset (from the body, else the header)', async () => {
    answer({ statusCode: 409, data: { code: 'OFFSET_MISMATCH', message: 'x', offset: 524288 } })
    expect((await errorOf(putChunk('a'.repeat(32), 1, 0, new Uint8Array(4)))).details.offset).toBe(524288)
    answer({ statusCode: 409, data: '', header: { 'upload-offset': '1024' } })
    const e = await errorOf(putChunk('a'.repeat(32), 1, 0, new Uint8Array(4)))
    expect(e.kind).toBe('conflict')
    expect(e.details.offset).toBe(1024)
  })

  it('UPLOAD_INCOMPLETE lists the attachments; 429 keeps Retry-After', async () => {
    answer({ statusCode: 409, data: { code: 'UPLOAD_INCOMPLETE', message: 'x', attachments: [{ n: 1, offset: 5, size: 96 }] } })
    expect((await errorOf(finalizeSubmission('a'.repeat(32), { receipt: '1'.repeat(16) }))).details.attachments).toEqual([{ n: 1, offset: 5, size: 96 }])
    answer({ statusCode: 429, data: { code: 'RATE_LIMITED', message: 'x' }, header: { 'Retry-After': '42' } })
    expect((await errorOf(request({ path: '/p' }))).details.retryAfterMs).toBe(42000)
    answer({ statusCode: 507, data: { code: 'STORAGE_FULL', message: 'x' }, header: { 'Retry-After': '300' } })
    expect((await errorOf(request({ path: '/p' }))).details.retryAfterMs).toBe(300000)
  })

  it('a 2xx answer of the wrong shape (a captive portal page) is a retryable server error', async () => {
    answer({ statusCode: 200, data: '<html>请登录 Wi-Fi</html>' })
    const e = await errorOf(fetchCase('A'.repeat(43)))
    expect(e).toMatchObject({ kind: 'server', code: 'BAD_RESPONSE' })
    answer({ statusCode: 200, data: { version: 1 } })
    expect((await errorOf(getConfig())).code).toBe('BAD_RESPONSE')
  })

  it('getConfig keeps a valid configuration for offline use', async () => {
    answer({ statusCode: 200, data: bundledConfig })
    expect(await getConfig()).toEqual(bundledConfig)
    expect(Taro.setStorageSync).toHaveBeenCalledWith('config/campaign', bundledConfig)
  })
})

describe('no answer at all', () => {
  it.each([
    ['request:fail net::ERR_INTERNET_DISCONNECTED', 'offline', '网络连接不上，请检查手机是否已联网'],
    ['request:fail errcode:-101 cronet_error_code:-101', 'offline', '网络连接不上，请检查手机是否已联网'],
    ['request:fail timeout', 'timeout', '网络太慢，连接超时了'],
  ])('%s → %s', async (errMsg, kind, message) => {
    fail(errMsg)
    const e = await errorOf(request({ path: '/p' }))
    expect(e.kind).toBe(kind)
    expect(e.message).toBe(message)
    expect(e.retryable).toBe(true)
    expect(e.status).toBeUndefined()
  })

  it('a browser fetch failure (TypeError) is offline; an abort is a timeout', async () => {
    mockRequest.mockImplementationOnce(() => Promise.reject(new TypeError('Failed to fetch')))
    expect((await errorOf(request({ path: '/p' }))).kind).toBe('offline')
    const abort = new Error('The user aborted a request.')
    abort.name = 'AbortError'
    mockRequest.mockImplementationOnce(() => Promise.reject(abort))
    expect((await errorOf(request({ path: '/p' }))).kind).toBe('timeout')
  })

  it('a request the platform never settles times out on our own timer, and is aborted', async () => {
    jest.useFakeTimers()
    try {
      const abortSpy = jest.fn()
      mockRequest.mockImplementationOnce(() => Object.assign(new Promise(() => undefined), { abort: abortSpy }))
      const pending = errorOf(request({ path: '/p', timeoutMs: 5000 }))
      await jest.advanceTimersByTimeAsync(6999)
      expect(abortSpy).not.toHaveBeenCalled()
      await jest.advanceTimersByTimeAsync(2)
      const e = await pending
      expect(e.kind).toBe('timeout')
      expect(abortSpy).toHaveBeenCalled()
      expect(mockRequest.mock.calls[0][0].timeout).toBe(5000)
    } finally {
      jest.useRealTimers()
    }
  })

  it('cancelling aborts the request and rejects with CancelledError', async () => {
    const abortSpy = jest.fn()
    mockRequest.mockImplementationOnce(() => Object.assign(new Promise(() => undefined), { abort: abortSpy }))
    const cancel = new Cancellation()
    const pending = request({ path: '/p', cancel })
    cancel.cancel()
    await expect(pending).rejects.toBeInstanceOf(CancelledError)
    expect(abortSpy).toHaveBeenCalled()
    // Already cancelled: nothing is sent.
    await expect(request({ path: '/p', cancel })).rejects.toBeInstanceOf(CancelledError)
    expect(mockRequest).toHaveBeenCalledTimes(1)
  })

  it('messageOf gives Chinese text for anything thrown', () => {
    expect(messageOf(new ApiError('offline'))).toBe('网络连接不上，请检查手机是否已联网')
    expect(messageOf(new Error('手机存储空间不足'))).toBe('手机存储空间不足')
    expect(messageOf(new Error('ENOSPC'))).toBe('出现了意外问题，请稍后再试')
    expect(messageOf('weird')).toBe('出现了意外问题，请稍后再试')
  })
})
