/**
 * Secure random bytes for browsers (H5) and Node: Web Crypto's getRandomValues. There is no
 * fallback: without a secure source the app refuses to encrypt rather than use weak randomness.
 */
export class SecureRandomUnavailableError extends Error {
  constructor() {
    super('此设备无法生成安全随机数，无法加密举报 (no secure random source)')
    this.name = 'SecureRandomUnavailableError'
  }
}

/** getRandomValues fills at most 65536 bytes per call. */
const MAX_PER_CALL = 65536

export async function randomBytes(n: number): Promise<Uint8Array> {
  const source = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto
  if (!source || typeof source.getRandomValues !== 'function') throw new SecureRandomUnavailableError()
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += MAX_PER_CALL) source.getRandomValues(out.subarray(i, Math.min(n, i + MAX_PER_CALL)))
  return out
}
