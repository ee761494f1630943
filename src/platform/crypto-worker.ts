/**
 * The encryption worker in browsers (H5): a dedicated Web Worker running src/workers/crypto.
 * Answers undefined where Web Workers are missing or refused, and the caller falls back to
 * the in-thread service. A worker that fails to load or crashes is reported as dead.
 */
import type { SealReply, SealTransport } from '@/crypto-worker/protocol'
import { newCryptoWorker } from './crypto-worker-new'

export function startSealWorker(): SealTransport | undefined {
  if (typeof Worker !== 'function') return undefined
  let worker: Worker
  try {
    worker = newCryptoWorker()
  } catch {
    return undefined
  }
  let onReply: (reply: SealReply) => void = () => undefined
  let onDeath: (reason: string) => void = () => undefined
  worker.onmessage = (event: MessageEvent) => onReply(event.data as SealReply)
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault()
    onDeath(event.message || 'worker error')
  }
  worker.onmessageerror = () => onDeath('a message could not be read')
  return {
    kind: 'worker',
    post(request, transfer) {
      worker.postMessage(request, transfer ?? [])
    },
    onReply(handler) {
      onReply = handler
    },
    onDeath(handler) {
      onDeath = handler
    },
    terminate() {
      worker.terminate()
    },
  }
}
