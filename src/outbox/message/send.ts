/**
 * The network phases of a case message, each persisted before the next request:
 *   encrypted   → post the message (idempotent by msgId: the same body again is answered 200)
 *   uploading   → the added files, resumable from the server's offsets (../upload.ts)
 *   finalizing  → the server checks every file's CRC-32 and accepts the message
 * A message without files is accepted by the post itself. The msgId changes only while the server
 * cannot hold the message (a refused post, or local copies damaged before any post), so the same
 * message never arrives twice.
 */
import { files } from '@/platform/files'
import { fetchCase, finalizeCaseMessage, postCaseMessage, caseAttachment, type NewCaseMessage } from '@/services/case-api'
import { toBase64 } from '@/crypto/bytes'
import { LocalJobError, keysNotVerified } from '../errors'
import { loadSending } from '../load-sending'
import { isCode, PROGRESSED, setActivity, update, type StepContext } from '../state'
import type { MessageJob, StoredObject } from '../types'
import { uploadJobObjects } from '../upload'
import { progressFor, sumDone } from '../views'
import { newMsgId } from './ids'

/** Server codes (docs/server.md) this phase handles itself. */
export const MESSAGE_NOT_FOUND = 'MESSAGE_NOT_FOUND'

async function readIntact(object: StoredObject): Promise<Uint8Array | undefined> {
  try {
    const bytes = await files.readRange(object.key, 0, object.size)
    // H5: the checksum code comes with the sending chunk (../load-sending.ts).
    const { crc32Hex } = await loadSending()
    return bytes.length === object.size && crc32Hex(bytes) === object.crc32 ? bytes : undefined
  } catch {
    return undefined
  }
}

/** The post body, read back from the phone; undefined when the local copies are damaged. */
async function postBody(job: MessageJob): Promise<NewCaseMessage | undefined> {
  const message = await readIntact(job.message!)
  const copy = await readIntact(job.copy!)
  if (!message || !copy) return undefined
  for (const a of job.attachments!) if ((await files.fileSize(a.key)) !== a.size) return undefined
  return {
    msgId: job.msgId,
    header: job.header!,
    message: toBase64(message),
    copy: toBase64(copy),
    attachments: job.attachments!.map((a) => ({ size: a.size, crc32: a.crc32! })),
  }
}

/** Back to encrypting: under a new msgId unless the server may hold this one. */
async function encryptAgain(job: MessageJob, newId: boolean): Promise<void> {
  update<MessageJob>(job.id, { phase: 'encrypting', header: undefined, message: undefined, copy: undefined, attachments: undefined, ...(newId ? { msgId: await newMsgId(), createSent: undefined } : {}) })
}

export async function postMessageStep(job: MessageJob, { id, cancel, run }: StepContext): Promise<void> {
  setActivity(id, 'uploading')
  const body = await postBody(job)
  if (!body) {
    if (!job.createSent) return encryptAgain(job, true)
    // The server may have it: look before making a second message.
    const known = (await fetchCase(job.auth, cancel)).messages.find((m) => m.msgId === job.msgId)
    if (!known) return encryptAgain(job, true)
    if (known.state !== 'open') {
      update<MessageJob>(id, { ...PROGRESSED, phase: 'done' })
      return
    }
    throw new LocalJobError('手机上保存的加密副本已损坏，无法继续上传材料。请删除这条消息后重新发送。')
  }
  if (!job.createSent) job = update<MessageJob>(id, { createSent: true })
  try {
    const { upload } = await postCaseMessage(job.auth, body, cancel)
    const next = update<MessageJob>(id, { ...PROGRESSED, phase: upload.state === 'accepted' ? 'done' : 'uploading' })
    const p = progressFor(next)
    for (const a of upload.attachments) if (p.files[a.n]) p.files[a.n].done = a.offset
    sumDone(p)
    run.madeProgress = true
  } catch (error) {
    if (isCode(error, 'UNKNOWN_KID')) {
      // The server refused it, so it holds nothing under this msgId: encrypt again to the key of
      // a list the bureau signed (never the server's word); without one, wait.
      const { refreshKeyList, currentEncryptionKey } = await loadSending()
      await refreshKeyList(cancel)
      if (currentEncryptionKey()?.kid === (job.header as { kid?: string }).kid) throw keysNotVerified()
      return encryptAgain(job, false)
    }
    throw error
  }
}

export async function uploadMessageStep(job: MessageJob, ctx: StepContext): Promise<void> {
  const { id, run } = ctx
  setActivity(id, 'uploading')
  try {
    await uploadJobObjects(ctx, job.attachments!, (n) => caseAttachment(job.auth, job.msgId, n))
  } catch (error) {
    if (isCode(error, MESSAGE_NOT_FOUND)) {
      // An unfinished message expired on the server: post it again, same bytes.
      update<MessageJob>(id, { phase: 'encrypted' })
      return
    }
    if (isCode(error, 'MESSAGE_FINALIZED')) {
      update<MessageJob>(id, { phase: 'finalizing' })
      return
    }
    throw error
  }
  progressFor(update<MessageJob>(id, { ...PROGRESSED, phase: 'finalizing' }))
  run.madeProgress = true
}

/** Resolves true once the message is accepted. */
export async function finalizeMessageStep(job: MessageJob, { id, cancel, p }: StepContext): Promise<boolean> {
  setActivity(id, 'finalizing')
  try {
    await finalizeCaseMessage(job.auth, job.msgId, cancel)
    progressFor(update<MessageJob>(id, { ...PROGRESSED, phase: 'done' }))
    return true
  } catch (error) {
    if (isCode(error, 'UPLOAD_INCOMPLETE')) {
      update<MessageJob>(id, { phase: 'uploading' })
      return false
    }
    if (isCode(error, 'ATTACHMENT_HASH_MISMATCH')) {
      const count = (job.hashMismatches ?? 0) + 1
      if (count > 2) throw new LocalJobError('材料多次在传输中出错，请稍后点“重试”。')
      update<MessageJob>(id, { phase: 'uploading', hashMismatches: count })
      for (const a of (error as { details: { attachments?: { n: number }[] } }).details.attachments ?? []) if (p.files[a.n]) p.files[a.n].done = 0
      return false
    }
    if (isCode(error, MESSAGE_NOT_FOUND)) {
      update<MessageJob>(id, { phase: 'encrypted' })
      return false
    }
    throw error
  }
}
