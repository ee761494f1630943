/** Hash routes, declared once: #/inbox, #/case/<id>, #/case/<id>/print, #/stats, #/audit. */
import { useEffect, useState } from 'react'

export type Route = { page: 'inbox' } | { page: 'case'; id: string } | { page: 'print'; id: string } | { page: 'stats' } | { page: 'audit' }

export function parseRoute(hash: string): Route {
  const m = /^#\/case\/([0-9a-f]{32})(\/print)?$/.exec(hash)
  if (m) return m[2] ? { page: 'print', id: m[1] } : { page: 'case', id: m[1] }
  if (hash === '#/stats') return { page: 'stats' }
  if (hash === '#/audit') return { page: 'audit' }
  return { page: 'inbox' }
}

export const routes = {
  inbox: '#/inbox',
  case: (id: string) => `#/case/${id}`,
  print: (id: string) => `#/case/${id}/print`,
  stats: '#/stats',
  audit: '#/audit',
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash))
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash))
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return route
}
