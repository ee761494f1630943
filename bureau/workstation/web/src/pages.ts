/**
 * Every screen of the page is its own chunk, loaded when first shown (React.lazy), so the first
 * page (setup or unlock) and a reopened inbox parse only the Ant Design parts they use: the inbox
 * loads no Form or Upload, the unlock page no Table or DatePicker, ECharts comes with the
 * statistics only. `preload()` asks for a chunk ahead of time (the same promise React.lazy then
 * uses), so a screen whose chunk was preloaded shows without a second round trip.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react'
import type { Route } from './hooks/useRoute'

// React.lazy's own constraint (a page's props vary).
type AnyComponent = ComponentType<any>
export type Page<T extends AnyComponent> = LazyExoticComponent<T> & { preload: () => Promise<unknown> }

function page<T extends AnyComponent>(load: () => Promise<T>): Page<T> {
  let loading: Promise<{ default: T }> | undefined
  const preload = () => (loading ??= load().then((c) => ({ default: c })))
  return Object.assign(lazy(preload), { preload })
}

export const SetupPage = page(() => import('./pages/SetupPage').then((m) => m.SetupPage))
export const UnlockPage = page(() => import('./pages/UnlockPage').then((m) => m.UnlockPage))
/** The console's frame (header, menu); it shows the pages below. */
export const Console = page(() => import('./Console').then((m) => m.Console))
export const InboxPage = page(() => import('./pages/InboxPage').then((m) => m.InboxPage))
export const CasePage = page(() => import('./pages/CasePage').then((m) => m.CasePage))
export const PrintPage = page(() => import('./pages/PrintPage').then((m) => m.PrintPage))
// ECharts is loaded with the statistics page only.
export const StatsPage = page(() => import('./pages/StatsPage').then((m) => m.StatsPage))
export const AuditPage = page(() => import('./pages/AuditPage').then((m) => m.AuditPage))

const ROUTE_PAGES = { inbox: InboxPage, case: CasePage, print: PrintPage, stats: StatsPage, audit: AuditPage } satisfies Record<Route['page'], Page<AnyComponent>>

/** Asks for the console and the route's page at once (in parallel, not one after the other). */
export function preloadConsole(route: Route): void {
  void Console.preload().catch(() => undefined)
  void ROUTE_PAGES[route.page].preload().catch(() => undefined)
}
