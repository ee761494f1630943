/** Page navigation over Taro's router, by page name (see routes.ts). */
import Taro from '@tarojs/taro'
import { pathOf, urlOf, type PageName } from './routes'

/** Opens a page on top of the current one. */
export function go(page: PageName, params?: Record<string, string | undefined>) {
  return Taro.navigateTo({ url: urlOf(page, params) })
}

/** Replaces the current page (steps of the flow, so the page stack stays short). */
export function replace(page: PageName, params?: Record<string, string | undefined>) {
  return Taro.redirectTo({ url: urlOf(page, params) })
}

export function goHome() {
  return Taro.reLaunch({ url: pathOf('home') })
}
