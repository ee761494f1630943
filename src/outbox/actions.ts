/** What the pages do with the outbox: queue a draft, retry, withdraw, confirm the receipt. */
import { deleteDraft, loadDraft } from '@/drafts/store'
import { files } from '@/platform/files'
import { newIdempotencyKey, newReceipt } from './codes'
import { LocalJobError } from './errors'
import { kick, stopActive } from './runner'
import { cancelled, notify, update } from './state'
import { encPrefix, loadAnyJob, loadJob, removeJob, saveJob } from './store'
import type { OutboxJob } from './types'
import { canCancel, forgetProgress } from './views'

/**
 * Puts a complete draft into the outbox and starts sending it. The receipt and the idempotency key
 * are drawn and stored before anything else happens. Submitting the same draft again returns the
 * job already there: one draft is never sent twice.
 */
export async function startSubmission(draftId: string, now = new Date()): Promise<OutboxJob> {
  const existing = loadJob(draftId)
  if (existing) {
    void kick('user')
    return existing
  }
  const draft = loadDraft(draftId)
  if (!draft) throw new LocalJobError('找不到这份草稿，它可能已被删除。')
  const at = now.toISOString()
  const job: OutboxJob = {
    version: 1,
    id: draft.id,
    createdAt: at,
    declaredAt: draft.declaration.declaredAt ?? at,
    ...(draft.category ? { category: draft.category } : {}),
    ...(draft.branch ? { branch: draft.branch } : {}),
    files: draft.attachments.map((a) => ({ name: a.name, label: a.label, size: a.size })),
    idempotencyKey: await newIdempotencyKey(),
    receipt: await newReceipt(),
    phase: 'encrypting',
    attempt: 0,
  }
  saveJob(job)
  cancelled.delete(job.id)
  notify()
  void kick('user')
  return job
}

/** Sends a waiting or blocked job now. */
export function retryNow(id: string): Promise<void> {
  const job = loadAnyJob(id)
  if (job && job.phase !== 'done' && (job.blocked || job.retryAt)) update(id, { blocked: undefined, retryAt: undefined })
  return kick('user')
}

export type CancelResult = 'cancelled' | 'too-late'

/**
 * Withdraws a report that has not been finalized: stops sending, deletes its encrypted copies, and
 * gives the draft back to the draft list. Once a finalize was sent it may already be accepted, so
 * it can no longer be withdrawn ('too-late').
 */
export async function cancelJob(id: string): Promise<CancelResult> {
  const job = loadJob(id)
  if (!job) return 'cancelled'
  if (!canCancel(job)) return 'too-late'
  cancelled.add(id)
  await stopActive(id)
  const latest = loadJob(id)
  if (latest && !canCancel(latest)) {
    cancelled.delete(id)
    void kick('user')
    return 'too-late'
  }
  removeJob(id)
  await files.removeFilesWithPrefix(encPrefix(id))
  forgetProgress(id)
  cancelled.delete(id)
  notify()
  return 'cancelled'
}

/**
 * The resident confirmed saving the receipt: only now are the draft, its files, the encrypted
 * copies and the job deleted. Refused (false) for a job that is not accepted yet.
 */
export async function confirmReceipt(id: string): Promise<boolean> {
  const job = loadJob(id)
  if (!job || job.phase !== 'done') return false
  await files.removeFilesWithPrefix(encPrefix(id))
  await deleteDraft(id)
  removeJob(id)
  forgetProgress(id)
  notify()
  return true
}
