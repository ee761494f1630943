/**
 * Persistence of outbox jobs in key-value storage: a small index plus one record per job, read
 * back strictly (a damaged record is skipped, never crashes a page). Encrypted copies live in
 * file storage under enc/<id>/.
 */
import { readKey, readOutboxJobRecord, removeOutboxJobRecord, writeKey, writeOutboxJobRecord } from '@/platform/storage'
import type { JobPhase, OutboxIndexEntry, OutboxJob, StoredObject } from './types'

const PHASES: readonly JobPhase[] = ['encrypting', 'encrypted', 'uploading', 'finalizing', 'done']

/** File storage key of an encrypted object of job `id`. */
export function encKey(id: string, part: 'report' | number): string {
  return `enc/${id}/${part}`
}

export function encPrefix(id: string): string {
  return `enc/${id}/`
}

function readIndex(): OutboxIndexEntry[] {
  const index = readKey('outbox/index')
  return Array.isArray(index) ? index.filter((e) => !!e && typeof e.id === 'string' && typeof e.createdAt === 'string') : []
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
    (j.report === undefined || isStoredObject(j.report)) &&
    (j.attachments === undefined || (Array.isArray(j.attachments) && j.attachments.every(isStoredObject)))
  if (!ok) return undefined
  // A job past encryption must know its objects; past creation, its submission.
  if (j.phase !== 'encrypting' && (!j.header || !j.report || !j.attachments)) return undefined
  if (j.phase !== 'encrypting' && !checksumsMatch(j)) return undefined
  if ((j.phase === 'uploading' || j.phase === 'finalizing') && typeof j.submissionId !== 'string') return undefined
  return j
}

export function loadJob(id: string): OutboxJob | undefined {
  return parseJob(readOutboxJobRecord(id))
}

/** Every readable job, oldest first. */
export function listJobs(): OutboxJob[] {
  return readIndex()
    .map((e) => loadJob(e.id))
    .filter((j): j is OutboxJob => !!j)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
}

export function saveJob(job: OutboxJob): void {
  writeOutboxJobRecord(job.id, job)
  const index = readIndex()
  if (!index.some((e) => e.id === job.id)) {
    index.push({ id: job.id, createdAt: job.createdAt })
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
