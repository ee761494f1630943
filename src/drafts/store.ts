/**
 * The phone's draft store. Each draft is one small JSON record; a tiny index lists them so the
 * home page never loads every draft. Attachment bytes live in platform file storage under
 * `attachmentKey(draftId, attachmentId)` and are deleted with their draft.
 */
import { emptyDraft, isStale } from '@/domain/draft-model'
import type { DraftAttachment, DraftReport } from '@/domain/types'
import { files } from '@/platform/files'
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

export async function removeAttachmentFile(attachment: DraftAttachment): Promise<void> {
  await files.removeFile(attachment.ref)
}
