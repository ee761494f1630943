/**
 * The service worker's decisions as pure functions (unit-tested in __tests__/sw/): which requests
 * it answers and how, which caches it deletes. Everything not listed here goes to the network
 * untouched: API calls are never answered from or written to a cache.
 */
import { SHELL_CACHE_PREFIX, SHELL_META_CACHE, type ShellManifest } from './manifest'

export type Route =
  /** Not ours: the browser fetches it as if there were no service worker. */
  | { kind: 'network' }
  /** A file of the release: from the cache, from the network when (oddly) missing. */
  | { kind: 'asset'; url: string }
  /** A page load of the app: the cached index.html, whatever the path. */
  | { kind: 'shell' }
  /** The QR entry (/r?b=…&c=…): the server's redirect when online, else the app's home page. */
  | { kind: 'entry' }

export interface RequestFacts {
  method: string
  /** Request.mode: 'navigate' for page loads. */
  mode: string
  url: URL
  origin: string
}

/** Paths the server answers itself, never with the app shell. */
const SERVER_PAGES = /^\/(api|docs)(\/|$)/

export function routeOf(request: RequestFacts, manifest: ShellManifest): Route {
  if (request.method !== 'GET' || request.url.origin !== request.origin) return { kind: 'network' }
  const path = request.url.pathname
  if (SERVER_PAGES.test(path)) return { kind: 'network' }
  if (request.mode === 'navigate') return path === '/r' ? { kind: 'entry' } : { kind: 'shell' }
  // Assets are requested without a query string; anything else is not a file of the release.
  if (request.url.search === '' && manifest.files.some((f) => f.url === path)) return { kind: 'asset', url: path }
  return { kind: 'network' }
}

export function cacheName(version: string): string {
  return `${SHELL_CACHE_PREFIX}${version}`
}

/** How many releases stay cached: the active one and the one before, for pages still open on it. */
export const KEPT_RELEASES = 2

/**
 * After `current` activates: the new list of activated versions and the caches to delete. A page
 * opened on the previous release may still load its chunks (same names, same bytes) from the
 * previous cache; anything older, and any cache of a failed or superseded install, goes.
 */
export function cleanup(cacheNames: string[], activated: string[], current: string): { activated: string[]; remove: string[] } {
  const list = [...activated.filter((v) => v !== current), current].slice(-KEPT_RELEASES)
  const keep = new Set([...list.map(cacheName), SHELL_META_CACHE])
  const remove = cacheNames.filter((name) => name.startsWith(SHELL_CACHE_PREFIX) && !keep.has(name))
  return { activated: list, remove }
}

/** Parses the stored list of activated versions; anything unexpected counts as none. */
export function parseActivated(text: string | undefined): string[] {
  if (!text) return []
  try {
    const value: unknown = JSON.parse(text)
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && /^[0-9a-f]{8,64}$/.test(v)) : []
  } catch {
    return []
  }
}

export function toHexString(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('')
}
