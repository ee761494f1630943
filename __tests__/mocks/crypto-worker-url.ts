/** Jest stand-in for src/platform/crypto-worker-url.ts (which uses import.meta, unparseable here). */
export function cryptoWorkerUrl(): URL {
  return new URL('file:///jest/workers/crypto/index.js')
}
