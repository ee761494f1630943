/**
 * Secure random bytes on H5 and in Node: WebCrypto's crypto.getRandomValues. The WeChat build
 * uses random.weapp.ts instead (Taro picks the platform file). No fallback to a non-cryptographic generator.
 */
import { SecureRandomUnavailableError, MAX_RANDOM_PER_CALL, checkNotStuck, checkRandomLength } from './random-error'

export { SecureRandomUnavailableError }

interface WebCryptoLike {
  getRandomValues?: (array: Uint8Array) => unknown
}

export async function randomBytes(n: number): Promise<Uint8Array> {
  checkRandomLength(n)
  // A free identifier, not globalThis: iOS Safari before 12.2 has no globalThis.
  const webCrypto: WebCryptoLike | undefined = typeof crypto !== 'undefined' ? crypto : undefined
  if (!webCrypto || typeof webCrypto.getRandomValues !== 'function') throw new SecureRandomUnavailableError('crypto.getRandomValues is missing')
  const out = new Uint8Array(n)
  try {
    // getRandomValues refuses more than 65536 bytes per call.
    for (let offset = 0; offset < n; offset += MAX_RANDOM_PER_CALL) {
      webCrypto.getRandomValues(out.subarray(offset, Math.min(n, offset + MAX_RANDOM_PER_CALL)))
    }
  } catch (error) {
    throw new SecureRandomUnavailableError(`crypto.getRandomValues failed: ${String(error)}`)
  }
  checkNotStuck(out)
  return out
}
