/**
 * The encryption worker in WeChat: wx.createWorker with useExperimentalWorker (several times
 * faster on iOS, which runs the logic layer without a JIT), declared in app.json ("workers") and
 * built by config/crypto-worker.ts into workers/crypto/index.js. WeChat may reclaim it under
 * memory pressure (onProcessKilled): that is reported as its death, and the caller seals the file
 * again in a new worker. Answers undefined where the base library cannot carry ArrayBuffers in
 * worker messages (before 2.20.2) or has no createWorker; the caller then seals in-thread.
 */
import Taro from '@tarojs/taro'
import type { SealReply, SealTransport } from '@/crypto-worker/protocol'

export const CRYPTO_WORKER_PATH = 'workers/crypto/index.js'
const MIN_SDK = [2, 20, 2]

interface WxWorker {
  postMessage(message: unknown): void
  onMessage(listener: (message: unknown) => void): void
  onProcessKilled?(listener: () => void): void
  terminate(): void
}

type CreateWorker = (path: string, options?: { useExperimentalWorker?: boolean }) => WxWorker

function sdkAtLeast(version: string | undefined, min: number[]): boolean {
  if (typeof version !== 'string') return false
  const parts = version.split('.').map((p) => Number(p))
  for (let i = 0; i < min.length; i++) {
    const v = parts[i] ?? 0
    if (!Number.isFinite(v)) return false
    if (v !== min[i]) return v > min[i]
  }
  return true
}

function sdkVersion(): string | undefined {
  const api = Taro as unknown as { getAppBaseInfo?: () => { SDKVersion?: string }; getSystemInfoSync?: () => { SDKVersion?: string } }
  try {
    return api.getAppBaseInfo?.().SDKVersion ?? api.getSystemInfoSync?.().SDKVersion
  } catch {
    return undefined
  }
}

export function startSealWorker(): SealTransport | undefined {
  const createWorker = (Taro as unknown as { createWorker?: CreateWorker }).createWorker
  if (typeof createWorker !== 'function' || !sdkAtLeast(sdkVersion(), MIN_SDK)) return undefined
  let worker: WxWorker
  try {
    worker = createWorker(CRYPTO_WORKER_PATH, { useExperimentalWorker: true })
  } catch {
    return undefined
  }
  let onReply: (reply: SealReply) => void = () => undefined
  let onDeath: (reason: string) => void = () => undefined
  worker.onMessage((message) => onReply(message as SealReply))
  worker.onProcessKilled?.(() => onDeath('reclaimed by WeChat (onProcessKilled)'))
  return {
    kind: 'worker',
    // WeChat copies every message; there is nothing to transfer.
    post(request) {
      worker.postMessage(request)
    },
    onReply(handler) {
      onReply = handler
    },
    onDeath(handler) {
      onDeath = handler
    },
    terminate() {
      try {
        worker.terminate()
      } catch {
        // Already gone.
      }
    },
  }
}
