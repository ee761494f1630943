/**
 * Phase `encrypted` → `uploading`: the create request (header, report object, declared attachments
 * with their upload checksums), idempotent by the job's key. A report queued as v1 before the
 * phone was updated is created as v1, with its SHA-256s; everything else is v2 with CRC-32s.
 */
import { files } from '@/platform/files'
import { createSubmission, type CreateSubmissionBody } from '@/services/api'
import { newIdempotencyKey } from './codes'
import { keysNotVerified } from './errors'
import { loadSending } from './load-sending'
import { current, isCode, PROGRESSED, setActivity, update, type StepContext } from './state'
import type { OutboxJob, StoredObject } from './types'
import { progressFor, sumDone } from './views'

/** Back to encryption with a new idempotency key: only while the server holds no live submission of ours. */
export function restartEncryption(id: string): OutboxJob {
  const job = current(id)
  if (job.phase !== 'encrypted') throw new Error(`cannot re-encrypt a job in phase ${job.phase}`)
  return update(id, { phase: 'encrypting', header: undefined, report: undefined, attachments: undefined, submissionId: undefined })
}

/** The checksum a stored copy must still have: CRC-32 (v2) or SHA-256 (a queued v1 report). */
async function intact(object: StoredObject, bytes: Uint8Array): Promise<boolean> {
  if (bytes.length !== object.size) return false
  const { crc32Hex, sha256Hex } = await loadSending()
  if (object.crc32 !== undefined) return crc32Hex(bytes) === object.crc32
  return object.sha256 !== undefined && sha256Hex(bytes) === object.sha256
}

/** The create body, read back from the phone; undefined when the local copies are damaged. */
export async function createBody(job: OutboxJob): Promise<CreateSubmissionBody | undefined> {
  const report = job.report!
  let bytes: Uint8Array
  try {
    bytes = await files.readRange(report.key, 0, report.size)
  } catch {
    return undefined
  }
  if (!(await intact(report, bytes))) return undefined
  for (const object of job.attachments!) {
    if ((await files.fileSize(object.key)) !== object.size) return undefined
  }
  const { toBase64 } = await loadSending()
  return {
    idempotencyKey: job.idempotencyKey,
    header: job.header!,
    report: toBase64(bytes),
    attachments: job.attachments!.map((o) => (o.crc32 !== undefined ? { size: o.size, crc32: o.crc32 } : { size: o.size, sha256: o.sha256! })),
    ...(job.branch ? { branch: job.branch } : {}),
  }
}

/** Creates the submission; a job whose copies are damaged, or whose key is gone, goes back to encrypting. */
export async function createStep(job: OutboxJob, { id, cancel, run, p }: StepContext): Promise<void> {
  setActivity(id, 'uploading')
  const body = await createBody(job)
  if (!body) {
    // The copies on the phone are damaged; the server cannot have accepted anything yet.
    update(id, { idempotencyKey: await newIdempotencyKey() })
    restartEncryption(id)
    return
  }
  try {
    const { submission } = await createSubmission(body, cancel)
    const next = update(id, { ...PROGRESSED, submissionId: submission.id, phase: submission.state === 'accepted' ? 'finalizing' : 'uploading' })
    progressFor(next)
    for (const a of submission.attachments) if (p.files[a.n]) p.files[a.n].done = a.offset
    sumDone(p)
    run.madeProgress = true
  } catch (error) {
    if (isCode(error, 'UNKNOWN_KID') || isCode(error, 'IDEMPOTENCY_KEY_REUSED')) {
      // The bureau changed its key (or our earlier request differs): encrypt again, to the
      // current key, under a new idempotency key. Nothing was accepted under the old one.
      // The new key must come from a key list signed by the bureau (src/keys): if the server
      // offers none the phone accepts, the report waits, encrypted to the key it has.
      if (isCode(error, 'UNKNOWN_KID')) {
        const { refreshKeyList, currentEncryptionKey } = await loadSending()
        await refreshKeyList(cancel)
        if (currentEncryptionKey()?.kid === job.header!.kid) throw keysNotVerified()
      }
      update(id, { idempotencyKey: await newIdempotencyKey() })
      restartEncryption(id)
      return
    }
    throw error
  }
}
