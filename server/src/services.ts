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
