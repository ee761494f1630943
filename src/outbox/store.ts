/**
 * Persistence of outbox jobs in key-value storage: a small index plus one record per job, read
 * back strictly (a damaged record is skipped, never crashes a page). Encrypted copies live in
 * file storage under enc/<id>/.
 */
import { readKey, readOutboxJobRecord, removeOutboxJobRecord, writeKey, writeOutboxJobRecord } from '@/platform/storage'
import type { AnyJob, CaseKeys, JobPhase, MessageJob, OutboxIndexEntry, OutboxJob, StoredObject } from './types'

const PHASES: readonly JobPhase[] = ['encrypting', 'encrypted', 'uploading', 'finalizing', 'done']

/** File storage key of an encrypted object of job `id`. */
export function encKey(id: string, part: 'report' | 'message' | 'copy' | number): string {
  return `enc/${id}/${part}`
}

export function encPrefix(id: string): string {
  return `enc/${id}/`
}

function readIndex(): OutboxIndexEntry[] {
  const index = readKey('outbox/index')
  return Array.isArray(index) ? index.filter((e) => !!e && typeof e.id === 'string' && typeof e.createdAt === 'string') : []
}

const B64URL_32 = /^[A-Za-z0-9_-]{43}$/
const B64_32 = /^[A-Za-z0-9+/]{43}=$/
const HEX32 = /^[0-9a-f]{32}$/

export function isCaseKeys(x: unknown): x is CaseKeys {
  const k = x as CaseKeys
  return !!k && typeof k === 'object' && typeof k.auth === 'string' && B64URL_32.test(k.auth) && typeof k.seed === 'string' && B64_32.test(k.seed)
}

function isStoredObject(x: unknown): x is StoredObject {
  const o = x as StoredObject
  if (!o || typeof o.key !== 'string' || !Number.isSafeInteger(o.size) || o.size <= 0) return false
  // Exactly one checksum: CRC-32 (v2) or SHA-256 (a v1 report queued before the update).
  if (o.crc32 !== undefined) return o.sha256 === undefined && typeof o.crc32 === 'string' && /^[0-9a-f]{8}$/.test(o.crc32)
  return typeof o.sha256 === 'string' && /^[0-9a-f]{64}$/.test(o.sha256)
}

/** The checksum each object carries matches the header's envelope version. */
function checksumsMatch(j: OutboxJob): boolean {
  const objects = [...(j.report ? [j.report] : []), ...(j.attachments ?? [])]
  if (!j.header) return objects.length === 0
  if (j.header.v === 1) return objects.every((o) => o.sha256 !== undefined)
  if (j.header.v === 2) return objects.every((o) => o.crc32 !== undefined)
  return false
}

/** The job when `raw` is a well-formed job record, else undefined. */
export function parseJob(raw: unknown): OutboxJob | undefined {
  const j = raw as OutboxJob
  if (!j || typeof j !== 'object') return undefined
  const ok =
    j.version === 1 &&
    typeof j.id === 'string' &&
    j.id.length > 0 &&
    typeof j.createdAt === 'string' &&
    typeof j.declaredAt === 'string' &&
    Array.isArray(j.files) &&
    typeof j.idempotencyKey === 'string' &&
    /^[A-Za-z0-9_-]{22,64}$/.test(j.idempotencyKey) &&
    typeof j.receipt === 'string' &&
    /^\d{16}$/.test(j.receipt) &&
    PHASES.includes(j.phase) &&
    typeof j.attempt === 'number' &&
    (j.kind === undefined || j.kind === 'report') &&
    (j.caseKeys === undefined || isCaseKeys(j.caseKeys)) &&
    (j.report === undefined || isStoredObject(j.report)) &&
    (j.attachments === undefined || (Array.isArray(j.attachments) && j.attachments.every(isStoredObject)))
  if (!ok) return undefined
  // A job past encryption must know its objects; past creation, its submission.
  if (j.phase !== 'encrypting' && (!j.header || !j.report || !j.attachments)) return undefined
  if (j.phase !== 'encrypting' && !checksumsMatch(j)) return undefined
  if ((j.phase === 'uploading' || j.phase === 'finalizing') && typeof j.submissionId !== 'string') return undefined
  return j
}

const LABELS = ['截图', '交易记录', '其他']

/** The message job when `raw` is a well-formed record, else undefined. */
export function parseMessageJob(raw: unknown): MessageJob | undefined {
  const j = raw as MessageJob
  if (!j || typeof j !== 'object') return undefined
  const ok =
    j.version === 1 &&
    j.kind === 'message' &&
    typeof j.id === 'string' &&
    j.id.length > 0 &&
    typeof j.createdAt === 'string' &&
    typeof j.writtenAt === 'string' &&
    typeof j.caseId === 'string' &&
    HEX32.test(j.caseId) &&
    typeof j.msgId === 'string' &&
    HEX32.test(j.msgId) &&
    typeof j.auth === 'string' &&
    B64URL_32.test(j.auth) &&
    typeof j.text === 'string' &&
    (j.inReplyTo === null || (typeof j.inReplyTo === 'string' && HEX32.test(j.inReplyTo))) &&
    Array.isArray(j.files) &&
    Array.isArray(j.sources) &&
    j.sources.every((f) => !!f && LABELS.includes(f.label) && typeof f.name === 'string' && typeof f.mime === 'string' && typeof f.kind === 'string' && /^[a-z0-9]{1,16}$/.test(f.kind) && Number.isSafeInteger(f.size) && typeof f.ref === 'string') &&
    PHASES.includes(j.phase) &&
    typeof j.attempt === 'number' &&
    (j.message === undefined || isStoredObject(j.message)) &&
    (j.copy === undefined || isStoredObject(j.copy)) &&
    (j.attachments === undefined || (Array.isArray(j.attachments) && j.attachments.every(isStoredObject)))
  if (!ok) return undefined
  if (j.phase !== 'encrypting') {
    if (!j.header || typeof j.header !== 'object' || !j.message || !j.copy || !j.attachments || j.attachments.length !== j.sources.length) return undefined
    if (![j.message, j.copy, ...j.attachments].every((o) => o.crc32 !== undefined)) return undefined
  }
  return j
}

/** A report job (none for a message job's id). */
export function loadJob(id: string): OutboxJob | undefined {
  return parseJob(readOutboxJobRecord(id))
}

export function loadMessageJob(id: string): MessageJob | undefined {
  return parseMessageJob(readOutboxJobRecord(id))
}

/** A job of either kind. */
export function loadAnyJob(id: string): AnyJob | undefined {
  const raw = readOutboxJobRecord(id) as { kind?: unknown } | undefined
  return raw && raw.kind === 'message' ? parseMessageJob(raw) : parseJob(raw)
}

const byCreation = (a: AnyJob, b: AnyJob) => a.createdAt.localeCompare(b.createdAt)

/** Every readable report job, oldest first. */
export function listJobs(): OutboxJob[] {
  return readIndex()
    .filter((e) => e.kind !== 'message')
    .map((e) => loadJob(e.id))
    .filter((j): j is OutboxJob => !!j)
    .sort(byCreation)
}

/** Every readable message job (of one case, when given), oldest first. */
export function listMessageJobs(caseId?: string): MessageJob[] {
  return readIndex()
    .filter((e) => e.kind === 'message')
    .map((e) => loadMessageJob(e.id))
    .filter((j): j is MessageJob => !!j && (caseId === undefined || j.caseId === caseId))
    .sort(byCreation)
}

/** Every readable job of either kind, oldest first: what the runner sends. */
export function listAllJobs(): AnyJob[] {
  return readIndex()
    .map((e) => loadAnyJob(e.id))
    .filter((j): j is AnyJob => !!j)
    .sort(byCreation)
}

export function saveJob(job: AnyJob): void {
  writeOutboxJobRecord(job.id, job)
  const index = readIndex()
  if (!index.some((e) => e.id === job.id)) {
    index.push({ id: job.id, createdAt: job.createdAt, ...(job.kind === 'message' ? { kind: 'message' as const } : {}) })
    writeKey('outbox/index', index)
  }
}

export function removeJob(id: string): void {
  removeOutboxJobRecord(id)
  writeKey(
    'outbox/index',
    readIndex().filter((e) => e.id !== id),
  )
}

export function hasJob(id: string): boolean {
  return readIndex().some((e) => e.id === id)
}
