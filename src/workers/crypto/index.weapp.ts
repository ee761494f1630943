/**
 * The encryption worker, WeChat build: wx.createWorker('workers/crypto/index.js',
 * { useExperimentalWorker: true }) runs this file (bundled on its own by config/crypto-worker.ts,
 * since a worker may require nothing outside its folder). WeChat gives it a global `worker`; it has
 * no wx file APIs, so the page thread reads and writes files and this only does the arithmetic.
 */
import { createSealService } from '@/crypto-worker/service'

declare const worker: {
  postMessage(message: unknown): void
  onMessage(listener: (message: unknown) => void): void
}

const handle = createSealService((reply) => worker.postMessage(reply))
worker.onMessage(handle)
worker.postMessage({ type: 'ready' })
