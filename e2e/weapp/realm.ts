/**
 * The JavaScript world a mini-program runs in: a Node `vm` context holding ECMAScript's built-ins
 * and exactly the globals WeChat's app service gives (wx, App, Page, Component, Behavior, getApp,
 * getCurrentPages, requirePlugin, timers, console). There is no window, document, navigator,
 * TextEncoder, URL, fetch, Buffer, process or WebAssembly, and `eval` / `new Function` throw, as in
 * WeChat, which forbids dynamic code (https://developers.weixin.qq.com/miniprogram/dev/framework/runtime/env.html).
 *
 * Values crossing from the test into the app are rebuilt inside the context (copyIn), so that
 * `instanceof ArrayBuffer`, `Array.isArray` and friends behave as they do on a phone. Every timer
 * goes through here, so that a kill stops all of them at once, and every uncaught error (in a
 * timer, an event handler, a lifecycle, an unhandled rejection) lands in `errors`.
 */
import vm from 'node:vm'

export interface AppError {
  where: string
  error: unknown
  /** The app task (see Realm.task) it happened in. */
  task: number
}

export function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'stack' in error && typeof (error as Error).stack === 'string') return (error as Error).stack!
  if (error && typeof error === 'object' && 'errMsg' in error) return String((error as { errMsg: unknown }).errMsg)
  return String(error)
}

/**
 * Unhandled rejections of an app realm are the app's errors (WeChat reports them to
 * onUnhandledRejection and keeps running), not the test runner's: while any realm is alive, one
 * process listener routes them to their realm, and passes everything else on to the listeners
 * that were there before (jest's).
 */
const liveRealms = new Set<Realm>()
/** The real process (under jest, the test file sees a copy; its listeners are not the real ones). */
const hostProcess = vm.runInThisContext('process') as NodeJS.Process
let savedListeners: NodeJS.UnhandledRejectionListener[] | undefined
const routeRejection: NodeJS.UnhandledRejectionListener = (reason, promise) => {
  for (const realm of liveRealms) if (realm.owns(promise)) return realm.fail('unhandled promise rejection', reason)
  for (const listener of savedListeners ?? []) listener(reason, promise)
}

function track(realm: Realm, alive: boolean): void {
  if (alive) {
    if (liveRealms.size === 0) {
      savedListeners = hostProcess.listeners('unhandledRejection')
      hostProcess.removeAllListeners('unhandledRejection')
      hostProcess.on('unhandledRejection', routeRejection)
    }
    liveRealms.add(realm)
  } else if (liveRealms.delete(realm) && liveRealms.size === 0) {
    hostProcess.off('unhandledRejection', routeRejection)
    for (const listener of savedListeners ?? []) hostProcess.on('unhandledRejection', listener)
    savedListeners = undefined
  }
}

export class Realm {
  readonly context: vm.Context
  /** Uncaught errors of the app, in order. The runtime fails the test on any of them. */
  readonly errors: AppError[] = []
  private timers = new Map<number, NodeJS.Timeout>()
  private nextTimer = 1
  private dead = false
  /**
   * Which task of the app runs now: a new number each time the platform calls into the app (a
   * timer, a lifecycle, an event, an API callback, a file being run). Promise reactions keep the
   * number of the task that queued them until the next call in.
   */
  task = 0
  private readonly builtins: {
    Object: ObjectConstructor
    Array: ArrayConstructor
    ArrayBuffer: ArrayBufferConstructor
    Uint8Array: Uint8ArrayConstructor
    Promise: PromiseConstructor
    Error: ErrorConstructor
  }
  owns(promise: Promise<unknown>): boolean {
    return promise instanceof this.builtins.Promise
  }

  /** `clockOffsetMs` moves the phone's clock (Date.now() and new Date()) by that much. */
  constructor(name: string, options: { clockOffsetMs?: number; onError?: (e: AppError) => void } = {}) {
    this.context = vm.createContext(Object.create(null), { name, codeGeneration: { strings: false, wasm: false } })
    this.onErrorHook = options.onError ?? (() => undefined)
    const g = vm.runInContext('this', this.context) as Record<string, unknown>
    // V8 adds WebAssembly to every context; WeChat has WXWebAssembly instead.
    delete g.WebAssembly
    if (options.clockOffsetMs) {
      const shift = new vm.Script(`(function (offset) {
        var RealDate = Date
        function PhoneDate() {
          if (!(this instanceof PhoneDate)) return new RealDate(RealDate.now() + offset).toString()
          var args = Array.prototype.slice.call(arguments)
          return args.length === 0 ? new RealDate(RealDate.now() + offset) : new (Function.prototype.bind.apply(RealDate, [null].concat(args)))()
        }
        PhoneDate.prototype = RealDate.prototype
        PhoneDate.now = function () { return RealDate.now() + offset }
        PhoneDate.parse = RealDate.parse
        PhoneDate.UTC = RealDate.UTC
        Date = PhoneDate
      })`).runInContext(this.context) as (offset: number) => void
      shift(options.clockOffsetMs)
    }
    this.builtins = vm.runInContext('({ Object, Array, ArrayBuffer, Uint8Array, Promise, Error })', this.context)
    track(this, true)
    this.define('console', this.makeConsole())
    this.define('setTimeout', (fn: unknown, ms?: number, ...args: unknown[]) => this.setTimer(fn, ms, args, false))
    this.define('setInterval', (fn: unknown, ms?: number, ...args: unknown[]) => this.setTimer(fn, ms, args, true))
    this.define('clearTimeout', (id: number) => this.clearTimer(id))
    this.define('clearInterval', (id: number) => this.clearTimer(id))
  }

  private onErrorHook: (e: AppError) => void

  get alive(): boolean {
    return !this.dead
  }

  get global(): Record<string, unknown> {
    return vm.runInContext('this', this.context) as Record<string, unknown>
  }

  define(name: string, value: unknown): void {
    Object.defineProperty(this.global, name, { value, writable: true, configurable: true, enumerable: false })
  }

  /** Runs one file of the package as WeChat does: a function scope with require/module/exports. */
  runModule(source: string, filename: string, require: (path: string) => unknown): unknown {
    const script = new vm.Script(`(function (require, module, exports) {${source}\n})`, { filename })
    const fn = script.runInContext(this.context) as (r: unknown, m: unknown, e: unknown) => void
    this.task++
    const module = this.copyIn({ exports: {} }) as { exports: unknown }
    fn(require, module, module.exports)
    return module.exports
  }

  fail(where: string, error: unknown): void {
    if (this.dead) return
    const entry = { where, error, task: this.task }
    this.errors.push(entry)
    this.onErrorHook(entry)
  }

  /** Runs `fn` as the platform would call into the app: errors are recorded, never thrown to the test. */
  guard<T>(where: string, fn: () => T): T | undefined {
    if (this.dead) return undefined
    this.task++
    try {
      return fn()
    } catch (error) {
      this.fail(where, error)
      return undefined
    }
  }

  /** Later, on the app's event loop (used to deliver async API results and lifecycles). */
  later(where: string, fn: () => void, ms = 0): void {
    this.setTimer(() => this.guard(where, fn), ms, [], false)
  }

  pendingTimers(): number {
    return this.timers.size
  }

  /** The kill: no timer fires again and nothing is delivered into the app any more. */
  kill(): void {
    this.dead = true
    for (const handle of this.timers.values()) clearTimeout(handle)
    this.timers.clear()
    track(this, false)
  }

  // --- values crossing into the app ---

  newPromise<T>(executor: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T> {
    return new this.builtins.Promise<T>(executor)
  }

  newError(message: string, extra: Record<string, unknown> = {}): Error {
    return Object.assign(new this.builtins.Error(message), extra)
  }

  arrayBuffer(bytes: Uint8Array): ArrayBuffer {
    const out = new this.builtins.ArrayBuffer(bytes.byteLength)
    new this.builtins.Uint8Array(out).set(bytes)
    return out
  }

  /** A deep copy made of the context's own objects (plain data, arrays, ArrayBuffers, functions kept). */
  copyIn<T>(value: T): T {
    return this.copy(value, new Map()) as T
  }

  private copy(value: unknown, seen: Map<unknown, unknown>): unknown {
    if (value === null || typeof value !== 'object') return value
    if (seen.has(value)) return seen.get(value)
    if (value instanceof ArrayBuffer || value instanceof this.builtins.ArrayBuffer) return this.arrayBuffer(new Uint8Array(value as ArrayBuffer))
    if (ArrayBuffer.isView(value)) return this.arrayBuffer(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
    if (Array.isArray(value)) {
      const out = new this.builtins.Array()
      seen.set(value, out)
      for (const item of value) out.push(this.copy(item, seen))
      return out
    }
    if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null && Object.getPrototypeOf(value) !== this.builtins.Object.prototype) return value
    const out = new this.builtins.Object() as Record<string, unknown>
    seen.set(value, out)
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = this.copy(v, seen)
    return out
  }

  // --- timers ---

  private setTimer(fn: unknown, ms: number | undefined, args: unknown[], repeat: boolean): number {
    if (this.dead) return 0
    if (typeof fn !== 'function') throw this.newError('setTimeout: callback must be a function (WeChat has no string timers)')
    const id = this.nextTimer++
    const delay = Math.max(0, Number(ms) || 0)
    const run = () => {
      if (!repeat) this.timers.delete(id)
      if (this.dead) return
      this.task++
      try {
        ;(fn as (...a: unknown[]) => void)(...args)
      } catch (error) {
        this.fail('timer callback', error)
      }
    }
    this.timers.set(id, repeat ? setInterval(run, delay) : setTimeout(run, delay))
    return id
  }

  private clearTimer(id: number): void {
    const handle = this.timers.get(id)
    if (handle === undefined) return
    clearTimeout(handle)
    this.timers.delete(id)
  }

  private makeConsole(): Console {
    const quiet = process.env.WEAPP_CONSOLE !== '1'
    const log =
      (level: string) =>
      (...args: unknown[]) => {
        if (level === 'error') this.appConsoleErrors.push(args.map((a) => describeError(a)).join(' '))
        if (!quiet) console.log(`[weapp ${level}]`, ...args)
      }
    return this.copyIn({ log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug'), group: log('log'), groupEnd: () => undefined, time: () => undefined, timeEnd: () => undefined }) as unknown as Console
  }

  /** What the app wrote with console.error (shown with a failure). */
  readonly appConsoleErrors: string[] = []
}
