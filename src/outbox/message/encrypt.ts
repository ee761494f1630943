/**
 * Phase `encrypting` → `encrypted` of a case message: each added file sealed to the bureau's key,
 * then the message plaintext sealed twice, to the bureau and to the resident's own reply key (the
 * copy), all under one ephemeral key (docs/protocol.md). Runs before any network call; after a
 * crash it starts over with fresh keys. The worker does the arithmetic (src/crypto-worker).
 */
import { fromBase64 } from '@/crypto/bytes'
import { FileSealer } from '@/crypto-worker/sealer'
import { CASE_MESSAGE_SCHEMA, encodeCaseMessage, type CaseMessageAttachment } from '@/domain/case-message'
import { currentEncryptionKey } from '@/keys/store'
import { files } from '@/platform/files'
import { randomBytes } from '@/platform/random'
import { LocalJobError } from '../errors'
import { renewLease } from '../lease'
import { fileSealer } from '../sealer-slot'
import { notify, PROGRESSED, setActivity, update, type StepContext } from '../state'
import { encKey, encPrefix } from '../store'
import type { MessageJob, StoredObject } from '../types'
import { progressFor, sample } from '../views'
import { caseMessageHeader, copyLabel, messageAttachmentLabel, messageLabel } from './labels'

/** Largest message object the server takes (a 2000-character text and 20 file names fit many times). */
const MAX_MESSAGE_BYTES = 64 * 1024

export async function encryptMessageStep(job: MessageJob, { id, cancel, run, p }: StepContext): Promise<void> {
  setActivity(id, 'encrypting')
  await files.removeFilesWithPrefix(encPrefix(id))
  const key = currentEncryptionKey()
  if (!key) throw new LocalJobError('没有找到加密用的公钥，请更新小程序后再试。')

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
  let headers
  try {
    headers = await sealer.openEnvelopes([
      { bureauPublicKey: fromBase64(key.publicKey), ephemeralSecret: secret, expectedKid: key.kid },
      { bureauPublicKey: fromBase64(job.replyKey), ephemeralSecret: secret },
    ])
  } finally {
    secret.fill(0)
  }

  const sealInto = async (which: 0 | 1, label: string, target: string, size: number, read: (offset: number, length: number) => Promise<Uint8Array>, counted: boolean): Promise<StoredObject> => {
    await files.removeFile(target)
    const outcome = await sealer.seal(
      {
        label,
        size,
        nonce: () => randomBytes(16),
        reset: () => files.removeFile(target),
        read: (offset, length) => {
          cancel.throwIfCancelled()
          return read(offset, length)
        },
        write: (bytes) => files.appendFile(target, bytes),
        onProgress: counted
          ? (done) => {
              p.encrypted = { done: before + done, total }
              sample(id, 'encrypt', before + done)
              renewLease()
              notify()
            }
          : undefined,
        check: () => cancel.throwIfCancelled(),
      },
      which,
    )
    if ((await files.fileSize(target)) !== outcome.size) throw new LocalJobError('手机存储空间可能不足，加密后的内容没有完整保存。请清理空间后重试。')
    return { key: target, size: outcome.size, crc32: outcome.crc32 }
  }

  try {
    const attachments: StoredObject[] = []
    const entries: CaseMessageAttachment[] = []
    for (let n = 0; n < job.sources.length; n++) {
      cancel.throwIfCancelled()
      const f = job.sources[n]
      attachments.push(await sealInto(0, messageAttachmentLabel(job.caseId, job.msgId, n), encKey(id, n), sizes[n], (o, l) => files.readRange(f.ref, o, l), true))
      before += sizes[n]
      entries.push({ n, label: f.label, name: f.name, mime: f.mime, size: sizes[n], detectedType: f.mime })
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
    const message = await sealInto(0, messageLabel(job.caseId, job.msgId), encKey(id, 'message'), plaintext.length, read, false)
    const copy = await sealInto(1, copyLabel(job.caseId, job.msgId), encKey(id, 'copy'), plaintext.length, read, false)
    if (message.size > MAX_MESSAGE_BYTES) throw new LocalJobError('消息内容太长，请删减一些再发送。')
    const next = update<MessageJob>(id, { ...PROGRESSED, phase: 'encrypted', header: caseMessageHeader(headers[0], headers[1]), message, copy, attachments })
    progressFor(next)
    run.madeProgress = true
  } finally {
    sealer.closeEnvelope()
  }
}
