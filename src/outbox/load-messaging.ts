/**
 * Browser (H5): the phases of a case message job (./message: encrypt, post, upload, finalize, and
 * the case endpoints) are a separate chunk, fetched when such a job runs, so that the home page's
 * first load stays small (npm run size). The case page loads it anyway; offline and without it in
 * the cache, the job waits like any upload that waits for the network.
 */
import { ApiError } from '@/services/request'
import { SENDING_UNAVAILABLE } from './load-sending'

export function loadMessaging(): Promise<typeof import('./message/process')> {
  return import('./message/process').catch(() => {
    throw new ApiError('offline', { message: SENDING_UNAVAILABLE })
  })
}
