/**
 * Page navigation over Taro's router, by page name (see routes.ts).
 *
 * The report flow opens each step on top of the last (`forward`), so the phone's Back, the
 * browser's Back and WeChat's back arrow all return to the previous step with the same draft.
 * `backTo` goes back when the wanted page is the one below, and otherwise opens it in place.
 */
import Taro from '@tarojs/taro'
import { pathOf, urlOf, type PageName } from './routes'

/** WeChat keeps at most 10 pages; navigateTo fails beyond that. */
export const MAX_PAGE_STACK = 10

type Params = Record<string, string | undefined>

/** Opens a page on top of the current one. */
export function go(page: PageName, params?: Params) {
  return Taro.navigateTo({ url: urlOf(page, params) })
}

/** Replaces the current page. */
export function replace(page: PageName, params?: Params) {
  return Taro.redirectTo({ url: urlOf(page, params) })
}

export function goHome() {
  return Taro.reLaunch({ url: pathOf('home') })
}

interface StackPage {
  route?: string
  options?: Record<string, unknown>
}

function stack(): StackPage[] {
  try {
    return (Taro.getCurrentPages?.() ?? []) as StackPage[]
  } catch {
    return []
  }
}

/** Whether a page of the stack is `page` (for the same draft when `params.id` is given). */
function isPage(entry: StackPage | undefined, page: PageName, params?: Params): boolean {
  if (!entry?.route) return false
  const route = entry.route.replace(/^\//, '').replace(/\?.*$/, '')
  if (route !== pathOf(page).replace(/^\//, '')) return false
  return !params?.id || entry.options?.id === undefined || entry.options.id === params.id
}

/**
 * Opens the next page of a flow on top of the current one, so Back returns here; replaces the
 * current page instead when WeChat's page stack is full.
 */
export function forward(page: PageName, params?: Params) {
  return stack().length >= MAX_PAGE_STACK - 1 ? replace(page, params) : go(page, params)
}

/** Returns to `page`: back through the stack when it is the page below, otherwise opened in place. */
export function backTo(page: PageName, params?: Params) {
  const pages = stack()
  if (isPage(pages[pages.length - 2], page, params)) return Taro.navigateBack({ delta: 1 })
  return replace(page, params)
}
