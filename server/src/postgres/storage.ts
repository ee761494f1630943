/**
 * The shared storage on PostgreSQL (loaded by services.openStorage only when DATABASE_URL is set):
 * one pool for the repository and the chunk-row blob store, one for cluster locks, the schema
 * migrated once under an advisory lock, the receipt salt (and a development pepper) shared.
 */
import { PgBlobStore } from '../blobstore/pg'
import { ReceiptHasher, type HasherOptions } from '../receipts'
import { PgRepository } from '../repository/postgres'
import type { Storage } from '../services'
import { PgLocks } from './locks'
import { createPool, type PoolOptions } from './pool'
import { sharedSecret } from './secrets'

export interface PostgresStorageOptions {
  pool?: PoolOptions
  /** The configured pepper; absent: a development one kept in the database. */
  pepper?: Buffer
  hasher: (pepper: Buffer) => HasherOptions
}

export async function openPostgresStorage(url: string, options: PostgresStorageOptions): Promise<Storage> {
  const pool = createPool(url, options.pool)
  const lockPool = createPool(url, { ...options.pool, max: 8, connectTimeoutMs: 30_000 })
  try {
    const repository = await PgRepository.open(pool, true)
    const salt = await sharedSecret(pool, 'receipt-salt')
    const pepper = options.pepper ?? (await sharedSecret(pool, 'receipt-pepper.dev'))
    return {
      backend: 'postgres',
      repository,
      blobs: new PgBlobStore(pool),
      caseBlobs: new PgBlobStore(pool, 'case_blob'),
      receipts: new ReceiptHasher(salt, options.hasher(pepper)),
      locks: new PgLocks(lockPool),
    }
  } catch (e) {
    await Promise.allSettled([pool.end(), lockPool.end()])
    throw e
  }
}
