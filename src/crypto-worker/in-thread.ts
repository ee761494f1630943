/**
 * The fallback where no worker can be had (an old base library, a browser without Web Workers, a
 * worker that keeps being reclaimed): the same service and protocol in the page thread, each
 * message handled on a later macrotask so taps and renders get a turn between pieces.
 */
import type { SealReply, SealRequest, SealTransport } from './protocol'
import { createSealService } from './service'

/** Pieces small enough that one is a short task even without a JIT (64 KiB ≈ 30 ms at 2 MB/s). */
export const IN_THREAD_PIECE_SIZE = 64 * 1024

type Scheduler = (callback: () => void) => void

/**
 * Resolves on a later macrotask. setImmediate (Node) and MessageChannel (browsers) avoid the
 * 4 ms clamp of nested setTimeout; the WeChat logic layer has only setTimeout.
 */
function pickScheduler(): Scheduler {
  // typeof on free identifiers, not globalThis: iOS before 12.2 has no globalThis.
  if (typeof setImmediate === 'function') return (callback) => void setImmediate(callback)
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel()
    const queue: Array<() => void> = []
    channel.port1.onmessage = () => queue.shift()?.()
    return (callback) => {
      queue.push(callback)
      channel.port2.postMessage(0)
    }
  }
  return (callback) => void setTimeout(callback, 0)
}

export function createInThreadTransport(): SealTransport {
  const schedule = pickScheduler()
  let onReply: (reply: SealReply) => void = () => undefined
  let stopped = false
  const service = createSealService((reply) => schedule(() => !stopped && onReply(reply)))
  return {
    kind: 'in-thread',
    post(request: SealRequest) {
      schedule(() => !stopped && service(request))
    },
    onReply(handler) {
      onReply = handler
    },
    onDeath() {
      // The page thread does not die without the page.
    },
    terminate() {
      stopped = true
    },
  }
}
