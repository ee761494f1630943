/**
 * The H5 app's service worker (built into dist/h5/sw.js by config/h5/shell.ts, which fills in the
 * release manifest). It keeps the app shell — every file of one release — so that a resident who
 * opened the app once can open it again without a network and reach drafts and the outbox.
 *
 * Update design (docs/server.md, "Offline and updates"):
 * - one cache per release, filled completely at install and checked file by file against the
 *   SHA-256 the build recorded; any failure (offline, 404, a half-finished deploy) fails the
 *   install, the cache is dropped and the release already installed keeps working;
 * - only then skipWaiting() + clients.claim(): the next page load runs the new release;
 * - the previous release's cache is kept, so a page still open on it loads its remaining chunks;
 * - never a runtime cache: API responses and anything decrypted are never written anywhere.
 */
import { SHELL_META_CACHE, SHELL_PAGE, type ShellManifest } from './manifest'
import { cacheName, cleanup, parseActivated, routeOf, toHexString } from './policy'

declare const __SHELL_MANIFEST__: ShellManifest

/** The part of ServiceWorkerGlobalScope used here (the DOM typings do not declare it). */
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void
}
interface FetchEventLike extends ExtendableEventLike {
  request: Request
  respondWith(response: Promise<Response>): void
}
interface WorkerScope {
  location: Location
  skipWaiting(): Promise<void>
  clients: { claim(): Promise<void> }
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void
  addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void
}

const scope = self as unknown as WorkerScope
const manifest = __SHELL_MANIFEST__
const CURRENT = cacheName(manifest.version)
const ACTIVATED_KEY = '/__shell/activated'
const PARALLEL = 4

async function fetchVerified(file: ShellManifest['files'][number]): Promise<Response> {
  // Hashed names are immutable, so the HTTP cache may answer; index.html is always revalidated.
  const response = await fetch(new Request(file.url, { cache: file.hashed ? 'default' : 'no-cache', credentials: 'same-origin' }))
  if (!response.ok) throw new Error(`${file.url}: HTTP ${response.status}`)
  const body = await response.clone().arrayBuffer()
  const digest = toHexString(await crypto.subtle.digest('SHA-256', body))
  if (body.byteLength !== file.size || digest !== file.sha256) throw new Error(`${file.url}: not the file of release ${manifest.version}`)
  return response
}

async function precache(): Promise<void> {
  const cache = await caches.open(CURRENT)
  const queue = [...manifest.files]
  let failure: unknown
  // All fetchers stop at the first failure and have finished before the cache is dropped.
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let file = queue.shift(); file && failure === undefined; file = queue.shift()) {
        try {
          await cache.put(file.url, await fetchVerified(file))
        } catch (error) {
          failure = error
        }
      }
    }),
  )
  if (failure !== undefined) {
    await caches.delete(CURRENT)
    throw failure
  }
}

async function activate(): Promise<void> {
  const meta = await caches.open(SHELL_META_CACHE)
  const stored = await meta.match(ACTIVATED_KEY)
  const plan = cleanup(await caches.keys(), parseActivated(stored ? await stored.text() : undefined), manifest.version)
  await meta.put(ACTIVATED_KEY, new Response(JSON.stringify(plan.activated), { headers: { 'Content-Type': 'application/json' } }))
  await Promise.all(plan.remove.map((name) => caches.delete(name)))
  await scope.clients.claim()
}

/** The release's own copy first, then any kept release (same name = same bytes), else the network. */
async function cached(url: string, fallback: () => Promise<Response>): Promise<Response> {
  const own = await (await caches.open(CURRENT)).match(url)
  if (own) return own
  const any = await caches.match(url)
  return any ?? fallback()
}

scope.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => scope.skipWaiting()))
})

scope.addEventListener('activate', (event) => {
  event.waitUntil(activate())
})

scope.addEventListener('fetch', (event) => {
  const request = event.request
  const route = routeOf({ method: request.method, mode: request.mode, url: new URL(request.url), origin: scope.location.origin }, manifest)
  switch (route.kind) {
    case 'asset':
      event.respondWith(cached(route.url, () => fetch(request)))
      return
    case 'shell':
      event.respondWith(cached(SHELL_PAGE, () => fetch(request)))
      return
    case 'entry':
      event.respondWith(fetch(request).catch(() => cached(SHELL_PAGE, () => fetch(request))))
      return
    case 'network':
      return
  }
})
