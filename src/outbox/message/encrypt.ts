/**
 * Phase `encrypting` → `encrypted` of a case message: each added file sealed to the bureau, then
 * the message plaintext sealed twice, for the bureau and as the resident's own copy, all under one
 * key agreement made in the worker from the case seed (docs/protocol.md §19). Runs before any
 * network call; after a crash it starts over with fresh keys. The seed comes from the open case
 * page or a case kept on this phone (src/cases/keys.ts), never from the job record.
 */
import { CASE_MESSAGE_SCHEMA, caseAttachmentLabel, copyLabel, encodeCaseMessage, messageLabel, type CaseMessageAttachment } from '@/case'
import { caseKeysFor } from '@/cases/keys'
import { fromBase64 } from '@/crypto/bytes'
import { FileSealer } from '@/crypto-worker/sealer'
import { currentEncryptionKey } from '@/keys/store'
import { files } from '@/platform/files'
import { randomBytes } from '@/platform/random'
import { LocalJobError } from '../errors'
import { renewLease } from '../lease'
import { fileSealer } from '../sealer-slot'
import { sealToFile } from '../seal-file'
import { notify, PROGRESSED, setActivity, update, type StepContext } from '../state'
import { encKey, encPrefix } from '../store'
import type { MessageJob, StoredObject } from '../types'
import { progressFor, sample } from '../views'

/** Shown while a message waits for its case's 查询码 (the app was closed before it was encrypted). */
export const NEEDS_RECEIPT = '需要再次输入查询码才能加密发送这条消息。请打开“查询举报进展”，输入查询码。'

export async function encryptMessageStep(job: MessageJob, { id, cancel, run, p }: StepContext): Promise<void> {
  setActivity(id, 'encrypting')
  await files.removeFilesWithPrefix(encPrefix(id))
  const key = currentEncryptionKey()
  if (!key) throw new LocalJobError('没有找到加密用的公钥，请更新小程序后再试。')
  const caseKeys = caseKeysFor(job.caseId)
  if (!caseKeys) throw new LocalJobError(NEEDS_RECEIPT)

  const sizes: number[] = []
  for (const f of job.sources) {
    const size = await files.fileSize(f.ref)
    if (size === undefined) throw new LocalJobError(`材料「${f.name}」已不在手机上，无法发送。请删除这条消息后重新添加这个材料。`)
    sizes.push(size)
  }
  const total = sizes.reduce((n, s) => n + s, 0) + 1
  let before = 0
  p.encrypted = { done: 0, total }

  const sealer = fileSealer(() => new FileSealer())
  const secret = await randomBytes(32)
  const seed = fromBase64(caseKeys.seed)
  let header
  try {
    header = await sealer.openCaseEnvelope({ caseId: job.caseId, msgId: job.msgId, bureauPublicKey: fromBase64(key.publicKey), seed, ephemeralSecret: secret })
  } finally {
    secret.fill(0)
    seed.fill(0)
  }

  const sealInto = async (label: string, target: string, size: number, read: (offset: number, length: number) => Promise<Uint8Array>, counted: boolean): Promise<StoredObject> => {
    const onProgress = (done: number) => {
      p.encrypted = { done: before + done, total }
      sample(id, 'encrypt', before + done)
      renewLease()
      notify()
    }
    const outcome = await sealToFile(sealer, { label, target, size, read, cancel, onProgress: counted ? onProgress : undefined, lost: '加密后的内容' })
    return { key: target, size: outcome.size, crc32: outcome.crc32 }
  }

  try {
    const attachments: StoredObject[] = []
    const entries: CaseMessageAttachment[] = []
    for (let n = 0; n < job.sources.length; n++) {
      cancel.throwIfCancelled()
      const f = job.sources[n]
      attachments.push(await sealInto(caseAttachmentLabel(job.caseId, job.msgId, n), encKey(id, n), sizes[n], (o, l) => files.readRange(f.ref, o, l), true))
      before += sizes[n]
      entries.push({ n, label: f.label, name: f.name, mime: f.mime, size: sizes[n], detectedType: f.kind })
    }
    const plaintext = encodeCaseMessage({
      schema: CASE_MESSAGE_SCHEMA,
      caseId: job.caseId,
      msgId: job.msgId,
      from: 'resident',
      writtenAt: job.writtenAt,
      text: job.text,
      requestsMaterial: false,
      inReplyTo: job.inReplyTo,
      attachments: entries,
    })
    const read = async (o: number, l: number) => plaintext.slice(o, o + l)
    const message = await sealInto(messageLabel(job.caseId, job.msgId), encKey(id, 'message'), plaintext.length, read, false)
    const copy = await sealInto(copyLabel(job.caseId, job.msgId), encKey(id, 'copy'), plaintext.length, read, false)
    const next = update<MessageJob>(id, { ...PROGRESSED, phase: 'encrypted', header: { ...header }, message, copy, attachments })
    progressFor(next)
    run.madeProgress = true
  } finally {
    sealer.closeEnvelope()
  }
}
