/**
 * The bureau tools on the servers' PostgreSQL database (DATABASE_URL), loaded by data-dir.ts only
 * when it is set. Never migrated from here: a database without our schema, or with a newer one,
 * is refused with a clear error.
 */
import fs from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { PgBlobStore } from '../server/src/blobstore/pg'
import { schemaVersion } from '../server/src/postgres/migrate'
import { createPool, isPostgresUrl } from '../server/src/postgres/pool'
import { PG_MIGRATIONS } from '../server/src/repository/pg-migrations'
import { PgRepository } from '../server/src/repository/postgres'
import { ciphertextTempFile, type DataDir } from './data-dir'
import { CliError } from './errors'

/** The servers' PostgreSQL database, checked to hold our schema at a version these tools know. */
export async function openDatabase(dir: string, url: string): Promise<DataDir> {
  const where = 'PostgreSQL (DATABASE_URL)'
  if (!isPostgresUrl(url)) {
    throw new CliError('DATABASE_URL 应是 postgres:// 开头的数据库地址；使用数据目录时请不要设置它。', 'DATABASE_URL must be a postgres:// URL; unset it to use the data directory.')
  }
  const pool = createPool(url, { max: 4 })
  try {
    let version: number
    try {
      version = await schemaVersion(pool)
    } catch (e) {
      // The driver's messages never include the password.
      throw new CliError(`无法连接服务器的数据库（DATABASE_URL）：${(e as Error).message}`, `Cannot reach the servers' database (DATABASE_URL): ${(e as Error).message}`)
    }
    if (version < 1) {
      throw new CliError('DATABASE_URL 指向的数据库里没有举报表，它不是举报服务器的数据库。', "The database DATABASE_URL names has no submissions tables: it is not the intake servers' database.")
    }
    if (version > PG_MIGRATIONS.length) {
      throw new CliError(
        `数据库由更新版本的服务器创建（结构版本 ${version}），请先更新本工具。`,
        `The database was made by a newer server (schema version ${version}, these tools know ${PG_MIGRATIONS.length}). Update the tools first.`,
      )
    }
  } catch (e) {
    await pool.end()
    throw e
  }
  const repository = new PgRepository(pool, true)
  const blobs = new PgBlobStore(pool)
  const caseBlobs = new PgBlobStore(pool, 'case_blob')
  return {
    dir,
    where,
    repository,
    blobs,
    caseBlobs,
    blobFile: async (id, n, size, store = 'attachment') => {
      const from = store === 'case' ? caseBlobs : blobs
      const label = `${where} ${id}/${n}`
      if (!(await from.isCommitted(id, n))) return { path: label, problem: 'missing' }
      const stored = await from.size(id, n)
      if (stored !== size) return { path: label, problem: `${stored} bytes instead of the declared ${size}` }
      return ciphertextTempFile(label, n, async (file) => pipeline(await from.openRead(id, n), fs.createWriteStream(file, { mode: 0o600 })))
    },
    close: () => repository.close(),
  }
}
