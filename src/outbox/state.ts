/**
 * The runner's in-memory state shared by its parts: change listeners, live progress per job, what
 * the runner is doing with a job right now, and withdrawn jobs. Plus the two job-record helpers
 * every phase uses: read the job as stored (stopping if it was withdrawn) and update it.
 */
import { ApiError, CancelledError, type Cancellation } from '@/services/request'
import { loadAnyJob, saveJob } from './store'
import type { AnyJob, JobBase, JobProgress, OutboxJob } from './types'

export type Activity = NonNullable<JobProgress['activity']>

const listeners = new Set<() => void>()
export const progress = new Map<string, JobProgress>()
export const activity = new Map<string, Activity>()
/** Jobs being withdrawn: every phase stops at its next step. */
export const cancelled = new Set<string>()

/** Calls `listener` whenever a job or its progress changes; returns the unsubscribe. */
export function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

export function notify(): void {
  for (const listener of [...listeners]) {
    try {
      listener()
    } catch {
      // A page's listener must not stop the runner.
    }
  }
}

export function setActivity(id: string, a: Activity): void {
  activity.set(id, a)
  notify()
}

/** The job as stored now; cancelled or removed jobs stop the run. */
export function current<J extends AnyJob = OutboxJob>(id: string): J {
  if (cancelled.has(id)) throw new CancelledError()
  const job = loadAnyJob(id)
  if (!job) throw new CancelledError()
  return job as J
}

/** Saves `patch` over the stored job (of either kind; reports by default). */
export function update<J extends AnyJob = OutboxJob>(id: string, patch: Partial<NoInfer<J>>): J {
  const next = { ...current<J>(id), ...patch }
  for (const key of Object.keys(next) as (keyof J)[]) if (next[key] === undefined) delete next[key]
  saveJob(next)
  notify()
  return next
}

/** Phase transitions one run may make for one job before it gives up (guards against loops). */
export const MAX_STEPS = 16

/** A phase change is progress: the failure count starts again. */
export const PROGRESSED: Partial<JobBase> = { attempt: 0, retryAt: undefined, lastError: undefined, blocked: undefined }

export function resetState(): void {
  progress.clear()
  activity.clear()
  cancelled.clear()
  listeners.clear()
}

/** What one phase step of processJob is given. */
export interface StepContext {
  id: string
  cancel: Cancellation
  /** Set when the step moved the job forward (the backoff starts again). */
  run: { madeProgress: boolean }
  /** The job's live progress. */
  p: JobProgress
}

/** Whether `error` is an ApiError with this code. */
export function isCode(error: unknown, code: string): boolean {
  return error instanceof ApiError && error.code === code
}
