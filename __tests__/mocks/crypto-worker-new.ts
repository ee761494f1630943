/** Jest stand-in for src/platform/crypto-worker-new.ts (import.meta cannot be parsed here; no test environment has Web Workers). */
export function newCryptoWorker(): Worker {
  throw new Error('no Web Workers under Jest')
}
