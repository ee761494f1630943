/**
 * Browser (H5): each page is a separate script loaded on first visit, so a page never opened
 * cannot open once the network is gone. Pages the resident may need offline (progress, outbox,
 * receipt) are fetched ahead through the router's own loaders; failures are ignored.
 */
interface RouteConfig {
  path?: string
  load?: (context: unknown, params: unknown) => unknown
}

const done = new Set<string>()

export function prefetchPages(paths: string[]): void {
  if (typeof window === 'undefined') return
  const routes = (window as unknown as { __taroAppConfig?: { routes?: RouteConfig[] } }).__taroAppConfig?.routes
  if (!Array.isArray(routes)) return
  for (const wanted of paths) {
    const path = wanted.replace(/^\//, '')
    if (done.has(path)) continue
    const route = routes.find((r) => typeof r.path === 'string' && r.path.replace(/^\//, '') === path)
    if (!route || typeof route.load !== 'function') continue
    done.add(path)
    try {
      const loaded = route.load({}, {})
      const first = Array.isArray(loaded) ? loaded[0] : loaded
      Promise.resolve(first).catch(() => done.delete(path))
    } catch {
      done.delete(path)
    }
  }
}
