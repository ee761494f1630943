/**
 * What the routes depend on, gathered once and passed to each route plugin. The storage is either
 * embedded (SQLite + blob files in the data directory, one process) or shared (PostgreSQL for rows,
 * chunk rows and cluster locks, for several instances), chosen by DATABASE_URL.
 */
import { Admission, messageHold, type AdmissionLimits, type FreeSpace } from './admission'
import type { BlobStore } from './blobstore'
import { FsBlobStore } from './blobstore'
import type { Campaign } from './campaign'
import { DEFAULT_CASE_LIMITS, type CaseLimits } from './case/limits'
import path from 'node:path'
import { LocalLocks, type ClusterLocks } from './locks'
import type { PoolOptions } from './postgres/pool'
import { ReceiptHasher, developmentPepper, type HasherOptions } from './receipts'
import type { QueueOptions } from './work-queue'
import type { Repository, SubmissionRepository } from './repository'
import { SqliteRepository } from './repository'

export interface Services {
  /** The campaign currently in force (may be replaced at run time, e.g. on SIGHUP). */
  campaign: { current: Campaign }
  repository: Repository
  blobs: BlobStore
  receipts: ReceiptHasher
  /** Locks that hold across every instance sharing the storage (finalize, sweep). */
  locks: ClusterLocks
  /** Epoch ms; injectable for tests. */
  now: () => number
  /** Lifetime of an unfinished submission. */
  ttlMs: number
  /** Minimum duration of a status lookup (and of a finalize answer that depends on the receipt). */
  statusMinMs: number
  /** Free-space reserve, unfinished-bytes caps and uploads in flight (in memory). */
  admission: Admission
  /** Added files of case messages, one object per (msgId, n). */
  caseBlobs: BlobStore
  /** Case channel limits (default DEFAULT_CASE_LIMITS). */
  caseLimits?: CaseLimits
}

export interface Storage {
  backend: 'sqlite' | 'postgres'
  repository: Repository
  blobs: BlobStore
  caseBlobs: BlobStore
  receipts: ReceiptHasher
  locks: ClusterLocks
}

/** The case limits in force. */
export function caseLimitsOf(services: Pick<Services, 'caseLimits'>): CaseLimits {
  return services.caseLimits ?? DEFAULT_CASE_LIMITS
}

export const CASE_BLOBS_DIR = 'case-blobs'

export interface StorageOptions {
  /**
   * The receipt pepper (server/src/pepper.ts). When absent, a development one: in the data
   * directory (SQLite) or in the database (PostgreSQL, so that every instance has the same).
   */
  pepper?: Buffer
  hashQueue?: QueueOptions
  /** postgres://… selects PostgreSQL (DATABASE_URL); otherwise SQLite in the data directory. */
  databaseUrl?: string
  pool?: PoolOptions
}

/**
 * Opens the storage: PostgreSQL when `databaseUrl` is given (migrated once under an advisory
 * lock; the receipt salt shared in the database), else the embedded one in the data directory
 * (SQLite database, blob files and receipt salt).
 */
export async function openStorage(dataDir: string, options: StorageOptions = {}): Promise<Storage> {
  const hasher = (pepper: Buffer): HasherOptions => ({ pepper, queue: options.hashQueue })
  if (!options.databaseUrl) {
    return {
      backend: 'sqlite',
      repository: SqliteRepository.open(dataDir),
      blobs: FsBlobStore.open(dataDir),
      caseBlobs: new FsBlobStore(path.join(dataDir, CASE_BLOBS_DIR)),
      receipts: ReceiptHasher.open(dataDir, hasher(options.pepper ?? developmentPepper(dataDir))),
      locks: new LocalLocks(),
    }
  }
  // Loaded only here: a SQLite deployment never loads the PostgreSQL client.
  const { openPostgresStorage } = await import('./postgres/storage')
  return openPostgresStorage(options.databaseUrl, { pool: options.pool, pepper: options.pepper, hasher })
}

/**
 * At boot, with the pepper: every receipt finalized before the pepper existed (scheme 1, a bare
 * scrypt output, which is exactly a legacy phone's authenticator A') becomes scheme 2 once, so that
 * a stolen database holds no value a phone sends (docs/protocol.md §18.5). Returns how many.
 */
export function upgradeLegacyReceipts(storage: Pick<Storage, 'repository' | 'receipts'>): Promise<number> {
  return storage.repository.cases.upgradeLegacyReceipts((h) => storage.receipts.upgradeScheme1(h))
}

/** The in-memory admission state, seeded with the unfinished submissions already stored. */
export async function openAdmission(dataDir: string, repository: SubmissionRepository, limits: AdmissionLimits, freeSpace?: FreeSpace): Promise<Admission> {
  const admission = new Admission(dataDir, limits, freeSpace)
  admission.adopt(await repository.listOpenSizes())
  admission.adopt((await repository.cases.listOpenMessageSizes()).map((o) => ({ ...o, id: messageHold(o.id) })))
  return admission
}

/**
 * Deletes expired unfinished submissions with their blobs, then blobs with no submission left.
 * With `locks`, only one instance sweeps at a time; the others skip (`skipped: true`).
 */
export async function sweep(
  repository: SubmissionRepository,
  blobs: BlobStore,
  now: number,
  onDeleted: (id: string) => void = () => {},
  caseBlobs?: BlobStore,
  locks?: ClusterLocks,
): Promise<{ expired: number; orphans: number; skipped?: true }> {
  if (locks) {
    const r = await locks.tryRun('sweep', () => sweep(repository, blobs, now, onDeleted, caseBlobs))
    return r.ran ? r.value : { expired: 0, orphans: 0, skipped: true }
  }
  const cases = caseBlobs ? await sweepCaseMessages(repository, caseBlobs, now, onDeleted) : { expired: 0, orphans: 0 }
  let expired = 0
  for (;;) {
    const ids = await repository.listExpired(now, 500)
    for (const id of ids) {
      // Deleted only if still open and expired: a finalize that won the race since the listing
      // keeps its report and files. Counted once even if another sweeper got there first.
      if (!(await repository.deleteIfExpired(id, now))) continue
      await blobs.deleteSubmission(id)
      onDeleted(id)
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
  return { expired: expired + cases.expired, orphans: orphans + cases.orphans }
}

/** The same for case messages whose files never finished uploading, and case blobs with no message. */
async function sweepCaseMessages(repository: SubmissionRepository, caseBlobs: BlobStore, now: number, onDeleted: (id: string) => void) {
  let expired = 0
  for (;;) {
    const ids = await repository.cases.listExpiredMessages(now, 500)
    for (const id of ids) {
      // As above: a message accepted since the listing keeps its files.
      if (!(await repository.cases.deleteMessageIfExpired(id, now))) continue
      await caseBlobs.deleteSubmission(id)
      onDeleted(messageHold(id))
      expired += 1
    }
    if (ids.length < 500) break
  }
  let orphans = 0
  for (const id of await caseBlobs.listSubmissionIds()) {
    if (!(await repository.cases.messageExists(id))) {
      await caseBlobs.deleteSubmission(id)
      orphans += 1
    }
  }
  return { expired, orphans }
}

/** Deletes a submission and its blobs (bureau purge). */
export async function purgeSubmission(storage: Pick<Storage, 'repository' | 'blobs'> & { caseBlobs?: BlobStore }, id: string): Promise<boolean> {
  // The case's messages go with it (ON DELETE CASCADE); their added files here.
  const messages = await storage.repository.cases.messageIds(id)
  const existed = await storage.repository.deleteSubmission(id)
  if (storage.caseBlobs) for (const msgId of messages) await storage.caseBlobs.deleteSubmission(msgId)
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
