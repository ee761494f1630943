/**
 * A bounded queue for expensive work (receipt hashing): at most `concurrency` tasks run at once,
 * at most `maxWaiting` wait, and none waits longer than `maxWaitMs`. Past either bound the task is
 * refused at once with QueueFullError, which the routes answer as 503 BUSY with Retry-After: a
 * flood of status lookups then costs a bounded amount of CPU and the server stays responsive.
 */

export class QueueFullError extends Error {
  constructor(message = 'the queue is full') {
    super(message)
    this.name = 'QueueFullError'
  }
}

export interface QueueOptions {
  concurrency: number
  maxWaiting: number
  maxWaitMs: number
}

interface Waiter {
  start: () => void
  timer: NodeJS.Timeout
}

export class WorkQueue {
  private active = 0
  private readonly waiting: Waiter[] = []
  /** Tasks refused since start (for benchmarks and tests). */
  refused = 0

  constructor(private readonly options: QueueOptions) {}

  get running(): number {
    return this.active
  }

  get queued(): number {
    return this.waiting.length
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.options.concurrency) {
      if (this.waiting.length >= this.options.maxWaiting) {
        this.refused += 1
        throw new QueueFullError()
      }
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          start: resolve,
          timer: setTimeout(() => {
            const i = this.waiting.indexOf(waiter)
            if (i !== -1) this.waiting.splice(i, 1)
            this.refused += 1
            reject(new QueueFullError('waited too long for a turn'))
          }, this.options.maxWaitMs),
        }
        this.waiting.push(waiter)
      })
    } else {
      this.active += 1
    }
    try {
      return await task()
    } finally {
      const next = this.waiting.shift()
      if (next) {
        // The slot passes straight to the next waiter.
        clearTimeout(next.timer)
        next.start()
      } else {
        this.active -= 1
      }
    }
  }
}
