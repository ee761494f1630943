/**
 * Starts the H5 encryption worker. Webpack recognizes exactly this `new Worker(new URL(…,
 * import.meta.url))` form and builds src/workers/crypto into a separate, same-origin script of the
 * build output (no blob: or eval, so a CSP with `worker-src 'self'` allows it); it is loaded only
 * when a report is encrypted, never with the home page. Its own module because Jest cannot parse
 * import.meta (tests map it to __tests__/mocks/crypto-worker-new.ts).
 */
export function newCryptoWorker(): Worker {
  return new Worker(new URL('../workers/crypto/index.ts', import.meta.url), { name: 'crypto' })
}
