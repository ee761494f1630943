/**
 * What the routes depend on, gathered once and passed to each route plugin. The storage pair can
 * be swapped (PostgreSQL + S3) by building a different Services object.
 */
import type { BlobStore } from './blobstore'
import { FsBlobStore } from './blobstore'
import type { Campaign } from './campaign'
import { ReceiptHasher } from './receipts'
import type { SubmissionRepository } from './repository'
import { SqliteRepository } from './repository'

export interface Services {
  /** The campaign currently in force (may be replaced at run time, e.g. on SIGHUP). */
  campaign: { current: Campaign }
  repository: SubmissionRepository
  blobs: BlobStore
  receipts: ReceiptHasher
  /** Epoch ms; injectable for tests. */
  now: () => number
  /** Lifetime of an unfinished submission. */
  ttlMs: number
  /** Minimum duration of a status lookup. */
  statusMinMs: number
}

export interface Storage {
  repository: SubmissionRepository
  blobs: BlobStore
  receipts: ReceiptHasher
}

/**
 * Opens the embedded storage in a data directory: SQLite database, blob files and receipt salt.
 * The bureau CLI uses this too.
 */
export function openStorage(dataDir: string): Storage {
  return {
    repository: SqliteRepository.open(dataDir),
    blobs: FsBlobStore.open(dataDir),
    receipts: ReceiptHasher.open(dataDir),
  }
}

/** Deletes expired unfinished submissions with their blobs, then blobs with no submission left. */
export async function sweep(repository: SubmissionRepository, blobs: BlobStore, now: number): Promise<{ expired: number; orphans: number }> {
  let expired = 0
  for (;;) {
    const ids = await repository.listExpired(now, 500)
    for (const id of ids) {
      await repository.deleteSubmission(id)
      await blobs.deleteSubmission(id)
      expired += 1
    }
    if (ids.length < 500) break
  }
  let orphans = 0
  for (const id of await blobs.listSubmissionIds()) {
    if (!(await repository.exists(id))) {
      await blobs.deleteSubmission(id)
      orphans += 1
    }
  }
  return { expired, orphans }
}

/** Deletes a submission and its blobs (bureau purge). */
export async function purgeSubmission(storage: Pick<Storage, 'repository' | 'blobs'>, id: string): Promise<boolean> {
  const existed = await storage.repository.deleteSubmission(id)
  await storage.blobs.deleteSubmission(id)
  return existed
}

/**
 * The stored ciphertext of one object of a submission, by its crypto label ("report" or
 * "attachment/<n>"), for the bureau CLI; undefined when absent. Attachments are read whole (at
 * most 20 MiB); stream them with `blobs.openRead` instead when that matters.
 */
export async function readObject(storage: Pick<Storage, 'repository' | 'blobs'>, id: string, label: string): Promise<Buffer | undefined> {
  if (label === 'report') return storage.repository.getReport(id)
  const match = /^attachment\/(0|[1-9][0-9]?)$/.exec(label)
  if (!match) throw new Error(`invalid object label ${JSON.stringify(label)}`)
  const sub = await storage.repository.getSubmission(id)
  const n = Number(match[1])
  if (!sub || !sub.attachments[n]) return undefined
  const stream = await storage.blobs.openRead(id, n).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined
    throw e
  })
  if (!stream) return undefined
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
