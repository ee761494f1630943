/**
 * What the case page does with message jobs: queue a message draft (saved before anything is
 * sent), withdraw one that the server cannot have accepted yet, and forget a delivered one.
 */
import { files } from '@/platform/files'
import { kick, stopActive } from '../runner'
import { cancelled, notify } from '../state'
import { encPrefix, loadMessageJob, removeJob, saveJob } from '../store'
import type { MessageFile, MessageJob } from '../types'
import { forgetProgress } from '../views'
import { newMsgId } from './ids'

export interface QueuedMessage {
  /** The message draft's id: one job per draft. */
  draftId: string
  caseId: string
  auth: string
  text: string
  inReplyTo: string | null
  sources: MessageFile[]
}

/**
 * Puts a message into the outbox and starts sending it. The msgId is drawn and the whole job saved
 * before any request; queuing the same draft again answers the job already there.
 */
export async function queueMessage(m: QueuedMessage, now = new Date()): Promise<MessageJob> {
  const existing = loadMessageJob(m.draftId)
  if (existing) {
    void kick('user')
    return existing
  }
  const at = now.toISOString()
  const job: MessageJob = {
    version: 1,
    kind: 'message',
    id: m.draftId,
    createdAt: at,
    writtenAt: at,
    caseId: m.caseId,
    msgId: await newMsgId(),
    auth: m.auth,
    text: m.text,
    inReplyTo: m.inReplyTo,
    sources: m.sources,
    files: m.sources.map((f) => ({ name: f.name, label: f.label, size: f.size })),
    phase: 'encrypting',
    attempt: 0,
  }
  saveJob(job)
  cancelled.delete(job.id)
  notify()
  void kick('user')
  return job
}

/** Whether the message can still be withdrawn: the server cannot have accepted it. */
export function canWithdrawMessage(job: MessageJob): boolean {
  return job.phase !== 'done' && !job.createSent
}

/** Deletes a delivered (or withdrawn) message's job, encrypted copies and source files. */
export async function forgetMessageJob(id: string): Promise<void> {
  const job = loadMessageJob(id)
  removeJob(id)
  await files.removeFilesWithPrefix(encPrefix(id))
  for (const f of job?.sources ?? []) await files.removeFile(f.ref).catch(() => undefined)
  forgetProgress(id)
  notify()
}

/**
 * Withdraws a message not yet posted: its text and files are handed back (the caller makes them a
 * draft again) and nothing is sent. 'too-late' once the post went out.
 */
export async function withdrawMessage(id: string): Promise<{ result: 'withdrawn'; job: MessageJob } | { result: 'too-late' | 'gone' }> {
  const job = loadMessageJob(id)
  if (!job) return { result: 'gone' }
  if (!canWithdrawMessage(job)) return { result: 'too-late' }
  cancelled.add(id)
  await stopActive(id)
  const latest = loadMessageJob(id)
  if (!latest || !canWithdrawMessage(latest)) {
    cancelled.delete(id)
    void kick('user')
    return { result: 'too-late' }
  }
  removeJob(id)
  await files.removeFilesWithPrefix(encPrefix(id))
  forgetProgress(id)
  cancelled.delete(id)
  notify()
  return { result: 'withdrawn', job: latest }
}
