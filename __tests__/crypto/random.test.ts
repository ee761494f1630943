/**
 * The secure random source fails closed: no crypto, a failing or stuck source, or a short answer
 * is an error, never a weaker fallback.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import Taro from '@tarojs/taro'
import * as h5 from '@/platform/random'
import * as weapp from '@/platform/random.weapp'

describe('H5 / Node: crypto.getRandomValues', () => {
  const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!
  const setCrypto = (value: unknown) => Object.defineProperty(globalThis, 'crypto', { value, configurable: true, writable: true })
  afterEach(() => {
    Object.defineProperty(globalThis, 'crypto', original)
    jest.restoreAllMocks()
  })

  test('returns n fresh bytes', async () => {
    const a = await h5.randomBytes(32)
    const b = await h5.randomBytes(32)
    expect(a).toBeInstanceOf(Uint8Array)
    expect(a).toHaveLength(32)
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false)
    expect(await h5.randomBytes(0)).toHaveLength(0)
  })

  test('asks for at most 65536 bytes per call', async () => {
    const spy = jest.spyOn(globalThis.crypto, 'getRandomValues')
    const bytes = await h5.randomBytes(2 * 65536 + 5)
    expect(bytes).toHaveLength(2 * 65536 + 5)
    expect(spy).toHaveBeenCalledTimes(3)
    for (const [array] of spy.mock.calls) expect((array as Uint8Array).length).toBeLessThanOrEqual(65536)
  })

  test.each([
    ['crypto is missing', undefined],
    ['crypto has no getRandomValues', {}],
  ])('%s: SecureRandomUnavailableError', async (_why, value) => {
    setCrypto(value)
    await expect(h5.randomBytes(16)).rejects.toBeInstanceOf(h5.SecureRandomUnavailableError)
    await expect(h5.randomBytes(16)).rejects.toThrow(/此设备无法生成安全随机数.*no secure random source/)
  })

  test('getRandomValues throws: SecureRandomUnavailableError', async () => {
    setCrypto({
      getRandomValues: () => {
        throw new Error('QuotaExceededError')
      },
    })
    await expect(h5.randomBytes(16)).rejects.toThrow(/no secure random source: crypto.getRandomValues failed/)
  })

  test('a source stuck at zero: SecureRandomUnavailableError', async () => {
    setCrypto({ getRandomValues: (array: Uint8Array) => array })
    await expect(h5.randomBytes(32)).rejects.toThrow(/all zero/)
  })

  test.each([-1, 1.5, NaN])('a byte count of %p is a RangeError', async (n) => {
    await expect(h5.randomBytes(n)).rejects.toBeInstanceOf(RangeError)
  })
})

describe('WeChat: Taro.getRandomValues', () => {
  const mock = jest.mocked(Taro.getRandomValues)
  afterEach(() => {
    mock.mockClear()
    jest.restoreAllMocks()
  })

  test('returns n fresh bytes, in calls of at most 65536', async () => {
    const a = await weapp.randomBytes(200_000)
    expect(a).toHaveLength(200_000)
    expect(mock).toHaveBeenCalledTimes(4)
    expect(mock.mock.calls.map(([option]) => option.length)).toEqual([65536, 65536, 65536, 200_000 - 3 * 65536])
    const b = await weapp.randomBytes(32)
    expect(Buffer.from(b).equals(Buffer.from(await weapp.randomBytes(32)))).toBe(false)
  })

  test('Taro.getRandomValues missing (old base library): SecureRandomUnavailableError', async () => {
    const taro = Taro as unknown as Record<string, unknown>
    const saved = taro.getRandomValues
    delete taro.getRandomValues
    try {
      await expect(weapp.randomBytes(16)).rejects.toBeInstanceOf(weapp.SecureRandomUnavailableError)
      await expect(weapp.randomBytes(16)).rejects.toThrow(/此设备无法生成安全随机数.*Taro.getRandomValues is missing/)
    } finally {
      taro.getRandomValues = saved
    }
  })

  test('Taro.getRandomValues rejects: SecureRandomUnavailableError with its errMsg', async () => {
    mock.mockRejectedValueOnce({ errMsg: 'getRandomValues:fail system error' })
    await expect(weapp.randomBytes(16)).rejects.toThrow(/getRandomValues:fail system error/)
  })

  test('a short answer: SecureRandomUnavailableError', async () => {
    mock.mockResolvedValueOnce({ randomValues: new ArrayBuffer(8), errMsg: 'getRandomValues:ok' })
    await expect(weapp.randomBytes(16)).rejects.toThrow(/returned 8 bytes, expected 16/)
    mock.mockResolvedValueOnce({ errMsg: 'getRandomValues:ok' } as never)
    await expect(weapp.randomBytes(16)).rejects.toBeInstanceOf(weapp.SecureRandomUnavailableError)
  })

  test('a source stuck at zero: SecureRandomUnavailableError', async () => {
    mock.mockResolvedValueOnce({ randomValues: new ArrayBuffer(32), errMsg: 'getRandomValues:ok' })
    await expect(weapp.randomBytes(32)).rejects.toThrow(/all zero/)
  })

  test('the weapp build does not depend on globalThis.crypto', async () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true })
    try {
      const { webcrypto } = await import('node:crypto')
      mock.mockImplementationOnce(async ({ length }) => ({ randomValues: webcrypto.getRandomValues(new Uint8Array(length)).buffer, errMsg: 'getRandomValues:ok' }))
      expect(await weapp.randomBytes(64)).toHaveLength(64)
    } finally {
      Object.defineProperty(globalThis, 'crypto', original)
    }
  })
})

test('the envelope code never calls the non-cryptographic Math generator, not even in comments', () => {
  const root = join(__dirname, '..', '..')
  // Spelled in two parts so this file does not contain what it looks for.
  const insecure = new RegExp(['Math', 'random'].join('\\.'))
  const files = [
    ...['src/crypto', 'server/src/envelope', '__tests__/crypto'].flatMap((dir) => readdirSync(join(root, dir)).map((file) => `${dir}/${file}`)),
    'src/platform/random.ts',
    'src/platform/random.weapp.ts',
    'src/platform/random-error.ts',
    'src/domain/report-plaintext.ts',
    'scripts/make-vectors.ts',
    'scripts/bench-crypto.ts',
  ]
  for (const file of files) {
    expect({ file, uses: insecure.test(readFileSync(join(root, file), 'utf8')) }).toEqual({ file, uses: false })
  }
})
