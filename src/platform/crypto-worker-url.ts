/**
 * Where the H5 build put the encryption worker: webpack turns this `new URL(…, import.meta.url)`
 * into the URL of a separate, same-origin script in the build output (no blob: or eval, so a CSP
 * with `worker-src 'self'` allows it). Its own module because Jest cannot parse import.meta.
 */
export function cryptoWorkerUrl(): URL {
  return new URL('../workers/crypto/index.ts', import.meta.url)
}
