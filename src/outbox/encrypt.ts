/**
 * Encrypts a queued draft into enc/<id>/… as envelope v2 (docs/protocol.md): every attachment,
 * streamed through the encryption worker, then the report JSON that lists them. Runs before any
 * network call, and only while the server has seen nothing of the job, so a crash or a killed app
 * simply starts over (a fresh ephemeral key, fresh nonces). A worker reclaimed by WeChat mid-file
 * costs only that file: it is sealed again under a fresh nonce (src/crypto-worker/sealer.ts).
 */
import { CASE_KDF, caseSalt, encodeCaseAuth, encodeReplyKey } from '@/case'
import { attachmentLabel, fromBase64, REPORT_LABEL, toBase64, type EnvelopeHeader } from '@/crypto'
import { bundledConfig } from '@/domain/campaign'
import { FileSealer } from '@/crypto-worker/sealer'
import { encodeReportPlaintext, toReportPlaintext, type ReportAttachmentEntry } from '@/domain/report-plaintext'
import { loadDraft } from '@/drafts/store'
import { files } from '@/platform/files'
import { randomBytes } from '@/platform/random'
import { currentEncryptionKey } from '@/keys/store'
import type { Cancellation } from '@/services/request'
import { LocalJobError } from './errors'
import { renewLease } from './lease'
import { fileSealer } from './sealer-slot'
import { sealToFile } from './seal-file'
import { notify, PROGRESSED, setActivity, update, type StepContext } from './state'
import { progressFor, sample } from './views'
import { encKey, encPrefix } from './store'
import type { CaseKeys, OutboxJob, StoredObject } from './types'

export { LocalJobError }

export interface EncryptedJob {
  header: EnvelopeHeader
  report: StoredObject
  attachments: StoredObject[]
  caseKeys: CaseKeys
}

/** The campaign id of this build (its case KDF salt, docs/protocol.md §18.1): the bundled one, never a served one. */
export function campaignSalt(): Uint8Array {
  const id = bundledConfig.campaign.id
  if (!id) throw new LocalJobError('这个版本的小程序缺少活动编号，无法生成查询码的密钥。请更新小程序后再试。')
  return caseSalt(id)
}

/** Largest encrypted report the server takes (server/src/limits.ts maxReportBytes). */
const MAX_REPORT_BYTES = 256 * 1024

/**
 * Encrypts job `job` from its draft. `onProgress(done, total)` counts plaintext bytes sealed (the
 * report counts as one). Partial output of an earlier, interrupted run is discarded first.
 */
export async function encryptJob(job: OutboxJob, onProgress: (done: number, total: number) => void, cancel: Cancellation): Promise<EncryptedJob> {
  if (job.phase !== 'encrypting') throw new Error(`job ${job.id} is ${job.phase}, not encrypting`)
  await files.removeFilesWithPrefix(encPrefix(job.id))

  const draft = loadDraft(job.id)
  if (!draft) throw new LocalJobError('这份举报的内容已不在手机上，无法发送。请取消后重新填写。')
  // Only a key from a list the bureau signed (or the bundled one): never the server's word.
  const key = currentEncryptionKey()
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

  const active = fileSealer(() => new FileSealer())
  // The case keys from the receipt, in the worker: A for finalize, D inside the report (§18).
  const derived = await active.deriveCaseSecrets({ receipt: job.receipt, salt: campaignSalt(), params: CASE_KDF })
  cancel.throwIfCancelled()
  const caseKeys: CaseKeys = { auth: encodeCaseAuth(derived.authenticator), seed: toBase64(derived.seed) }
  const replyKey = encodeReplyKey(derived.replyKey)
  derived.seed.fill(0)
  const secret = await randomBytes(32)
  let header: EnvelopeHeader
  try {
    header = await active.openEnvelope({ bureauPublicKey: fromBase64(key.publicKey), ephemeralSecret: secret, expectedKid: key.kid })
  } finally {
    secret.fill(0)
  }

  /** Seals one object into `target` (a fresh file), reading the plaintext through `read`. */
  const sealInto = (label: string, target: string, size: number, read: (offset: number, length: number) => Promise<Uint8Array>, counted: boolean) =>
    sealToFile(active, { label, target, size, read, cancel, onProgress: counted ? (done) => onProgress(before + done, total) : undefined, lost: '加密后的材料' })

  try {
    const entries: ReportAttachmentEntry[] = []
    const objects: StoredObject[] = []
    for (let n = 0; n < draft.attachments.length; n++) {
      cancel.throwIfCancelled()
      const a = draft.attachments[n]
      const target = encKey(job.id, n)
      const outcome = await sealInto(attachmentLabel(n), target, sizes[n], (offset, length) => files.readRange(a.ref, offset, length), true)
      before += sizes[n]
      entries.push({ n, label: a.label, name: a.name, mime: a.mime, size: sizes[n] })
      objects.push({ key: target, size: outcome.size, crc32: outcome.crc32 })
    }

    const plaintext = encodeReportPlaintext(toReportPlaintext(draft, entries, job.declaredAt, replyKey))
    const reportKey = encKey(job.id, 'report')
    const report = await sealInto(REPORT_LABEL, reportKey, plaintext.length, async (offset, length) => plaintext.slice(offset, offset + length), false)
    if (report.size > MAX_REPORT_BYTES) throw new LocalJobError('举报文字内容太长，请取消后删减一些再提交。')
    onProgress(total, total)
    return { header, report: { key: reportKey, size: report.size, crc32: report.crc32 }, attachments: objects, caseKeys }
  } finally {
    active.closeEnvelope()
  }
}

/** Phase `encrypting` → `encrypted`: every object made and stored on the phone. */
export async function encryptStep(job: OutboxJob, { id, cancel, run, p }: StepContext): Promise<void> {
  setActivity(id, 'encrypting')
  const encrypted = await encryptJob(
    job,
    (done, total) => {
      p.encrypted = { done, total }
      sample(id, 'encrypt', done)
      renewLease()
      notify()
    },
    cancel,
  )
  // A key refresh during encryption must not leave a half-made job behind.
  const next = update(id, { ...PROGRESSED, phase: 'encrypted', ...encrypted })
  progressFor(next)
  run.madeProgress = true
}
