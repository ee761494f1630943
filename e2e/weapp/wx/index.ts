/**
 * The fake `wx` of one launch, assembled from one module per job (each documents the WeChat
 * behaviour it follows, with a link to the WeChat page). Navigation and the page-level APIs come
 * from the runtime, which owns the page stack.
 *
 * Extension points: add an API to the module of its kind, or to `extra`; the worker lives in
 * worker.ts. An API the fake lacks is simply absent, so Taro maps it to its "not supported" stub
 * and the app sees the same error as on a base library that lacks it.
 */
import type { Device } from '../device'
import type { ApiContext } from './api'
import { createFileSystemManager } from './fs'
import { createMedia } from './media'
import { createNetwork } from './network'
import { createPrivacy } from './privacy'
import { createStorage } from './storage'
import { createSystem, type LaunchOptions } from './system'
import { createUi } from './ui'
import { createWorkers } from './worker'

export interface WxParts {
  wx: Record<string, unknown>
  network: ReturnType<typeof createNetwork>
  privacy: ReturnType<typeof createPrivacy>
  ui: ReturnType<typeof createUi>
  media: ReturnType<typeof createMedia>
  system: ReturnType<typeof createSystem>
  workers: ReturnType<typeof createWorkers>
}

export function createWx(ctx: ApiContext, device: Device, options: { packageRoot: string; workersDir: () => string | undefined; launch: () => LaunchOptions; extra: Record<string, unknown> }): WxParts {
  const files = createFileSystemManager(ctx, device)
  const network = createNetwork(ctx, device)
  const privacy = createPrivacy(ctx, device)
  const ui = createUi(ctx)
  const media = createMedia(ctx, device, privacy, files.locate)
  const system = createSystem(ctx, options.launch)
  const workers = createWorkers(ctx, options.packageRoot, options.workersDir)
  const fsManager = ctx.realm.copyIn(files.manager)
  const wx = ctx.realm.copyIn({
    ...system.api,
    ...createStorage(ctx, device),
    ...network.api,
    ...privacy.api,
    ...ui.api,
    ...media.api,
    ...workers.api,
    getFileSystemManager: () => fsManager,
    ...options.extra,
  }) as Record<string, unknown>
  return { wx, network, privacy, ui, media, system, workers }
}
