/**
 * Phase `finalizing` → `done`: registers the receipt. Recorded as sent before the request, since
 * from then on the report may be accepted at any moment (and can no longer be withdrawn). The
 * server refuses to accept attachments whose bytes do not match their declared checksum
 * (ATTACHMENT_HASH_MISMATCH): they are uploaded again from the start, at most twice.
 */
import { finalizeSubmission } from '@/services/api'
import type { ApiError } from '@/services/request'
import { newIdempotencyKey, newReceipt } from './codes'
import { LocalJobError } from './errors'
import { isCode, PROGRESSED, setActivity, update, type StepContext } from './state'
import type { OutboxJob } from './types'
import { progressFor } from './views'

/** Resolves true once the job is done; false when it went back to an earlier phase. */
export async function finalizeStep(job: OutboxJob, { id, cancel, p }: StepContext): Promise<boolean> {
  setActivity(id, 'finalizing')
  if (!job.finalizeSent) job = update(id, { finalizeSent: true })
  try {
    // A, derived while encrypting; only a report queued before the case channel sends the receipt.
    const proof = job.caseKeys ? { authenticator: job.caseKeys.auth } : { receipt: job.receipt }
    const result = await finalizeSubmission(job.submissionId!, proof, cancel)
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
      // Someone else's report has these 16 digits. The report inside carries the reply key made
      // from them, so it is made again for new ones, as a new submission (this one was never
      // accepted and expires on the server).
      if (!job.caseKeys) {
        update(id, { receipt: await newReceipt() })
        return false
      }
      update(id, { receipt: await newReceipt(), idempotencyKey: await newIdempotencyKey(), phase: 'encrypting', header: undefined, report: undefined, attachments: undefined, submissionId: undefined, caseKeys: undefined, finalizeSent: undefined })
      return false
    }
    if (isCode(error, 'SUBMISSION_NOT_FOUND')) {
      update(id, { phase: 'encrypted', submissionId: undefined })
      return false
    }
    throw error
  }
}
