/**
 * One job through its phases: encrypting → encrypted → uploading → finalizing → done, each step
 * persisted before the next network call (see ./types.ts). A step may send the job back (damaged
 * copies, an expired submission, a key change); MAX_STEPS bounds the loop. A case message job
 * goes through the phases of ./message/process.ts instead.
 */
import type { Cancellation } from '@/services/request'
import { createStep } from './create'
import { LocalJobError } from './errors'
import { finalizeStep } from './finalize'
import { loadMessaging } from './load-messaging'
import { loadSending } from './load-sending'
import { current, MAX_STEPS } from './state'
import type { AnyJob } from './types'
import { uploadStep } from './upload'
import { progressFor } from './views'

export async function processJob(id: string, cancel: Cancellation, run: { madeProgress: boolean }): Promise<void> {
  const any = current<AnyJob>(id)
  // H5: the message phases are a chunk of their own (load-messaging.ts).
  if (any.kind === 'message') return (await loadMessaging()).processMessageJob(id, cancel, run)
  const p = progressFor(any)
  const context = { id, cancel, run, p }
  for (let step = 0; step < MAX_STEPS; step++) {
    const job = current(id)
    switch (job.phase) {
      case 'encrypting': {
        // H5: the crypto code is a separate chunk, fetched now (load-sending.ts).
        const { encryptStep } = await loadSending()
        await encryptStep(job, context)
        break
      }
      case 'encrypted':
        await createStep(job, context)
        break
      case 'uploading':
        await uploadStep(job, context)
        break
      case 'finalizing':
        if (await finalizeStep(job, context)) return
        break
      case 'done':
        return
    }
  }
  throw new LocalJobError('发送时反复出错，请稍后点“重试”。')
}
