/**
 * One case message job through its phases (see ../types.ts MessageJob): encrypting → encrypted →
 * uploading → finalizing → done. Once done, the job, its encrypted copies and its source files are
 * deleted: the message is on the server, and the case page shows it from there.
 */
import type { Cancellation } from '@/services/request'
import { LocalJobError } from '../errors'
import { loadSending } from '../load-sending'
import { current, MAX_STEPS } from '../state'
import type { MessageJob } from '../types'
import { progressFor } from '../views'
import { forgetMessageJob } from './actions'
import { finalizeMessageStep, postMessageStep, uploadMessageStep } from './send'

export async function processMessageJob(id: string, cancel: Cancellation, run: { madeProgress: boolean }): Promise<void> {
  const p = progressFor(current<MessageJob>(id))
  const context = { id, cancel, run, p }
  for (let step = 0; step < MAX_STEPS; step++) {
    const job = current<MessageJob>(id)
    switch (job.phase) {
      case 'encrypting': {
        // H5: the crypto code is a separate chunk, fetched now (../load-sending.ts).
        const { encryptMessageStep } = await loadSending()
        await encryptMessageStep(job, context)
        break
      }
      case 'encrypted':
        await postMessageStep(job, context)
        break
      case 'uploading':
        await uploadMessageStep(job, context)
        break
      case 'finalizing':
        if (await finalizeMessageStep(job, context)) {
          await forgetMessageJob(id)
          return
        }
        break
      case 'done':
        await forgetMessageJob(id)
        return
    }
  }
  throw new LocalJobError('发送时反复出错，请稍后点“重试”。')
}
