/**
 * The emergency replacement for sw.js (built as dist/h5/sw-reset.js): copied over sw.js on the
 * server, it takes over at the next update check, deletes every cache of this app, unregisters
 * itself and reloads open pages from the network. The app then runs without a service worker
 * until a release with a working sw.js is deployed. See docs/server.md, "Offline and updates".
 */
import { SHELL_CACHE_PREFIX } from './manifest'

interface ResetScope {
  skipWaiting(): Promise<void>
  registration: { unregister(): Promise<boolean> }
  clients: { claim(): Promise<void>; matchAll(options: { type: 'window' }): Promise<Array<{ url: string; navigate(url: string): Promise<unknown> }>> }
  addEventListener(type: 'install' | 'activate', listener: (event: Event & { waitUntil(p: Promise<unknown>): void }) => void): void
}

const scope = self as unknown as ResetScope

scope.addEventListener('install', (event) => {
  event.waitUntil(scope.skipWaiting())
})

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys()
      await Promise.all(names.filter((name) => name.startsWith(SHELL_CACHE_PREFIX)).map((name) => caches.delete(name)))
      await scope.registration.unregister()
      const windows = await scope.clients.matchAll({ type: 'window' })
      await Promise.all(windows.map((client) => client.navigate(client.url).catch(() => undefined)))
    })(),
  )
})
