/**
 * Phase `finalizing` → `done`: registers the receipt. Recorded as sent before the request, since
 * from then on the report may be accepted at any moment (and can no longer be withdrawn). The
 * server refuses to accept attachments whose bytes do not match their declared checksum
 * (ATTACHMENT_HASH_MISMATCH): they are uploaded again from the start, at most twice.
 */
import { finalizeSubmission } from '@/services/api'
import type { ApiError } from '@/services/request'
import { newReceipt } from './codes'
import { LocalJobError } from './errors'
import { isCode, PROGRESSED, setActivity, update, type StepContext } from './state'
import type { OutboxJob } from './types'
import { progressFor } from './views'

/** Resolves true once the job is done; false when it went back to an earlier phase. */
export async function finalizeStep(job: OutboxJob, { id, cancel, p }: StepContext): Promise<boolean> {
  setActivity(id, 'finalizing')
  if (!job.finalizeSent) job = update(id, { finalizeSent: true })
  try {
    const result = await finalizeSubmission(job.submissionId!, job.receipt, cancel)
    progressFor(update<OutboxJob>(id, { ...PROGRESSED, phase: 'done', acceptedAt: result.acceptedAt }))
    return true
  } catch (error) {
    if (isCode(error, 'UPLOAD_INCOMPLETE')) {
      update(id, { phase: 'uploading' })
      return false
    }
    if (isCode(error, 'ATTACHMENT_HASH_MISMATCH')) {
      const count = (job.hashMismatches ?? 0) + 1
      if (count > 2) throw new LocalJobError('材料多次在传输中出错，请稍后点“重试”。')
      update(id, { phase: 'uploading', hashMismatches: count })
      for (const a of (error as ApiError).details.attachments ?? []) if (p.files[a.n]) p.files[a.n].done = 0
      return false
    }
    if (isCode(error, 'RECEIPT_IN_USE')) {
      // Someone else's report has these 16 digits: draw new ones, keep them, try again.
      update(id, { receipt: await newReceipt() })
      return false
    }
    if (isCode(error, 'SUBMISSION_NOT_FOUND')) {
      update(id, { phase: 'encrypted', submissionId: undefined })
      return false
    }
    throw error
  }
}
