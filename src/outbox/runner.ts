/**
 * The outbox runner — scheduling: which job runs when. Takes each queued report through its
 * phases (./process.ts), one job at a time, with exponential backoff for trouble that may pass.
 *
 * One runner at a time (per app, and per browser across tabs through a storage lease, ./lease.ts).
 * It is started by the app (startOutbox), by a submit, when the app returns to the foreground,
 * when the network comes back, and by a timer for the next retry.
 *
 * The other jobs of the outbox live beside it: encrypt.ts (phase encrypting), create.ts
 * (encrypted), upload.ts (uploading), finalize.ts (finalizing), actions.ts (what the pages do),
 * views.ts (what the pages show), state.ts (shared in-memory state); message/ has the phases of
 * the second kind of job, a case message (issue 14), which this runner sends the same way.
 */
import { files } from '@/platform/files'
import { onAppUnload, onReturnToApp } from '@/platform/lifecycle'
import { isOnline, onNetworkChange } from '@/platform/network'
import { SecureRandomUnavailableError } from '@/platform/random'
import { ApiError, CancelledError, Cancellation, messageOf } from '@/services/request'
import { BACKOFF_MAX_MS, backoffCeiling, backoffDelay } from './backoff'
import { LocalJobError } from './errors'
import { acquireLease, releaseLease, resetLease } from './lease'
import { processJob } from './process'
import { closeEncryption, useFileSealer } from './sealer-slot'
import { resetSettings, settings } from './settings'
import { activity, cancelled, notify, resetState, update } from './state'
import { hasJob, listAllJobs, loadAnyJob } from './store'
import type { JobError } from './types'
import { resetViews } from './views'

export { configureOutbox } from './settings'
export { KEYS_NOT_VERIFIED, WAITING_FOR_KEYS } from './errors'

export type Trigger = 'start' | 'show' | 'online' | 'timer' | 'user'

let running: Promise<void> | undefined
let again = false
let forceNext = false
let active: { id: string; cancel: Cancellation; promise: Promise<void> } | undefined
let started = false
let timer: ReturnType<typeof setTimeout> | undefined
/** Set while another copy of the app holds the lease: when to look again. */
let leaseBlockedUntil: number | undefined
/** A forced run (network back, app shown, resident asked) was held up by another copy's lease. */
let forceAfterLease = false

/**
 * Runs the outbox now. Triggers other than 'timer' also retry jobs whose backoff has not expired
 * (the network came back, the app came to the front, the resident asked). One run at a time: a
 * kick during a run makes it go round once more.
 */
export function kick(trigger: Trigger = 'timer'): Promise<void> {
  if (trigger !== 'timer') forceNext = true
  if (running) {
    again = true
    return running
  }
  if (timer !== undefined) {
    clearTimeout(timer)
    timer = undefined
  }
  running = (async () => {
    try {
      do {
        again = false
        const force = forceNext
        forceNext = false
        await runAll(force)
      } while (again)
    } finally {
      running = undefined
      // No encryption is left for now: give the worker's memory back.
      closeEncryption()
      schedule()
    }
  })()
  return running
}

/** Resolves when no run is in progress (tests, and pages that wait for a cancel). */
export async function idle(): Promise<void> {
  while (running) await running.catch(() => undefined)
}

/** Stops job `id` if it is the one running, and waits until it has stopped. */
export async function stopActive(id: string): Promise<void> {
  if (active?.id !== id) return
  active.cancel.cancel()
  await active.promise.catch(() => undefined)
}

async function runAll(force: boolean): Promise<void> {
  let lease: Awaited<ReturnType<typeof acquireLease>>
  try {
    lease = await acquireLease()
  } catch {
    lease = { ok: false, until: Date.now() + settings.leaseMs }
  }
  if (!lease.ok) {
    // Another tab is sending; look again when its lease runs out, with the same urgency.
    leaseBlockedUntil = lease.until + 50
    forceAfterLease = forceAfterLease || force
    return
  }
  leaseBlockedUntil = undefined
  force = force || forceAfterLease
  forceAfterLease = false
  try {
    for (const entry of listAllJobs()) {
      if (cancelled.has(entry.id)) continue
      const job = loadAnyJob(entry.id)
      if (!job || job.phase === 'done' || job.blocked) continue
      if (!force && job.retryAt && Date.parse(job.retryAt) > Date.now()) continue
      if (job.phase !== 'encrypting' && !(await isOnline())) {
        await recordFailure(job.id, new ApiError('offline'), false)
        continue
      }
      const cancel = new Cancellation()
      const run = { madeProgress: false }
      const promise = processJob(job.id, cancel, run).catch(async (error: unknown) => {
        if (error instanceof CancelledError) return
        await recordFailure(job.id, error, run.madeProgress)
      })
      active = { id: job.id, cancel, promise }
      try {
        await promise
      } finally {
        active = undefined
        activity.delete(job.id)
        notify()
      }
    }
  } finally {
    releaseLease()
  }
}

function jobError(error: unknown): JobError {
  const at = new Date().toISOString()
  if (error instanceof ApiError) return { kind: error.kind, ...(error.code ? { code: error.code } : {}), message: error.message, at }
  if (error instanceof LocalJobError) return { kind: 'local', message: error.message, at }
  if (error instanceof SecureRandomUnavailableError) return { kind: 'local', message: '此手机无法生成安全随机数，无法加密举报。请更新微信或换一部手机。', at }
  return { kind: 'local', message: messageOf(error), at }
}

/** Waiting with backoff for trouble that may pass; blocked (until the resident acts) for the rest. */
async function recordFailure(id: string, error: unknown, madeProgress: boolean): Promise<void> {
  if (cancelled.has(id) || !hasJob(id)) return
  const job = loadAnyJob(id)
  if (!job) return
  const permanent = error instanceof LocalJobError || error instanceof SecureRandomUnavailableError || (error instanceof ApiError && !error.retryable)
  try {
    if (permanent) {
      update(id, { blocked: true, retryAt: undefined, lastError: jobError(error) })
      return
    }
    const attempt = madeProgress ? 1 : job.attempt + 1
    let delay: number
    try {
      delay = backoffDelay(attempt, await settings.random01())
    } catch {
      delay = backoffCeiling(attempt)
    }
    // The server said when to come back (429 Retry-After): not sooner, and never beyond the cap.
    const asked = error instanceof ApiError ? error.details.retryAfterMs : undefined
    if (asked !== undefined) delay = Math.min(BACKOFF_MAX_MS, Math.max(delay, asked))
    update(id, { attempt, retryAt: new Date(Date.now() + delay).toISOString(), lastError: jobError(error), blocked: undefined })
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e
  }
}

function scheduleIn(ms: number): void {
  if (!started) return
  if (timer !== undefined) clearTimeout(timer)
  timer = setTimeout(() => {
    timer = undefined
    void kick('timer')
  }, Math.max(0, Math.min(ms, BACKOFF_MAX_MS)))
}

/** Arms the timer for the earliest retry due, while the app is open. */
function schedule(): void {
  if (!started) return
  const due = listAllJobs()
    .filter((j) => j.phase !== 'done' && !j.blocked && j.retryAt)
    .map((j) => Date.parse(j.retryAt!))
    .filter((t) => !Number.isNaN(t))
  if (leaseBlockedUntil !== undefined) due.push(leaseBlockedUntil)
  if (due.length === 0) {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    return
  }
  scheduleIn(Math.min(...due) - Date.now())
}

/** Encrypted copies left by a job that no longer exists (e.g. cancelled mid-write). */
async function sweepOrphans(): Promise<void> {
  const keep = new Set(listAllJobs().map((j) => j.id))
  for (const key of await files.listFiles()) {
    const owner = /^enc\/([^/]+)\//.exec(key)?.[1]
    if (owner !== undefined && !keep.has(owner)) await files.removeFile(key)
  }
}

let stops: (() => void)[] = []

/**
 * Starts the outbox for this app session: sends what is pending now, again whenever the app comes
 * back to the foreground or the network returns, and on the backoff timer. Idempotent.
 */
export function startOutbox(): void {
  if (started) return
  started = true
  stops = [
    onReturnToApp(() => void kick('show')),
    onNetworkChange((online) => {
      if (online) void kick('online')
    }),
    // A reloaded or closed page stops sending: let the next copy take over at once.
    onAppUnload(releaseLease),
  ]
  void sweepOrphans()
    .catch(() => undefined)
    .then(() => kick('start'))
}

/** Stops listening and clears the timer (tests; the app never stops it). */
export function stopOutbox(): void {
  started = false
  stops.forEach((stop) => stop())
  stops = []
  if (timer !== undefined) clearTimeout(timer)
  timer = undefined
}

/** Forgets all in-memory state (tests only). */
export function resetOutboxForTests(): void {
  stopOutbox()
  resetSettings()
  resetState()
  resetViews()
  resetLease()
  useFileSealer(undefined)
  again = false
  forceNext = false
  leaseBlockedUntil = undefined
  forceAfterLease = false
}
