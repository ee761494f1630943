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

/**
 * Requests are handled strictly in order, one slice of at most IN_THREAD_PIECE_SIZE plaintext bytes
 * per macrotask: a 1 MiB piece (the size the file reads and writes use) becomes 16 short tasks,
 * answered as one reply.
 */
export function createInThreadTransport(): SealTransport {
  const schedule = pickScheduler()
  let onReply: (reply: SealReply) => void = () => undefined
  let stopped = false
  /** Where the service's replies go: straight to the page, or collected while a piece is sliced. */
  let sink: (reply: SealReply) => void = (reply) => onReply(reply)
  // The KDF runs in slices on later macrotasks: its replies go straight to the page, whatever piece is being sliced.
  const later = (reply: SealReply) => reply.type === 'derive-progress' || reply.type === 'derived' || (reply.type === 'error' && reply.op === 'derive')
  const service = createSealService((reply) => (later(reply) ? onReply(reply) : sink(reply)), { schedule: (callback) => schedule(() => !stopped && callback()) })
  const queue: SealRequest[] = []
  let pumping = false

  /** One request, sliced; calls `done` once its reply went out. */
  const handle = (request: SealRequest, done: () => void) => {
    if (request.type !== 'data' || request.bytes.byteLength <= IN_THREAD_PIECE_SIZE) {
      sink = (reply) => onReply(reply)
      service(request)
      return done()
    }
    const bytes = new Uint8Array(request.bytes)
    const parts: Uint8Array[] = []
    let failed = false
    let at = 0
    const step = () => {
      if (stopped) return
      const end = Math.min(at + IN_THREAD_PIECE_SIZE, bytes.length)
      sink = (reply) => {
        if (reply.type === 'out') parts.push(new Uint8Array(reply.bytes))
        else {
          failed = true
          onReply(reply)
        }
      }
      service({ type: 'data', job: request.job, seq: request.seq, bytes: bytes.slice(at, end).buffer })
      at = end
      if (!failed && at < bytes.length) return schedule(step)
      if (!failed) {
        const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
        let o = 0
        for (const p of parts) {
          out.set(p, o)
          o += p.length
        }
        onReply({ type: 'out', job: request.job, seq: request.seq, bytes: out.buffer })
      }
      done()
    }
    step()
  }

  const pump = () => {
    if (stopped || pumping) return
    const next = queue.shift()
    if (!next) return
    pumping = true
    handle(next, () => {
      pumping = false
      if (queue.length > 0) schedule(pump)
    })
  }

  return {
    kind: 'in-thread',
    post(request: SealRequest) {
      queue.push(request)
      schedule(pump)
    },
    onReply(handler) {
      onReply = handler
    },
    onDeath() {
      // The page thread does not die without the page.
    },
    terminate() {
      stopped = true
      queue.length = 0
    },
  }
}
