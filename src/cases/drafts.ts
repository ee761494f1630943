/**
 * The message a resident is writing for a case (a reply, added material, or both): one draft per
 * case, saved on every change, so nothing typed or picked is lost when the app is closed or the
 * network drops. Added files live in file storage under msg/<draftId>/. When sent, the draft
 * becomes an outbox job (src/outbox/message) under the same id, and the record here goes.
 */
import { storePickedFiles, type AddResult } from '@/attachments/store'
import type { AttachmentLabel, DraftAttachment } from '@/domain/types'
import { newId } from '@/drafts/ids'
import { hasJob } from '@/outbox/store'
import { files } from '@/platform/files'
import type { PickedFile } from '@/platform/files.types'
import { readMessageDraftRecord, removeMessageDraftRecord, writeMessageDraftRecord } from '@/platform/storage'

export interface MessageDraft {
  id: string
  caseId: string
  text: string
  attachments: DraftAttachment[]
  updatedAt: string
}

const LABELS: readonly string[] = ['截图', '交易记录', '其他']

function parse(raw: unknown, caseId: string): MessageDraft | undefined {
  const d = raw as MessageDraft
  if (!d || typeof d !== 'object' || typeof d.id !== 'string' || !/^[0-9a-f]{24}$/.test(d.id) || d.caseId !== caseId || typeof d.text !== 'string' || typeof d.updatedAt !== 'string') return undefined
  if (!Array.isArray(d.attachments)) return undefined
  const ok = d.attachments.every((a) => !!a && typeof a.id === 'string' && LABELS.includes(a.label) && typeof a.name === 'string' && typeof a.mime === 'string' && Number.isSafeInteger(a.size) && a.ref === messageFileKey(d.id, a.id))
  return ok ? d : undefined
}

export function messageFileKey(draftId: string, attachmentId: string): string {
  return `msg/${draftId}/${attachmentId}`
}

/** The draft for this case, if one is being written (not one already handed to the outbox). */
export function loadMessageDraft(caseId: string): MessageDraft | undefined {
  const draft = parse(readMessageDraftRecord(caseId), caseId)
  // Queued already (the app stopped between saving the job and removing the draft).
  if (draft && hasJob(draft.id)) {
    removeMessageDraftRecord(caseId)
    return undefined
  }
  return draft
}

export function saveMessageDraft(draft: MessageDraft): void {
  writeMessageDraftRecord(draft.caseId, draft)
}

export async function createMessageDraft(caseId: string, now = new Date()): Promise<MessageDraft> {
  const draft: MessageDraft = { id: await newId(), caseId, text: '', attachments: [], updatedAt: now.toISOString() }
  saveMessageDraft(draft)
  return draft
}

/** Deletes the draft and its files (the resident threw it away). */
export async function deleteMessageDraft(draft: MessageDraft): Promise<void> {
  removeMessageDraftRecord(draft.caseId)
  await files.removeFilesWithPrefix(`msg/${draft.id}/`)
}

/** The draft was handed to the outbox: the record goes, its files now belong to the job. */
export function releaseMessageDraft(caseId: string): void {
  removeMessageDraftRecord(caseId)
}

/** Copies picked files into storage for the draft: the same limits, checks and messages as a report's evidence. */
export function storeMessageFiles(draft: MessageDraft, picked: PickedFile[], label: AttachmentLabel): Promise<AddResult> {
  return storePickedFiles({ existing: draft.attachments, refOf: (id) => messageFileKey(draft.id, id) }, picked, label)
}
