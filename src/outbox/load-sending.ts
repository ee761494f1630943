/**
 * Browser (H5): the crypto part of sending is a separate chunk, fetched when a report is sent
 * (the service worker has it once the app was opened online). Without it and without a network,
 * the job waits like any upload that waits for the network, and is retried.
 */
import { ApiError } from '@/services/request'

export const SENDING_UNAVAILABLE = '加密组件需要联网下载，网络恢复后会自动继续发送。'

export function loadSending(): Promise<typeof import('./sending')> {
  return import('./sending').catch(() => {
    throw new ApiError('offline', { message: SENDING_UNAVAILABLE })
  })
}
