/**
 * A headless WeChat mini-program runtime for our own build (dist/weapp).
 *
 * Boot, as WeChat's app service does (https://developers.weixin.qq.com/miniprogram/dev/framework/app-service/):
 * app.json is read; app.js and the main package's page files run in a fresh Realm with only
 * WeChat's globals; App() / Page() / Component() register; a subpackage's files run on the first
 * navigation into it (https://developers.weixin.qq.com/miniprogram/dev/framework/subpackages.html);
 * then App.onLaunch → App.onShow (and wx.onAppShow listeners) → the entry page's onLoad → onShow →
 * onReady (https://developers.weixin.qq.com/miniprogram/dev/reference/api/App.html).
 *
 * Each page's setData payload goes over a JSON "bridge" (over 1 MB fails, as on the phone), is
 * counted, and is applied to the page's view data; the tree on screen is rebuilt from that data
 * through the build's own WXML templates (wxml/render.ts). The page stack lives in pages.ts.
 *
 * Anything that goes wrong in the app — an uncaught error, an unhandled rejection, a missing
 * template, a broken WeChat limit — is collected; `check()` (called by every helper) throws it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { applyPath, overTheBridge } from './data-path'
import type { Device } from './device'
import { PageStack, type PageRecord } from './pages'
import { describeError, Realm, type AppError } from './realm'
import { createWx, type WxParts } from './wx'
import { WINDOW, type LaunchOptions } from './wx/system'
import type { ViewScope } from './wx/view'
import { resolvePath, WxmlLibrary, type Owner, type RenderHost, type RNode } from './wxml/render'

export const SET_DATA_LIMIT = 1024 * 1024

const MISSING_ADVICE = 'If WeChat documents this API, add it to the fake (e2e/weapp/wx/, with its rules and a link to the doc page); if WeChat does not have it, the app must not call it on weapp.'

export interface AppJson {
  pages: string[]
  subPackages?: { root: string; pages: string[] }[]
  subpackages?: { root: string; pages: string[] }[]
  workers?: string | { path: string }
  tabBar?: { list: { pagePath: string }[] }
  lazyCodeLoading?: string
}

export interface SetDataRecord {
  route: string
  /** Which page instance (a page opened twice has two). */
  pageId: number
  bytes: number
  keys: string[]
  /** Which component instance sent it ("page" for the page itself). */
  from: string
}

export interface ComponentRecord {
  path: string
  instance: Record<string, unknown>
  view: Record<string, unknown>
  owner: Owner
  virtualHost: boolean
}

export interface LaunchSpec {
  /** Page to open (app.json's first page when omitted). */
  path?: string
  query?: Record<string, string>
  /** WeChat scene number (1047 mini-program code, 1011 QR code, 1001 task bar). */
  scene?: number
  /** Moves the phone's clock, e.g. to reopen the app a month later. */
  clockOffsetMs?: number
}

export class MiniProgram {
  readonly realm: Realm
  readonly appJson: AppJson
  readonly parts: WxParts
  readonly setDataLog: SetDataRecord[] = []
  readonly violations: string[] = []
  readonly loadedPackages = new Set<string>()
  /** Every lifecycle call, in order: "App onLaunch", "pages/index/index onShow", … */
  readonly lifecycleLog: string[] = []
  readonly stack: PageStack
  app: Record<string, unknown> | undefined
  private pageConfigs = new Map<string, Record<string, unknown>>()
  private componentConfigs = new Map<string, Record<string, unknown>>()
  private modules = new Map<string, { exports: unknown }>()
  private registering: { kind: 'page' | 'component'; path: string } | undefined
  private readonly launchOptions: LaunchOptions
  readonly library: WxmlLibrary
  private renderErrors: string[] = []

  constructor(
    readonly dist: string,
    readonly device: Device,
    launch: LaunchSpec = {},
  ) {
    this.appJson = JSON.parse(readFileSync(join(dist, 'app.json'), 'utf8')) as AppJson
    this.launchOptions = { path: launch.path ?? this.appJson.pages[0], query: launch.query ?? {}, scene: launch.scene ?? 1001 }
    this.realm = new Realm(`weapp ${dist}`, { clockOffsetMs: launch.clockOffsetMs })
    const host: RenderHost = {
      read: (path) => this.readPackageFile(path),
      component: (path, key, props) => this.componentAt(path, key, props),
      error: (message) => this.renderErrors.push(message),
    }
    this.library = new WxmlLibrary(host)
    this.stack = new PageStack(this)
    const workers = this.appJson.workers
    this.parts = createWx({ realm: this.realm, violation: (m) => this.violation(m) }, device, {
      packageRoot: dist,
      workersDir: () => (typeof workers === 'string' ? workers : workers?.path),
      launch: () => ({ ...this.launchOptions, query: { ...this.launchOptions.query } }),
      extra: this.stack.api(),
      view: {
        topPage: () => {
          const top = this.stack.top
          return top && this.viewScope(top, top.instance)
        },
        scopeOf: (instance) => {
          const top = this.stack.top
          return top && this.viewScope(top, instance)
        },
        window: { width: WINDOW.windowWidth, height: WINDOW.windowHeight },
      },
    })
    this.defineGlobals()
  }

  get route(): string | undefined {
    return this.stack.top?.route
  }

  violation(message: string): void {
    this.violations.push(message)
  }

  /** Everything wrong so far, as one message (empty when the app is healthy). */
  problems(): string {
    const lines: string[] = []
    for (const v of this.violations) lines.push(`WeChat rule broken: ${v}`)
    for (const r of this.renderErrors) lines.push(`render: ${r}`)
    for (const e of this.realm.errors) lines.push(`app error in ${e.where}: ${this.explain(e)}`)
    return lines.join('\n')
  }

  /**
   * An app error, with the wx API behind it named, and its stack in lines that do not begin with
   * "at" (so that jest does not print a frame of the minified bundle in place of the message).
   * Taro's API object holds only what `wx` has (Object.keys(wx)), so an API the fake lacks shows
   * up either as a read of a missing `wx` name (Taro's wrappers call wx.X.apply, wx.X(…)) or as
   * "….X is not a function" (Taro.X itself is undefined).
   */
  private explain(e: AppError): string {
    const [message, ...frames] = describeError(e.error).split('\n')
    const dist = `${this.dist.replace(/\/+$/, '')}/`
    const calls = frames.filter((f) => /^\s*at /.test(f))
    // The app's own frames (in the package) say where; the runtime's and Node's say nothing new.
    const own = calls.filter((f) => f.includes(dist))
    const stack = (own.length > 0 ? own : calls)
      .slice(0, 4)
      .map((f) => `    ↳ ${f.trim().slice(3).split(dist).join('')}`)
    const sameTask = [...new Set(this.parts.missing.filter((m) => m.task === e.task).map((m) => m.name))]
    const callFailed = /Cannot read properties of undefined \(reading '(apply|call|bind)'\)|is not a function/.test(message)
    const notAFunction = /\.(\w+) is not a function/.exec(message)?.[1]
    const wx = this.parts.wx
    const names =
      sameTask.length > 0 ? sameTask : notAFunction && !(notAFunction in wx) ? [notAFunction] : callFailed ? this.parts.missing.slice(-1).map((m) => m.name) : []
    const cause = names.length > 0 ? [`    ← the app read ${names.slice(0, 5).map((n) => `wx.${n}`).join(', ')}, which this fake wx does not have. ${MISSING_ADVICE}`] : []
    return [message, ...cause, ...stack].join('\n')
  }

  /** The selector-query scope of a page, or of one of its component instances. */
  viewScope(page: PageRecord, instance: unknown): ViewScope | undefined {
    const tree = () => this.tree(page)
    if (instance === page.instance) return { route: page.route, owner: page.owner, tree }
    for (const rec of page.components.values()) if (rec.instance === instance) return { route: page.route, owner: rec.owner, tree }
    return undefined
  }

  /** Throws if the app failed in any way since launch. */
  check(): void {
    const p = this.problems()
    if (p) throw new Error(`the mini-program failed:\n${p}`)
  }

  /** Violations matching `pattern` are expected by the test: removes and returns them. */
  takeViolations(pattern: RegExp): string[] {
    const taken = this.violations.filter((v) => pattern.test(v))
    const rest = this.violations.filter((v) => !pattern.test(v))
    this.violations.length = 0
    this.violations.push(...rest)
    return taken
  }

  takeErrors(pattern: RegExp): AppError[] {
    const taken = this.realm.errors.filter((e) => pattern.test(describeError(e.error)))
    const rest = this.realm.errors.filter((e) => !pattern.test(describeError(e.error)))
    this.realm.errors.length = 0
    this.realm.errors.push(...rest)
    return taken
  }

  // --- boot ---

  /** Runs app.js and the main package, then App.onLaunch/onShow and opens the entry page. */
  async launch(): Promise<void> {
    const { path, query } = this.launchOptions
    this.realm.guard('app.js', () => this.require('app.js'))
    if (!this.app) throw new Error(`app.js did not call App()\n${this.problems()}`)
    if (this.appJson.lazyCodeLoading !== 'requiredComponents') for (const page of this.appJson.pages) this.loadPage(page)
    const options = this.realm.copyIn({ ...this.launchOptions, query: { ...query }, referrerInfo: {}, apiCategory: 'default' })
    this.callApp('onLaunch', options)
    this.callApp('onShow', options)
    this.parts.system.appShow.emit(this.ctx(), 'wx.onAppShow listener', options as LaunchOptions)
    await this.stack.open(path, query, 'appLaunch')
  }

  private ctx() {
    return { realm: this.realm, violation: (m: string) => this.violation(m) }
  }

  callApp(name: string, ...args: unknown[]): void {
    this.lifecycleLog.push(`App ${name}`)
    const app = this.app
    const fn = app?.[name]
    if (typeof fn === 'function') this.realm.guard(`App.${name}`, () => fn.apply(app, args))
  }

  private defineGlobals(): void {
    const r = this.realm
    r.define('wx', this.parts.wx)
    r.define('App', (config: Record<string, unknown>) => {
      if (this.app) throw r.newError('App() called twice')
      this.app = config
    })
    r.define('getApp', () => this.app)
    r.define('Page', (config: Record<string, unknown>) => {
      if (this.registering?.kind !== 'page') throw r.newError('Page() called outside a page file (or in an async task)')
      this.pageConfigs.set(this.registering.path, config)
    })
    r.define('Component', (config: Record<string, unknown>) => {
      if (!this.registering) throw r.newError('Component() called outside a component file')
      if (this.registering.kind === 'page') this.pageConfigs.set(this.registering.path, { ...config, __component: true })
      else this.componentConfigs.set(this.registering.path, config)
    })
    r.define('Behavior', (config: unknown) => config)
    r.define('getCurrentPages', () => r.copyIn(this.stack.pages.map((p) => p.instance)))
    r.define('requirePlugin', (name: string) => {
      throw r.newError(`requirePlugin("${name}"): this mini-program declares no plugins`)
    })
  }

  // --- files and modules (WeChat's require: relative paths, .js optional, cached) ---

  readPackageFile(path: string): string {
    const file = join(this.dist, path)
    if (!existsSync(file)) throw new Error(`${path} is not in the package`)
    return readFileSync(file, 'utf8')
  }

  require(path: string): unknown {
    const file = path.endsWith('.js') ? path : `${path}.js`
    const cached = this.modules.get(file)
    if (cached) return cached.exports
    const entry = { exports: {} as unknown }
    this.modules.set(file, entry)
    const source = this.readPackageFile(file)
    entry.exports = this.realm.runModule(source, join(this.dist, file), (p: string) => this.require(resolvePath(file, p)))
    return entry.exports
  }

  private packageOf(route: string): { root: string; pages: string[] } | undefined {
    return [...(this.appJson.subPackages ?? []), ...(this.appJson.subpackages ?? [])].find((p) => route.startsWith(`${p.root.replace(/\/$/, '')}/`))
  }

  /** Whether app.json declares this page (main package or subpackage). */
  declares(route: string): boolean {
    if (this.appJson.pages.includes(route)) return true
    const sub = this.packageOf(route)
    return !!sub && sub.pages.some((p) => `${sub.root.replace(/\/$/, '')}/${p}` === route)
  }

  /** Loads the subpackage holding `route` on first use (WeChat downloads and injects it whole). */
  ensurePackage(route: string): void {
    const sub = this.packageOf(route)
    if (!sub || this.loadedPackages.has(sub.root)) return
    this.loadedPackages.add(sub.root)
    for (const p of sub.pages) this.loadPage(`${sub.root.replace(/\/$/, '')}/${p}`)
  }

  private loadPage(route: string): void {
    if (this.pageConfigs.has(route)) return
    this.registering = { kind: 'page', path: route }
    try {
      this.realm.guard(`${route}.js`, () => this.require(`${route}.js`))
    } finally {
      this.registering = undefined
    }
    if (!this.pageConfigs.has(route)) this.violation(`${route}.js ran but did not call Page()`)
  }

  pageConfig(route: string): Record<string, unknown> | undefined {
    return this.pageConfigs.get(route)
  }

  usingComponents(jsonPath: string): Record<string, string> {
    const raw = existsSync(join(this.dist, jsonPath)) ? (JSON.parse(this.readPackageFile(jsonPath)) as { usingComponents?: Record<string, string> }) : {}
    const out: Record<string, string> = {}
    for (const [tag, target] of Object.entries(raw.usingComponents ?? {})) out[tag] = resolvePath(jsonPath, target)
    return out
  }

  // --- components (Taro's recursive `comp`) ---

  private componentAt(path: string, key: string, props: Record<string, unknown>) {
    const page = this.stack.rendering
    if (!page) throw new Error('component rendered outside a page')
    let rec = page.components.get(key)
    if (!rec) {
      const config = this.componentConfigs.get(path) ?? this.loadComponent(path)
      const methods = (config.methods ?? {}) as Record<string, unknown>
      const instance = this.realm.copyIn({ is: path, data: {} }) as Record<string, unknown>
      for (const [k, v] of Object.entries(methods)) instance[k] = v
      const properties = (config.properties ?? {}) as Record<string, { value?: unknown }>
      const view: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(properties)) view[k] = v && typeof v === 'object' && 'value' in v ? v.value : undefined
      const owner: Owner = { path, handler: (name) => (typeof instance[name] === 'function' ? (instance[name] as (e: unknown) => unknown).bind(instance) : undefined), usingComponents: this.usingComponents(`${path}.json`) }
      rec = { path, instance, view, owner, virtualHost: !!(config.options as { virtualHost?: boolean } | undefined)?.virtualHost }
      const record = rec
      instance.setData = (data: Record<string, unknown>, cb?: () => void) => this.setData(page, data, cb, record)
      instance.createSelectorQuery = () => this.parts.view.selectorQuery(() => this.viewScope(page, instance))
      page.components.set(key, rec)
      const lifetimes = (config.lifetimes ?? {}) as Record<string, unknown>
      const attached = lifetimes.attached ?? config.attached
      if (typeof attached === 'function') this.realm.later(`${path} attached`, () => attached.call(instance))
    }
    Object.assign(rec.view, props)
    rec.instance.data = this.realm.copyIn(rec.view)
    return { owner: rec.owner, data: rec.view, wxml: `${path}.wxml`, virtualHost: rec.virtualHost }
  }

  private loadComponent(path: string): Record<string, unknown> {
    this.registering = { kind: 'component', path }
    try {
      this.require(`${path}.js`)
    } finally {
      this.registering = undefined
    }
    const config = this.componentConfigs.get(path)
    if (!config) throw new Error(`${path}.js did not call Component()`)
    return config
  }

  // --- setData and rendering ---

  setData(page: PageRecord, data: unknown, cb: unknown, component?: ComponentRecord): void {
    if (!this.realm.alive) return
    if (!data || typeof data !== 'object') {
      this.violation(`${page.route}: setData needs an object, got ${typeof data}`)
      return
    }
    const bridge = overTheBridge(data as Record<string, unknown>)
    if (bridge.bytes > SET_DATA_LIMIT) {
      this.violation(`${page.route}: setData of ${bridge.bytes} bytes is over WeChat's 1 MB limit (keys ${Object.keys(bridge.copy).slice(0, 5).join(', ')})`)
      throw this.realm.newError(`setData: data size ${bridge.bytes} exceeds 1048576 bytes`)
    }
    this.setDataLog.push({ route: page.route, pageId: page.id, bytes: bridge.bytes, keys: Object.keys(bridge.copy), from: component ? component.path : 'page' })
    const view = component ? component.view : page.view
    for (const [key, value] of Object.entries(bridge.copy)) applyPath(view, key, value)
    const target = component ? component.instance : page.instance
    target.data = this.realm.copyIn(view)
    page.dirty = true
    if (typeof cb === 'function') this.realm.later(`${page.route} setData callback`, () => cb())
  }

  /** The top page's rendered tree, rebuilt from its view data when it changed. */
  tree(page: PageRecord | undefined = this.stack.top): RNode[] {
    if (!page) return []
    if (page.dirty || !page.tree) {
      this.stack.rendering = page
      try {
        page.tree = this.library.render(`${page.route}.wxml`, page.view, page.owner)
      } finally {
        this.stack.rendering = undefined
      }
      page.dirty = false
    }
    return page.tree
  }

  // --- app state ---

  /** The resident leaves WeChat: onHide of the page and the app; requests die after 5 s. */
  background(): void {
    this.stack.top && this.stack.call(this.stack.top, 'onHide')
    this.callApp('onHide')
    this.parts.system.appHide.emit(this.ctx(), 'wx.onAppHide listener', {})
    this.parts.network.enterBackground()
  }

  /** The resident comes back. */
  foreground(scene = 1001): void {
    this.parts.network.enterForeground()
    const options = this.realm.copyIn({ path: this.route ?? '', query: this.stack.top?.query ?? {}, scene, referrerInfo: {} })
    this.callApp('onShow', options)
    this.parts.system.appShow.emit(this.ctx(), 'wx.onAppShow listener', options as LaunchOptions)
    this.stack.top && this.stack.call(this.stack.top, 'onShow')
  }

  /** The system kills the app: no callback runs; storage and user files stay; temp files go. */
  async kill(): Promise<void> {
    this.realm.kill()
    this.parts.network.kill()
    await this.parts.workers.terminateAll()
    this.device.dropTempFiles()
  }
}
