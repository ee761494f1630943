/**
 * Drafts are stored as JSON in key-value storage. Reading them back is strict about shape, so a
 * record damaged by an old version or a full disk is reported and skipped instead of crashing a page.
 */
import type { AttachmentLabel, DraftAttachment, DraftReport } from '@/domain/types'

const LABELS: AttachmentLabel[] = ['截图', '交易记录', '其他']

function isString(v: unknown): v is string {
  return typeof v === 'string'
}

function isRecordOfStrings(v: unknown): v is Record<string, string> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every(isString)
}

function isAttachment(v: unknown): v is DraftAttachment {
  const a = v as DraftAttachment
  return (
    !!a &&
    isString(a.id) &&
    LABELS.includes(a.label) &&
    isString(a.name) &&
    isString(a.mime) &&
    typeof a.size === 'number' &&
    a.size >= 0 &&
    isString(a.ref)
  )
}

/** Returns the draft when `raw` is a well-formed draft record, otherwise undefined. */
export function parseDraftRecord(raw: unknown): DraftReport | undefined {
  const d = raw as DraftReport
  if (!d || typeof d !== 'object') return undefined
  const ok =
    isString(d.id) &&
    d.id.length > 0 &&
    isString(d.createdAt) &&
    isString(d.updatedAt) &&
    !Number.isNaN(Date.parse(d.updatedAt)) &&
    (d.category === undefined || isString(d.category)) &&
    (d.branch === undefined || isString(d.branch)) &&
    isString(d.happenedAt) &&
    isString(d.description) &&
    Array.isArray(d.links) &&
    d.links.every(isString) &&
    isRecordOfStrings(d.party) &&
    isRecordOfStrings(d.extra) &&
    Array.isArray(d.attachments) &&
    d.attachments.every(isAttachment) &&
    !!d.reporter &&
    typeof d.reporter.anonymous === 'boolean' &&
    isString(d.reporter.name) &&
    isString(d.reporter.mobile) &&
    isString(d.reporter.idNumber) &&
    !!d.declaration &&
    typeof d.declaration.truthful === 'boolean' &&
    typeof d.declaration.liability === 'boolean'
  return ok ? d : undefined
}
