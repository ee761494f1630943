/**
 * Browser (H5): registers the service worker (dist/h5/sw.js, built from src/sw/) that keeps the
 * app shell for offline use. A same-origin script file, no inline script (CSP `worker-src 'self'`).
 * `updateViaCache: 'none'` makes every update check ask the server for sw.js itself; the browser
 * checks at each page load, and this also checks when the resident comes back to the app.
 * Development builds have no sw.js and register nothing.
 */
import { onReturnToApp } from './lifecycle'

const SCRIPT = '/sw.js'
const CHECK_EVERY_MS = 60 * 60 * 1000

export function startOfflineShell(): void {
  if (process.env.NODE_ENV !== 'production') return
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator) || typeof window === 'undefined') return
  const register = () => {
    navigator.serviceWorker
      .register(SCRIPT, { scope: '/', updateViaCache: 'none' })
      .then((registration) => {
        let checked = Date.now()
        onReturnToApp(() => {
          if (Date.now() - checked < CHECK_EVERY_MS) return
          checked = Date.now()
          registration.update().catch(() => undefined)
        })
      })
      // No service worker (private mode, unsupported, offline at first visit): the app still works online.
      .catch(() => undefined)
  }
  // After the first screen: registering starts the download of the other pages.
  if (document.readyState === 'complete') register()
  else window.addEventListener('load', register, { once: true })
}
