/**
 * Evidence files picked by the resident, copied into the phone's durable storage: one set of
 * limits, type checks and Chinese messages for the report's evidence step and for material added
 * to a case later (src/case).
 */
import { LIMITS } from '@/domain/draft-model'
import { checkFileContent, SNIFF_BYTES } from '@/domain/file-type'
import type { AttachmentLabel, DraftAttachment } from '@/domain/types'
import { files } from '@/platform/files'
import type { PickedFile } from '@/platform/files.types'
import { isAcceptedEvidence } from '@/platform/mime'
import { newId } from '@/drafts/ids'

/** The labels a resident can give a file, in the order the pickers show them. */
export const ATTACHMENT_LABELS: readonly AttachmentLabel[] = ['截图', '交易记录', '其他']

export interface AddResult {
  added: DraftAttachment[]
  /** One Chinese message per file that was refused. */
  refused: string[]
  /** One Chinese message per file added differently from what its name says (its real type). */
  notes: string[]
}

/** Where picked files go: the attachments already there (for the limits) and the storage key of a new one. */
export interface AttachmentTarget {
  existing: readonly DraftAttachment[]
  refOf: (id: string) => string
}

/**
 * Copies picked files into durable storage and answers the attachments to add, enforcing the
 * count, per-file and total limits against what the target already holds, and checking each
 * file's first bytes against its declared type (src/domain/file-type.ts). The report's evidence
 * step and the case page's 补充材料 both add files through this one function.
 */
export async function storePickedFiles(target: AttachmentTarget, picked: PickedFile[], label: AttachmentLabel): Promise<AddResult> {
  const added: DraftAttachment[] = []
  const refused: string[] = []
  const notes: string[] = []
  let count = target.existing.length
  let total = target.existing.reduce((n, a) => n + a.size, 0)
  for (const file of picked) {
    if (count >= LIMITS.maxFiles) {
      refused.push(`「${file.name}」未添加：最多只能添加 ${LIMITS.maxFiles} 个文件`)
      continue
    }
    if (!isAcceptedEvidence(file.name, file.mime)) {
      refused.push(`「${file.name}」未添加：只支持图片、PDF、Excel（xls/xlsx）和 CSV 文件`)
      continue
    }
    // An empty file would only be rejected later by the evidence step's validation.
    if (file.size <= 0) {
      refused.push(`「${file.name}」未添加：文件是空的（0 字节），请重新选择`)
      continue
    }
    if (file.size > LIMITS.maxFileBytes) {
      refused.push(`「${file.name}」未添加：单个文件不能超过 ${LIMITS.maxFileBytes / 1024 / 1024} MB`)
      continue
    }
    if (total + file.size > LIMITS.maxTotalBytes) {
      refused.push(`「${file.name}」未添加：所有文件合计不能超过 ${LIMITS.maxTotalBytes / 1024 / 1024} MB`)
      continue
    }
    const id = await newId(8)
    const ref = target.refOf(id)
    let size: number
    try {
      size = await files.storeFile(ref, file.source)
    } catch {
      refused.push(`「${file.name}」保存失败，请重试（手机存储空间可能不足）`)
      continue
    }
    let check
    try {
      check = checkFileContent(file.name, file.mime, await files.readRange(ref, 0, SNIFF_BYTES))
    } catch {
      await files.removeFile(ref).catch(() => undefined)
      refused.push(`「${file.name}」读取失败，请重试`)
      continue
    }
    if (!check.accept) {
      await files.removeFile(ref).catch(() => undefined)
      refused.push(`「${file.name}」未添加：${check.message}`)
      continue
    }
    if (check.message) notes.push(`「${file.name}」${check.message}`)
    added.push({ id, label, name: file.name, mime: check.mime, size: size || file.size, ref, kind: check.detected.kind })
    count += 1
    total += size || file.size
  }
  return { added, refused, notes }
}

