/**
 * Secure random bytes in the WeChat mini-program: wx.getRandomValues through Taro (base library
 * 2.17.3 and later). Fails closed when the API is missing or fails; no weaker fallback.
 */
import Taro from '@tarojs/taro'
import { SecureRandomUnavailableError, MAX_RANDOM_PER_CALL, checkNotStuck, checkRandomLength } from './random-error'

export { SecureRandomUnavailableError }

export async function randomBytes(n: number): Promise<Uint8Array> {
  checkRandomLength(n)
  const getRandomValues = (Taro as { getRandomValues?: typeof Taro.getRandomValues }).getRandomValues
  if (typeof getRandomValues !== 'function') throw new SecureRandomUnavailableError('Taro.getRandomValues is missing')
  const out = new Uint8Array(n)
  for (let offset = 0; offset < n; offset += MAX_RANDOM_PER_CALL) {
    const length = Math.min(MAX_RANDOM_PER_CALL, n - offset)
    let buffer: ArrayBuffer | undefined
    try {
      buffer = (await getRandomValues({ length })).randomValues
    } catch (error) {
      const message = error && typeof error === 'object' && 'errMsg' in error ? String((error as { errMsg: unknown }).errMsg) : String(error)
      throw new SecureRandomUnavailableError(`getRandomValues failed: ${message}`)
    }
    if (!buffer || typeof buffer.byteLength !== 'number' || buffer.byteLength !== length) {
      throw new SecureRandomUnavailableError(`getRandomValues returned ${buffer ? buffer.byteLength : 'no'} bytes, expected ${length}`)
    }
    out.set(new Uint8Array(buffer), offset)
  }
  checkNotStuck(out)
  return out
}
