/**
 * The fake `wx` of one launch, assembled from one module per job (each documents the WeChat
 * behaviour it follows, with a link to the WeChat page). Navigation and the page-level APIs come
 * from the runtime, which owns the page stack.
 *
 * Extension points: add an API to the module of its kind, or to `extra`; the worker lives in
 * worker.ts. An API the fake lacks is simply absent, as on a base library that lacks it: Taro
 * then has none either (it takes its APIs from Object.keys(wx)), except createSelectorQuery and
 * createIntersectionObserver, whose wrappers Taro always installs and which then fail calling
 * wx.X. So that such a gap is found at once, every read of a name `wx` does not have is kept in
 * `missing` (with the app task it happened in), and the runtime names it beside the error it caused.
 */
import type { Device } from '../device'
import type { ApiContext } from './api'
import { createFileSystemManager } from './fs'
import { createMedia } from './media'
import { createNetwork } from './network'
import { createPrivacy } from './privacy'
import { createStorage } from './storage'
import { createSystem, WINDOW, type LaunchOptions } from './system'
import { createUi } from './ui'
import { createView, type ViewHost } from './view'
import { createWorkers } from './worker'

export interface WxParts {
  wx: Record<string, unknown>
  network: ReturnType<typeof createNetwork>
  privacy: ReturnType<typeof createPrivacy>
  ui: ReturnType<typeof createUi>
  media: ReturnType<typeof createMedia>
  system: ReturnType<typeof createSystem>
  workers: ReturnType<typeof createWorkers>
  view: ReturnType<typeof createView>
  /** Names read from `wx` that it does not have, in order, with the app task that read them. */
  missing: MissingRead[]
}

export interface MissingRead {
  name: string
  task: number
}

/** Without a page stack (the fake's own tests): no page on screen. */
const NO_PAGES: ViewHost = { topPage: () => undefined, scopeOf: () => undefined, window: { width: WINDOW.windowWidth, height: WINDOW.windowHeight } }

export function createWx(ctx: ApiContext, device: Device, options: { packageRoot: string; workersDir: () => string | undefined; launch: () => LaunchOptions; extra: Record<string, unknown>; view?: ViewHost }): WxParts {
  const files = createFileSystemManager(ctx, device)
  const network = createNetwork(ctx, device)
  const privacy = createPrivacy(ctx, device)
  const ui = createUi(ctx)
  const media = createMedia(ctx, device, privacy, files.locate)
  const system = createSystem(ctx, options.launch)
  const workers = createWorkers(ctx, options.packageRoot, options.workersDir)
  const view = createView(ctx, options.view ?? NO_PAGES)
  const fsManager = ctx.realm.copyIn(files.manager)
  const api = ctx.realm.copyIn({
    ...system.api,
    ...createStorage(ctx, device),
    ...network.api,
    ...privacy.api,
    ...ui.api,
    ...media.api,
    ...workers.api,
    ...view.api,
    getFileSystemManager: () => fsManager,
    ...options.extra,
  }) as Record<string, unknown>
  const missing: MissingRead[] = []
  // Only reads are watched: `'x' in wx`, hasOwnProperty and Object.keys see exactly what is there.
  const wx = new Proxy(api, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !(key in target)) missing.push({ name: key, task: ctx.realm.task })
      return Reflect.get(target, key, receiver)
    },
  })
  return { wx, network, privacy, ui, media, system, workers, view, missing }
}
