/**
 * The encryption worker, browser build: a dedicated Web Worker (src/platform/crypto-worker.ts).
 * Only arithmetic happens here; see src/crypto-worker/protocol.ts.
 */
import { createSealService } from '@/crypto-worker/service'

interface WorkerScope {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void
  onmessage: ((event: { data: unknown }) => void) | null
}

const scope = self as unknown as WorkerScope
const handle = createSealService((reply, transfer) => scope.postMessage(reply, transfer ?? []))
scope.onmessage = (event) => handle(event.data)
scope.postMessage({ type: 'ready' }, [])
