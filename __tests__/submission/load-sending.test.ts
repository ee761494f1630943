/**
 * H5 loads the crypto part of sending on demand (src/outbox/load-sending.ts): when that chunk
 * cannot be fetched (offline, no service worker yet), the job waits for the network and is
 * retried, with a message for the resident, instead of failing for good.
 */
jest.mock('@/outbox/sending', () => {
  throw new Error('Loading chunk 123 failed.')
})

import { loadSending, SENDING_UNAVAILABLE } from '@/outbox/load-sending'
import { ApiError } from '@/services/request'

test('a chunk that cannot be loaded is a retryable offline error', async () => {
  const error = await loadSending().then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ApiError)
  expect((error as ApiError).retryable).toBe(true)
  expect((error as ApiError).message).toBe(SENDING_UNAVAILABLE)
})
