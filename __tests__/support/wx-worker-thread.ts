/**
 * A stand-in for wx.createWorker(path, { useExperimentalWorker: true }) backed by a Node
 * worker_threads thread, which is how WeChat runs a worker: a thread of its own with a global
 * `worker` ({ onMessage, postMessage }) and messages copied. `kill()` does what WeChat does under
 * memory pressure: the thread is gone and onProcessKilled listeners are called.
 *
 * Made to be reused by a fake `wx` (issue 11's headless runtime): pass `createWxWorker` as
 * wx.createWorker, with `root` the build output folder.
 */
import path from 'node:path'
import { Worker } from 'node:worker_threads'

/** Runs in the thread: gives the script WeChat's `worker` global, then loads it. */
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads')
globalThis.worker = {
  onMessage(listener) { parentPort.on('message', (message) => listener(message)) },
  postMessage(message) { parentPort.postMessage(message) },
}
require(workerData.script)
`

export interface WxWorkerHandle {
  postMessage(message: unknown): void
  onMessage(listener: (message: unknown) => void): void
  onProcessKilled(listener: () => void): void
  terminate(): void
  /** Test control: reclaim the worker as WeChat would. */
  kill(): Promise<void>
  /** Messages the page posted, in order (test inspection). */
  readonly posted: unknown[]
}

export function createWxWorker(root: string, scriptPath: string, options?: { useExperimentalWorker?: boolean }): WxWorkerHandle {
  void options
  const thread = new Worker(BOOTSTRAP, { eval: true, workerData: { script: path.join(root, scriptPath) } })
  const messageListeners: ((message: unknown) => void)[] = []
  const killedListeners: (() => void)[] = []
  const posted: unknown[] = []
  let gone = false
  thread.on('message', (message) => {
    if (!gone) for (const l of messageListeners) l(message)
  })
  thread.on('error', () => {
    if (gone) return
    gone = true
    for (const l of killedListeners) l()
  })
  // Not kept alive by the thread: a test that forgets to terminate still exits.
  thread.unref()
  return {
    posted,
    postMessage(message) {
      if (gone) throw new Error('postMessage: worker terminated')
      posted.push(message)
      thread.postMessage(message)
    },
    onMessage(listener) {
      messageListeners.push(listener)
    },
    onProcessKilled(listener) {
      killedListeners.push(listener)
    },
    terminate() {
      gone = true
      void thread.terminate()
    },
    async kill() {
      gone = true
      await thread.terminate()
      for (const l of killedListeners) l()
    },
  }
}
