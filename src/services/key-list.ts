/**
 * Fetches the bureau's signed key list (GET /api/v1/keys) and offers it to the key store, which
 * decides whether the phone may use it. The server is not trusted here: what it sends is only a
 * candidate.
 */
import { offerKeyList, type OfferResult } from '@/keys/store'
import { logError } from './error-log'
import { ApiError, request, type Cancellation } from './request'

/**
 * Asks the server for its key list. Network trouble rejects with an ApiError (the caller retries
 * later); a server without a list, or a list the phone refuses, resolves with accepted: false.
 */
export async function refreshKeyList(cancel?: Cancellation): Promise<OfferResult> {
  let data: unknown
  try {
    data = (await request<unknown>({ path: '/api/v1/keys', cancel })).data
  } catch (error) {
    if (error instanceof ApiError && error.kind === 'rejected') {
      logError('key-list-unavailable', `${error.status ?? ''} ${error.code ?? ''}`.trim())
      return { accepted: false, code: 'NOT_SERVED', reason: 'the server has no key list' }
    }
    throw error
  }
  return offerKeyList(data)
}
