/**
 * wx.createWorker (https://developers.weixin.qq.com/miniprogram/dev/api/worker/wx.createWorker.html,
 * guide https://developers.weixin.qq.com/miniprogram/dev/framework/workers.html):
 * - app.json must name a "workers" directory, and the script path must lie inside it;
 * - at most one worker at a time: creating another before terminate() fails (violation);
 * - the script runs in its own thread (a Node worker_threads thread holding a vm context) whose
 *   only globals are `worker` (onMessage, postMessage, onProcessKilled is on the Worker object in
 *   the app), console and timers: no wx file APIs, no window or document;
 * - messages are copied (structured clone) in both directions, never shared;
 * - { useExperimentalWorker: true } workers may be reclaimed by the system: the test can call
 *   `kill()` on the handle returned in `workers` to fire onProcessKilled, after which the worker
 *   is gone and a new one may be created;
 * - terminate() stops the thread.
 * The worker's own `require` resolves files inside the workers directory only.
 */
import { relative, resolve, sep } from 'node:path'
import { Worker } from 'node:worker_threads'
import { syncApi, WxFail, type ApiContext } from './api'

/** Runs inside the thread: a vm context with only the worker globals. */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const vm = require('node:vm')
const fs = require('node:fs')
const path = require('node:path')
const listeners = []
const context = vm.createContext(Object.create(null), { codeGeneration: { strings: false, wasm: false } })
delete vm.runInContext('this', context).WebAssembly
const g = vm.runInContext('this', context)
g.console = { log: (...a) => parentPort.postMessage({ t: 'log', a: a.map(String) }), warn: () => {}, error: (...a) => parentPort.postMessage({ t: 'log', a: a.map(String) }), info: () => {} }
g.setTimeout = setTimeout; g.clearTimeout = clearTimeout; g.setInterval = setInterval; g.clearInterval = clearInterval
g.worker = {
  onMessage: (fn) => listeners.push(fn),
  postMessage: (msg) => parentPort.postMessage({ t: 'msg', msg }),
  getCameraFrameData: () => { throw new Error('worker.getCameraFrameData is not faked') },
}
const cache = new Map()
function load(file) {
  const real = path.resolve(file)
  if (!real.startsWith(workerData.root + path.sep)) throw new Error('worker require outside the workers directory: ' + file)
  if (cache.has(real)) return cache.get(real).exports
  const module = { exports: {} }
  cache.set(real, module)
  const fn = new vm.Script('(function (require, module, exports) {' + fs.readFileSync(real, 'utf8') + '\\n})', { filename: real }).runInContext(context)
  fn((p) => load(path.resolve(path.dirname(real), p.endsWith('.js') ? p : p + '.js')), module, module.exports)
  return module.exports
}
parentPort.on('message', (msg) => { for (const fn of listeners) fn(msg) })
try { load(workerData.script) } catch (e) { parentPort.postMessage({ t: 'error', e: String(e && e.stack || e) }) }
`

export interface WorkerHandle {
  script: string
  /** The system reclaims the experimental worker: onProcessKilled fires, the thread stops. */
  kill(): Promise<void>
  terminated: boolean
}

export function createWorkers(ctx: ApiContext, packageRoot: string, workersDir: () => string | undefined) {
  const workers: WorkerHandle[] = []
  let current: WorkerHandle | undefined

  const createWorker = syncApi(ctx, 'createWorker', (scriptPath: unknown, options?: { useExperimentalWorker?: boolean }) => {
    const dir = workersDir()
    if (!dir) throw new WxFail('app.json has no "workers" directory')
    if (typeof scriptPath !== 'string') throw new WxFail('scriptPath should be a string')
    const root = resolve(packageRoot, dir)
    const script = resolve(packageRoot, scriptPath.replace(/^\//, ''))
    if (!script.startsWith(root + sep)) throw new WxFail(`${scriptPath} is not inside the workers directory "${dir}"`)
    if (current && !current.terminated) {
      ctx.violation(`createWorker("${scriptPath}") while another worker runs (WeChat allows one at a time)`)
      throw new WxFail('exceed max worker count 1')
    }
    const thread = new Worker(THREAD_SOURCE, { eval: true, workerData: { root, script } })
    thread.unref()
    const messageListeners: ((msg: unknown) => void)[] = []
    const killedListeners: (() => void)[] = []
    thread.on('message', (m: { t: string; msg?: unknown; e?: string; a?: string[] }) => {
      if (m.t === 'msg') for (const fn of messageListeners) ctx.realm.guard('Worker.onMessage', () => fn(ctx.realm.copyIn(m.msg)))
      else if (m.t === 'error') ctx.realm.fail(`worker ${relative(packageRoot, script)}`, new Error(m.e))
      else if (m.t === 'log' && process.env.WEAPP_CONSOLE === '1') console.log('[weapp worker]', ...(m.a ?? []))
    })
    thread.on('error', (e) => ctx.realm.fail(`worker ${relative(packageRoot, script)}`, e))
    const handle: WorkerHandle = {
      script: relative(packageRoot, script).split(sep).join('/'),
      terminated: false,
      async kill() {
        if (handle.terminated) return
        handle.terminated = true
        await thread.terminate()
        if (options?.useExperimentalWorker) for (const fn of killedListeners) ctx.realm.guard('Worker.onProcessKilled', fn)
      },
    }
    workers.push(handle)
    current = handle
    return {
      postMessage: (msg: unknown) => {
        if (handle.terminated) throw ctx.realm.newError('Worker.postMessage: the worker was terminated')
        thread.postMessage(msg)
      },
      onMessage: (fn: unknown) => {
        if (typeof fn === 'function') messageListeners.push(fn as (msg: unknown) => void)
      },
      onProcessKilled: (fn: unknown) => {
        if (typeof fn === 'function') killedListeners.push(fn as () => void)
      },
      terminate: () => {
        handle.terminated = true
        void thread.terminate()
      },
    }
  })

  return {
    api: { createWorker },
    workers,
    async terminateAll() {
      for (const w of workers) if (!w.terminated) await w.kill()
    },
  }
}
