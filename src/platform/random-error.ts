/**
 * Thrown when the device cannot produce secure random bytes. Reports are never encrypted with a
 * weaker source: the caller shows the message and stops.
 */
export class SecureRandomUnavailableError extends Error {
  constructor(detail?: string) {
    super(`此设备无法生成安全随机数，无法加密举报 (no secure random source${detail ? `: ${detail}` : ''})`)
    this.name = 'SecureRandomUnavailableError'
  }
}

/** Largest request a single platform call gets (WebCrypto's per-call limit). */
export const MAX_RANDOM_PER_CALL = 65536

export function checkRandomLength(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`random byte count must be a non-negative integer, got ${n}`)
}

/**
 * A source that returns all zeros is broken, not unlucky (2^-128 for 16 bytes); refuse it rather
 * than encrypt with a predictable key.
 */
export function checkNotStuck(bytes: Uint8Array): void {
  if (bytes.length < 16) return
  let acc = 0
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]
  if (acc === 0) throw new SecureRandomUnavailableError('source returned all zero bytes')
}
