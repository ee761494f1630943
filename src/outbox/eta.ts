/**
 * Time left for a stage (encrypting, uploading) from the progress seen so far: the rate over the
 * last WINDOW_MS, once a few pieces are done. Pure; the runner feeds it, the pages read it.
 */

/** Pieces reported before any estimate, and time they must span. */
export const MIN_SAMPLES = 3
export const MIN_SPAN_MS = 1500
const WINDOW_MS = 30_000

export class RateEstimator {
  private samples: { t: number; done: number }[] = []

  /** Records that `done` units were complete at time `t` (ms). A decrease starts over (a restart). */
  add(t: number, done: number): void {
    const last = this.samples[this.samples.length - 1]
    if (last && done < last.done) this.samples = []
    if (last && done === last.done) return
    this.samples.push({ t, done })
    while (this.samples.length > MIN_SAMPLES && t - this.samples[1].t > WINDOW_MS) this.samples.shift()
  }

  /** Milliseconds left to reach `total` at the recent rate, or undefined while too little is known. */
  remainingMs(total: number): number | undefined {
    const n = this.samples.length
    if (n < MIN_SAMPLES) return undefined
    const first = this.samples[0]
    const last = this.samples[n - 1]
    const span = last.t - first.t
    if (span < MIN_SPAN_MS || last.done <= first.done) return undefined
    const rate = (last.done - first.done) / span
    return Math.max(0, (total - last.done) / rate)
  }
}

/** "约 3 分钟", "约 40 秒", "不到 10 秒": a resident-facing estimate, rounded so it does not flicker. */
export function formatRemaining(ms: number): string {
  const s = Math.ceil(ms / 1000)
  if (s < 10) return '不到 10 秒'
  if (s < 60) return `约 ${Math.ceil(s / 10) * 10} 秒`
  const m = Math.ceil(s / 60)
  if (m < 60) return `约 ${m} 分钟`
  const h = Math.floor(m / 60)
  return `约 ${h} 小时 ${m % 60} 分钟`
}
