/**
 * Resumable upload of a job's encrypted attachments: for each, ask the server how much it holds
 * (HEAD), then send the rest in chunks from exactly there. Chunks the server acknowledged are never
 * sent again; a 409 answers the server's durable offset and the upload continues from it.
 * Attachments go up in parallel, with at most `concurrency` requests in flight over all of them.
 * uploadStep is the runner's phase `uploading`.
 */
import { files } from '@/platform/files'
import { headUpload, putUpload, submissionAttachment, type UploadTarget } from '@/services/api'
import { ApiError, type Cancellation } from '@/services/request'
import { LocalJobError } from './errors'
import { renewLease } from './lease'
import { settings } from './settings'
import { isCode, notify, PROGRESSED, setActivity, update, type StepContext } from './state'
import type { OutboxJob, StoredObject } from './types'
import { progressFor, sample, sumDone } from './views'

/** 256 KiB to start: small enough to finish on a poor mobile link. */
export const UPLOAD_CHUNK_SIZE = 256 * 1024
/** Adaptive bounds: a fast link grows chunks (fewer requests, under the server's rate limit). */
export const MIN_CHUNK_SIZE = 64 * 1024
export const MAX_CHUNK_SIZE = 1024 * 1024
/** A chunk answered faster than this doubles the next one; slower than SLOW_CHUNK_MS halves it. */
const FAST_CHUNK_MS = 3000
const SLOW_CHUNK_MS = 20000
/** WeChat allows 10 concurrent requests in all; the app keeps most of them free. */
export const MAX_IN_FLIGHT = 3
/** Consecutive offset corrections on one attachment before giving up for this attempt. */
const MAX_OFFSET_CORRECTIONS = 5

export interface UploadOptions {
  /** Where attachment n goes (a submission's or a case message's resource). */
  target: (n: number) => UploadTarget
  objects: StoredObject[]
  /** Called with the server's durable offset of attachment n whenever it is known to change. */
  onOffset: (n: number, offset: number) => void
  cancel: Cancellation
  /** A fixed chunk size; by default chunks adapt to the link (64 KiB … 1 MiB, starting at 256 KiB). */
  chunkSize?: number
  concurrency?: number
  /** Only these attachments (default: all). */
  only?: number[]
}

export async function uploadAttachments(options: UploadOptions): Promise<void> {
  const { target, objects, onOffset, cancel } = options
  const fixed = options.chunkSize
  const concurrency = Math.max(1, Math.min(options.concurrency ?? MAX_IN_FLIGHT, MAX_IN_FLIGHT))
  const queue = (options.only ?? objects.map((_, n) => n)).filter((n) => n >= 0 && n < objects.length)
  let failure: { error: unknown } | undefined

  const uploadOne = async (n: number) => {
    const object = objects[n]
    let offset = (await headUpload(target(n), cancel)).offset
    onOffset(n, offset)
    let corrections = 0
    let chunkSize = fixed ?? UPLOAD_CHUNK_SIZE
    while (offset < object.size) {
      // Another attachment failed: stop at a chunk boundary; the next attempt resumes from HEAD.
      if (failure) return
      cancel.throwIfCancelled()
      const length = Math.min(chunkSize, object.size - offset)
      const bytes = await files.readRange(object.key, offset, length)
      if (bytes.length !== length) throw new LocalJobError('手机上保存的加密副本已损坏，无法继续发送。请取消后重新提交。')
      try {
        const started = Date.now()
        const answer = await putUpload(target(n), offset, bytes, cancel)
        offset = answer.offset
        corrections = 0
        if (fixed === undefined) {
          const took = Date.now() - started
          if (took < FAST_CHUNK_MS && length === chunkSize) chunkSize = Math.min(MAX_CHUNK_SIZE, chunkSize * 2)
          else if (took > SLOW_CHUNK_MS) chunkSize = Math.max(MIN_CHUNK_SIZE, Math.floor(chunkSize / 2))
        }
      } catch (error) {
        const serverOffset = error instanceof ApiError ? error.details.offset : undefined
        if (error instanceof ApiError && error.code === 'OFFSET_MISMATCH' && serverOffset !== undefined && corrections < MAX_OFFSET_CORRECTIONS) {
          corrections += 1
          offset = serverOffset
        } else {
          throw error
        }
      }
      onOffset(n, offset)
    }
    if (offset > object.size) throw new LocalJobError('服务器上的材料比手机上的还大，无法继续。请取消后重新提交。')
  }

  const worker = async () => {
    while (queue.length > 0 && !failure) {
      const n = queue.shift()!
      try {
        await uploadOne(n)
      } catch (error) {
        if (!failure) failure = { error }
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(queue.length, 1)) }, worker))
  if (failure) throw failure.error
}

/**
 * A job's objects up to `target`, with the job's progress (and whether this run made any), its
 * lease and the listeners kept up to date as the server's offsets move.
 */
export function uploadJobObjects({ id, cancel, run, p }: StepContext, objects: StoredObject[], target: (n: number) => UploadTarget): Promise<void> {
  return uploadAttachments({
    target,
    objects,
    onOffset: (n, offset) => {
      const f = p.files[n]
      if (f) {
        if (offset > f.done) run.madeProgress = true
        f.done = offset
      }
      sumDone(p)
      sample(id, 'upload', p.uploaded.done)
      renewLease()
      notify()
    },
    cancel,
    chunkSize: settings.chunkSize,
    concurrency: settings.concurrency,
  })
}

/** Phase `uploading` → `finalizing`: every attachment held in full by the server. */
export async function uploadStep(job: OutboxJob, ctx: StepContext): Promise<void> {
  const { id, run } = ctx
  setActivity(id, 'uploading')
  try {
    await uploadJobObjects(ctx, job.attachments!, (n) => submissionAttachment(job.submissionId!, n))
  } catch (error) {
    if (isCode(error, 'SUBMISSION_NOT_FOUND')) {
      // Unfinished submissions expire on the server after a day: create it again, same bytes.
      update(id, { phase: 'encrypted', submissionId: undefined })
      return
    }
    if (isCode(error, 'SUBMISSION_FINALIZED')) {
      update(id, { phase: 'finalizing' })
      return
    }
    throw error
  }
  progressFor(update<OutboxJob>(id, { ...PROGRESSED, phase: 'finalizing' }))
  run.madeProgress = true
}
