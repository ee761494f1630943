/**
 * How every fake wx API is called, as WeChat documents it
 * (https://developers.weixin.qq.com/miniprogram/dev/framework/app-service/api.html):
 * - asynchronous APIs take { success, fail, complete }; results carry errMsg "name:ok", failures
 *   "name:fail reason" (and errno where WeChat has one); callbacks run later, never synchronously;
 * - since base library 2.10.2, an async API called with none of success/fail/complete returns a
 *   Promise instead ("异步 API 返回 Promise"), rejected with the same { errMsg } object; request,
 *   uploadFile, downloadFile and connectSocket are the exceptions and always return their task;
 * - synchronous APIs (…Sync) return the result or throw an Error whose message is "name:fail …".
 * Nothing is delivered into an app that was killed.
 */
import type { Realm } from '../realm'

/** A documented WeChat failure: becomes `errMsg: "<api>:fail <reason>"`. */
export class WxFail extends Error {
  constructor(
    readonly reason: string,
    readonly errno?: number,
  ) {
    super(reason)
  }
}

/** Where the fakes report a broken WeChat rule; the runtime fails the test on it. */
export interface Violations {
  violation(message: string): void
}

export interface ApiContext extends Violations {
  realm: Realm
}

type Options = Record<string, unknown> & { success?: unknown; fail?: unknown; complete?: unknown }

export function hasCallbacks(options: Options): boolean {
  return typeof options.success === 'function' || typeof options.fail === 'function' || typeof options.complete === 'function'
}

/** Delivers an outcome to callbacks or to a Promise, inside the app's realm, on its event loop. */
export function deliver(ctx: ApiContext, name: string, options: Options, outcome: Promise<Record<string, unknown>>): Promise<unknown> | undefined {
  const { realm } = ctx
  const settled = outcome.then(
    (result) => ({ ok: true as const, value: realm.copyIn({ ...result, errMsg: `${name}:ok` }) }),
    (error: unknown) => {
      if (!(error instanceof WxFail)) ctx.violation(`wx.${name}: the fake failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`)
      const reason = error instanceof Error ? (error as WxFail).reason ?? error.message : String(error)
      const errno = error instanceof WxFail ? error.errno : undefined
      return { ok: false as const, value: realm.copyIn({ errMsg: `${name}:fail ${reason}`, ...(errno !== undefined ? { errno } : {}) }) }
    },
  )
  if (!hasCallbacks(options)) {
    return realm.newPromise((resolve, reject) => {
      settled.then((s) => realm.later(`wx.${name} promise`, () => (s.ok ? resolve(s.value) : reject(s.value))))
    })
  }
  settled.then((s) =>
    realm.later(`wx.${name} callback`, () => {
      const cb = s.ok ? options.success : options.fail
      try {
        if (typeof cb === 'function') cb(s.value)
      } finally {
        if (typeof options.complete === 'function') options.complete(s.value)
      }
    }),
  )
  return undefined
}

/** An asynchronous API: `impl` returns the result fields (or throws WxFail). */
export function asyncApi(ctx: ApiContext, name: string, impl: (options: Options) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void) {
  return (options: Options = {}) => {
    const outcome = (async () => (await impl(options ?? {})) ?? {})()
    return deliver(ctx, name, options ?? {}, outcome as Promise<Record<string, unknown>>)
  }
}

/** A synchronous API: returns `impl`'s value; a WxFail becomes a thrown Error "name:fail reason". */
export function syncApi<A extends unknown[], R>(ctx: ApiContext, name: string, impl: (...args: A) => R) {
  return (...args: A): R => {
    try {
      return ctx.realm.copyIn(impl(...args))
    } catch (error) {
      if (error instanceof WxFail) throw ctx.realm.newError(`${name}:fail ${error.reason}`, error.errno !== undefined ? { errno: error.errno } : {})
      ctx.violation(`wx.${name}: the fake failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`)
      throw error
    }
  }
}

/** on…/off… listener pairs (wx.onNetworkStatusChange, wx.onAppShow, …). */
export class Listeners<T> {
  private list: ((payload: T) => void)[] = []

  on = (fn: unknown): void => {
    if (typeof fn === 'function') this.list.push(fn as (payload: T) => void)
  }

  off = (fn?: unknown): void => {
    this.list = fn === undefined ? [] : this.list.filter((f) => f !== fn)
  }

  emit(ctx: ApiContext, where: string, payload: T): void {
    for (const fn of [...this.list]) ctx.realm.guard(where, () => fn(ctx.realm.copyIn(payload)))
  }

  get size(): number {
    return this.list.length
  }
}
