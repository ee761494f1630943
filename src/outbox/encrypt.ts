/**
 * Encrypts a queued draft into enc/<id>/…: every attachment (streamed, with the SHA-256 of the
 * original file), then the report JSON that lists those hashes. Runs before any network call, and
 * only while the server has seen nothing of the job, so a crash mid-way simply starts over.
 */
import {
  attachmentLabel,
  createEnvelope,
  encryptAttachment,
  encryptObject,
  fromBase64,
  REPORT_LABEL,
  sha256Hex,
  type EnvelopeHeader,
} from '@/crypto'
import { currentKey } from '@/domain/campaign'
import { encodeReportPlaintext, toReportPlaintext, type ReportAttachmentEntry } from '@/domain/report-plaintext'
import { loadDraft } from '@/drafts/store'
import { files } from '@/platform/files'
import { randomBytes } from '@/platform/random'
import { currentCampaignConfig } from '@/services/campaign-config'
import type { Cancellation } from '@/services/request'
import { LocalJobError } from './errors'
import { encKey, encPrefix } from './store'
import type { OutboxJob, StoredObject } from './types'

export interface EncryptedJob {
  header: EnvelopeHeader
  report: StoredObject
  attachments: StoredObject[]
}

/** Largest encrypted report the server takes (server/src/limits.ts maxReportBytes). */
const MAX_REPORT_BYTES = 256 * 1024

/**
 * Encrypts job `job` from its draft. `onProgress(done, total)` counts plaintext bytes (the report
 * counts as one). Partial output of an earlier, interrupted run is discarded first.
 */
export async function encryptJob(
  job: OutboxJob,
  onProgress: (done: number, total: number) => void,
  cancel: Cancellation,
  chunkSize?: number,
): Promise<EncryptedJob> {
  if (job.phase !== 'encrypting') throw new Error(`job ${job.id} is ${job.phase}, not encrypting`)
  await files.removeFilesWithPrefix(encPrefix(job.id))

  const draft = loadDraft(job.id)
  if (!draft) throw new LocalJobError('这份举报的内容已不在手机上，无法发送。请取消后重新填写。')
  const config = currentCampaignConfig()
  const key = currentKey(config)
  if (!key) throw new LocalJobError('没有找到加密用的公钥，请更新小程序后再试。')

  // Plaintext sizes come from the stored copies themselves, not from what the picker said.
  const sizes: number[] = []
  for (const a of draft.attachments) {
    const size = await files.fileSize(a.ref)
    if (size === undefined) throw new LocalJobError(`材料「${a.name}」已不在手机上，无法发送。请取消后重新添加这个材料。`)
    sizes.push(size)
  }
  const total = sizes.reduce((n, s) => n + s, 0) + 1
  let before = 0
  onProgress(0, total)

  const secret = await randomBytes(32)
  const envelope = createEnvelope({ bureauPublicKey: fromBase64(key.publicKey), ephemeralSecret: secret, expectedKid: key.kid })
  secret.fill(0)

  const entries: ReportAttachmentEntry[] = []
  const objects: StoredObject[] = []
  for (let n = 0; n < draft.attachments.length; n++) {
    cancel.throwIfCancelled()
    const a = draft.attachments[n]
    const size = sizes[n]
    const target = encKey(job.id, n)
    const result = await encryptAttachment({
      keys: envelope.keysFor(attachmentLabel(n)),
      iv: await randomBytes(16),
      size,
      read: (offset, length) => {
        cancel.throwIfCancelled()
        return files.readRange(a.ref, offset, length)
      },
      write: (bytes) => files.appendFile(target, bytes),
      onProgress: (fraction) => onProgress(before + Math.floor(fraction * size), total),
      chunkSize,
    })
    before += size
    const written = await files.fileSize(target)
    if (written !== result.ciphertextSize) throw new LocalJobError('手机存储空间可能不足，加密后的材料没有完整保存。请清理空间后重试。')
    entries.push({ n, label: a.label, name: a.name, mime: a.mime, size, sha256: result.plaintextSha256 })
    objects.push({ key: target, size: result.ciphertextSize, sha256: result.ciphertextSha256 })
  }

  const plaintext = toReportPlaintext(draft, entries, job.declaredAt)
  const reportObject = encryptObject(envelope.keysFor(REPORT_LABEL), await randomBytes(16), encodeReportPlaintext(plaintext))
  if (reportObject.length > MAX_REPORT_BYTES) throw new LocalJobError('举报文字内容太长，请取消后删减一些再提交。')
  const reportKey = encKey(job.id, 'report')
  await files.appendFile(reportKey, reportObject)
  if ((await files.fileSize(reportKey)) !== reportObject.length) {
    throw new LocalJobError('手机存储空间可能不足，加密后的举报没有完整保存。请清理空间后重试。')
  }
  onProgress(total, total)
  return {
    header: envelope.header,
    report: { key: reportKey, size: reportObject.length, sha256: sha256Hex(reportObject) },
    attachments: objects,
  }
}
