/**
 * The phone's draft store. Each draft is one small JSON record; a tiny index lists them so the
 * home page never loads every draft. Attachment bytes live in platform file storage under
 * `attachmentKey(draftId, attachmentId)` and are deleted with their draft.
 */
import { emptyDraft, isStale, LIMITS } from '@/domain/draft-model'
import { checkFileContent, SNIFF_BYTES } from '@/domain/file-type'
import type { AttachmentLabel, DraftAttachment, DraftReport } from '@/domain/types'
import { files } from '@/platform/files'
import type { PickedFile } from '@/platform/files.types'
import { isAcceptedEvidence } from '@/platform/mime'
import {
  readDraftRecord,
  readKey,
  removeDraftRecord,
  writeDraftRecord,
  writeKey,
  type DraftIndexEntry,
} from '@/platform/storage'
import { newId } from './ids'
import { parseDraftRecord } from './serialize'

export function attachmentKey(draftId: string, attachmentId: string): string {
  return `att/${draftId}/${attachmentId}`
}

function readIndex(): DraftIndexEntry[] {
  const index = readKey('drafts/index')
  return Array.isArray(index) ? index.filter((e) => e && typeof e.id === 'string') : []
}

function writeIndex(index: DraftIndexEntry[]): void {
  writeKey('drafts/index', index)
}

/**
 * Drafts handed to the outbox (being sent, waiting to be sent, or sent and awaiting the resident's
 * receipt confirmation). They are no longer drafts: not listed, not purged, not deleted in bulk.
 */
function queuedIds(): Set<string> {
  const outbox = readKey('outbox/index')
  return new Set(Array.isArray(outbox) ? outbox.filter((e) => e && typeof e.id === 'string').map((e) => e.id) : [])
}

export function loadDraft(id: string): DraftReport | undefined {
  return parseDraftRecord(readDraftRecord(id))
}

/** All readable drafts not in the outbox, most recently changed first. */
export function listDrafts(): DraftReport[] {
  const queued = queuedIds()
  return readIndex()
    .filter((e) => !queued.has(e.id))
    .map((e) => loadDraft(e.id))
    .filter((d): d is DraftReport => !!d)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
}

export function saveDraft(draft: DraftReport): void {
  writeDraftRecord(draft)
  const index = readIndex().filter((e) => e.id !== draft.id)
  index.push({ id: draft.id, updatedAt: draft.updatedAt })
  writeIndex(index)
}

export async function createDraft(preset: Partial<Pick<DraftReport, 'category' | 'branch'>>, now = new Date()): Promise<DraftReport> {
  const draft: DraftReport = { ...emptyDraft(await newId(), now), ...preset }
  saveDraft(draft)
  return draft
}

export async function deleteDraft(id: string): Promise<void> {
  removeDraftRecord(id)
  writeIndex(readIndex().filter((e) => e.id !== id))
  await files.removeFilesWithPrefix(`att/${id}/`)
}

/** Deletes every draft and attachment file, except those of reports in the outbox. */
export async function deleteAllDrafts(): Promise<void> {
  const queued = queuedIds()
  const kept = readIndex().filter((e) => queued.has(e.id))
  for (const entry of readIndex()) if (!queued.has(entry.id)) removeDraftRecord(entry.id)
  writeIndex(kept)
  if (queued.size === 0) {
    await files.removeFilesWithPrefix('att/')
    return
  }
  for (const key of await files.listFiles()) {
    const owner = /^att\/([^/]+)\//.exec(key)?.[1]
    if (owner !== undefined && !queued.has(owner)) await files.removeFile(key)
  }
}

/** Deletes drafts untouched for the stale period; answers how many went. */
export async function purgeStaleDrafts(now = new Date()): Promise<number> {
  let purged = 0
  const queued = queuedIds()
  for (const entry of readIndex()) {
    if (queued.has(entry.id)) continue
    const draft = loadDraft(entry.id)
    if (!draft || isStale(draft, now)) {
      await deleteDraft(entry.id)
      if (draft) purged += 1
    }
  }
  return purged
}

export interface AddResult {
  added: DraftAttachment[]
  /** One Chinese message per file that was refused. */
  refused: string[]
  /** One Chinese message per file added differently from what its name says (its real type). */
  notes: string[]
}

/**
 * Copies picked files into durable storage and answers the attachments to add, enforcing the
 * count, per-file and total limits against what the draft already holds, and checking each
 * file's first bytes against its declared type (src/domain/file-type.ts).
 */
export async function storeAttachments(draft: DraftReport, picked: PickedFile[], label: AttachmentLabel): Promise<AddResult> {
  const added: DraftAttachment[] = []
  const refused: string[] = []
  const notes: string[] = []
  let count = draft.attachments.length
  let total = draft.attachments.reduce((n, a) => n + a.size, 0)
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
    const ref = attachmentKey(draft.id, id)
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
    added.push({ id, label, name: file.name, mime: check.mime, size: size || file.size, ref })
    count += 1
    total += size || file.size
  }
  return { added, refused, notes }
}

export async function removeAttachmentFile(attachment: DraftAttachment): Promise<void> {
  await files.removeFile(attachment.ref)
}
