/**
 * The page stack, with WeChat's routing rules (https://developers.weixin.qq.com/miniprogram/dev/framework/app-service/route.html,
 * https://developers.weixin.qq.com/miniprogram/dev/api/route/wx.navigateTo.html):
 * - navigateTo pushes (onHide of the old top; onLoad, onShow, onReady of the new), at most 10
 *   pages deep ("webview count limit exceed"); redirectTo replaces the top (onUnload);
 *   navigateBack pops `delta` pages (onUnload each, onShow of the one revealed) and fails on the
 *   first page; reLaunch unloads every page and opens one; switchTab only goes to tabBar pages;
 * - a url is absolute ("/pages/x/index?a=1") or relative to the current page; a page missing from
 *   app.json fails 'page "…" is not found' — always a defect, so it is reported as a violation;
 * - query values reach onLoad as written in the url (WeChat does not decode them);
 * - a subpackage's files run on the first navigation into it;
 * - wx.enableAlertBeforeUnload / disableAlertBeforeUnload are recorded on the page (userBack).
 * - userBack(): the resident's back arrow.
 * Routing is asynchronous, as on the phone: success comes after the new page's onShow.
 */
import type { MiniProgram } from './runtime'
import { asyncApi, WxFail } from './wx/api'
import type { Owner, RNode } from './wxml/render'
import type { ComponentRecord } from './runtime'

export const MAX_PAGES = 10

export interface PageRecord {
  id: number
  route: string
  query: Record<string, string>
  instance: Record<string, unknown>
  view: Record<string, unknown>
  owner: Owner
  components: Map<string, ComponentRecord>
  tree?: RNode[]
  dirty: boolean
  alertBeforeUnload?: string
  loads: number
}

type OpenType = 'appLaunch' | 'navigateTo' | 'redirectTo' | 'navigateBack' | 'reLaunch' | 'switchTab'

function parseUrl(url: string, from: string | undefined): { route: string; query: Record<string, string> } {
  const [path, search = ''] = url.split('?')
  let route: string
  if (path.startsWith('/')) route = path.slice(1)
  else {
    const base = (from ?? '').split('/').slice(0, -1)
    for (const part of path.split('/')) {
      if (part === '..') base.pop()
      else if (part !== '.' && part !== '') base.push(part)
    }
    route = base.join('/')
  }
  const query: Record<string, string> = {}
  for (const pair of search.split('&')) {
    if (!pair) continue
    const i = pair.indexOf('=')
    query[i < 0 ? pair : pair.slice(0, i)] = i < 0 ? '' : pair.slice(i + 1)
  }
  return { route: route.replace(/\.html$/, ''), query }
}

export class PageStack {
  readonly pages: PageRecord[] = []
  /** Every route opened, in order, with how it was opened. */
  readonly history: { route: string; how: OpenType }[] = []
  rendering: PageRecord | undefined
  private nextId = 1

  constructor(private mp: MiniProgram) {}

  get top(): PageRecord | undefined {
    return this.pages[this.pages.length - 1]
  }

  call(page: PageRecord, name: string, ...args: unknown[]): void {
    this.mp.lifecycleLog.push(`${page.route} ${name}`)
    const fn = page.instance[name]
    if (typeof fn === 'function') this.mp.realm.guard(`${page.route} ${name}`, () => fn.apply(page.instance, args))
  }

  private create(route: string, query: Record<string, string>): PageRecord {
    const mp = this.mp
    const config = mp.pageConfig(route)
    if (!config) throw new WxFail(`page "${route}" has no Page() registered`)
    const instance = mp.realm.copyIn({}) as Record<string, unknown>
    for (const [k, v] of Object.entries(config)) {
      if (k === 'data') continue
      instance[k] = typeof v === 'function' ? v : mp.realm.copyIn(JSON.parse(JSON.stringify(v ?? null)))
    }
    const id = this.nextId++
    const view = JSON.parse(JSON.stringify(config.data ?? {})) as Record<string, unknown>
    instance.data = mp.realm.copyIn(view)
    Object.assign(instance, { route, __route__: route, options: mp.realm.copyIn(query), __wxWebviewId__: id, __wxExparserNodeId__: `page-${id}`, is: route })
    const owner: Owner = {
      path: route,
      handler: (name) => (typeof instance[name] === 'function' ? (instance[name] as (e: unknown) => unknown).bind(instance) : undefined),
      usingComponents: mp.usingComponents(`${route}.json`),
    }
    const page: PageRecord = { id, route, query, instance, view, owner, components: new Map(), dirty: true, loads: 0 }
    instance.setData = (data: unknown, cb?: unknown) => mp.setData(page, data, cb)
    instance.selectComponent = () => null
    instance.selectAllComponents = () => mp.realm.copyIn([])
    instance.getOpenerEventChannel = () => mp.realm.copyIn({ emit: () => undefined, on: () => undefined, once: () => undefined, off: () => undefined })
    instance.createSelectorQuery = () => mp.parts.view.selectorQuery(() => mp.viewScope(page, instance))
    return page
  }

  private unload(page: PageRecord): void {
    this.call(page, 'onUnload')
    page.components.clear()
  }

  /** Opens `route` the given way; throws WxFail for what WeChat refuses. */
  async open(url: string, query: Record<string, string> | undefined, how: OpenType): Promise<void> {
    const mp = this.mp
    const parsed = query ? { route: url.replace(/^\//, ''), query } : parseUrl(url, this.top?.route)
    const { route } = parsed
    if (!mp.declares(route)) {
      mp.violation(`${how}("${url}"): page "${route}" is not in app.json`)
      throw new WxFail(`page "${route}" is not found`)
    }
    const tabPages = mp.appJson.tabBar?.list.map((t) => t.pagePath) ?? []
    if (how === 'switchTab' && !tabPages.includes(route)) throw new WxFail('can not switch to no-tabBar page')
    if ((how === 'navigateTo' || how === 'redirectTo') && tabPages.includes(route)) throw new WxFail('can not navigateTo a tabbar page')
    if (how === 'navigateTo' && this.pages.length >= MAX_PAGES) throw new WxFail('webview count limit exceed')
    mp.ensurePackage(route)
    await new Promise((r) => setImmediate(r))
    if (!mp.realm.alive) return
    const old = this.top
    if (how === 'navigateTo' && old) this.call(old, 'onHide')
    if (how === 'redirectTo' && old) this.unload(this.pages.pop()!)
    if (how === 'reLaunch' || how === 'switchTab') while (this.pages.length) this.unload(this.pages.pop()!)
    const page = this.create(route, parsed.query)
    this.pages.push(page)
    this.history.push({ route, how })
    this.call(page, 'onLoad', mp.realm.copyIn(parsed.query))
    this.call(page, 'onShow')
    mp.realm.later(`${route} onReady`, () => this.call(page, 'onReady'))
  }

  async back(delta = 1): Promise<void> {
    if (this.pages.length <= 1) throw new WxFail('cannot navigate back at first page.')
    const n = Math.min(Math.max(1, Math.floor(delta)), this.pages.length - 1)
    await new Promise((r) => setImmediate(r))
    for (let i = 0; i < n; i++) this.unload(this.pages.pop()!)
    this.history.push({ route: this.top!.route, how: 'navigateBack' })
    this.top!.dirty = true
    this.call(this.top!, 'onShow')
  }

  /**
   * The resident taps the back arrow of WeChat's navigation bar (or Android's back key): the page
   * on top goes, as navigateBack({ delta: 1 }) does. There is no back arrow on the first page (WeChat
   * shows the home button there). A page that called wx.enableAlertBeforeUnload would first show
   * WeChat's own question (https://developers.weixin.qq.com/miniprogram/dev/api/ui/interaction/wx.enableAlertBeforeUnload.html,
   * "官方导航栏上的的返回"); that dialog is not modelled, so pressing back there fails the test.
   */
  async userBack(): Promise<void> {
    const top = this.top
    if (!top || this.pages.length <= 1) throw new Error(`back: ${top?.route ?? 'no page'} is the first page; WeChat shows no back arrow there`)
    if (top.alertBeforeUnload !== undefined) throw new Error(`back: ${top.route} asks before leaving ("${top.alertBeforeUnload}"); WeChat's dialog for that is not modelled here (add it to pages.ts)`)
    await this.back(1)
  }

  /** The wx APIs that belong to the page stack. */
  api(): Record<string, unknown> {
    const mp = this.mp
    const ctx = { realm: mp.realm, violation: (m: string) => mp.violation(m) }
    const nav = (how: OpenType) => asyncApi(ctx, how, (o) => this.open(String(o.url ?? ''), undefined, how))
    return {
      navigateTo: nav('navigateTo'),
      redirectTo: nav('redirectTo'),
      reLaunch: nav('reLaunch'),
      switchTab: nav('switchTab'),
      navigateBack: asyncApi(ctx, 'navigateBack', (o) => this.back(typeof o.delta === 'number' ? o.delta : 1)),
      enableAlertBeforeUnload: asyncApi(ctx, 'enableAlertBeforeUnload', (o) => {
        if (this.top) this.top.alertBeforeUnload = String(o.message ?? '')
      }),
      disableAlertBeforeUnload: asyncApi(ctx, 'disableAlertBeforeUnload', () => {
        if (this.top) this.top.alertBeforeUnload = undefined
      }),
    }
  }
}
