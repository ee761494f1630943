import { ApiError } from '@/services/request'

/** The outbox's own error: a problem on the phone that retrying will not fix by itself. */
export class LocalJobError extends Error {
  /** Resident-facing Chinese text. */
  constructor(message: string) {
    super(message)
    this.name = 'LocalJobError'
  }
}

/** The server wants a key the phone cannot verify: wait (with backoff) for a signed key list. */
export const KEYS_NOT_VERIFIED = 'KEYS_NOT_VERIFIED'
export const WAITING_FOR_KEYS = '正在等待公安机关发布经过核验的新加密公钥。举报已加密保存在手机上，只会发给核验过的公钥，稍后会自动重试。'

export function keysNotVerified(): ApiError {
  return new ApiError('server', { code: KEYS_NOT_VERIFIED, message: WAITING_FOR_KEYS })
}
