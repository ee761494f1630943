/**
 * Opens the intake server's storage for the bureau tools, after checking that it really is the
 * server's: an empty or wrong directory or database must give a clear error, never a new empty
 * database (which is what opening the repository there would create). Two backends, as the server:
 *
 *  - the data directory (--data): SQLite + blob files. Fine while the server runs: SQLite is in WAL
 *    mode with a busy timeout, and the blob files of finalized submissions are never written again;
 *  - PostgreSQL, when DATABASE_URL is set (as for the servers): the rows and chunk rows every
 *    instance shares. Never migrated from here: a database without our schema is refused.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { FsBlobStore, type BlobStore } from '../server/src/blobstore'
import { DATABASE_FILE, SqliteRepository, type CaseRepository, type Repository, type Submission, type SubmissionRepository } from '../server/src/repository'
import { MIGRATIONS } from '../server/src/repository/migrations'
import { CASE_BLOBS_DIR } from '../server/src/services'
import { CliError } from './errors'
import { checkBlobFile } from './untrusted'

const SALT_FILE = 'receipt-salt'
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')

/** Which blob store: submissions' attachments, or case messages' added files. */
export type BlobKind = 'attachment' | 'case'

/** A committed object's ciphertext as a local file, checked; `release` deletes a temporary copy. */
export type BlobFile = { path: string; problem?: undefined; release(): Promise<void> } | { path: string; problem: string }

/**
 * What list, export, status, messages and reply use of the server's storage: implemented by the
 * repositories (data directory, PostgreSQL) and, over the bureau API, by remote-data.ts.
 */
export type CaseData = Pick<SubmissionRepository, 'listSubmissions' | 'getSubmission' | 'getReport' | 'setStatus'> & {
  cases: Pick<CaseRepository, 'getCase' | 'listMessages' | 'getObject' | 'messageIds' | 'postBureauMessage' | 'markRead' | 'listActivity'>
}

/** The cases of the server, local (DataDir) or through the bureau API (remote-data.ts). */
export interface DataSource {
  /** Where the submissions are, for messages: the data directory, PostgreSQL, or the bureau API's address. */
  where: string
  repository: CaseData
  /**
   * The ciphertext of a committed object (an attachment, or a case message's added file with
   * `store` 'case') as a file of exactly `size` bytes, or the problem ('missing', or what is
   * wrong). PostgreSQL's chunks are copied to a private temporary file.
   */
  blobFile(id: string, n: number, size: number, store?: BlobKind): Promise<BlobFile>
  close(): Promise<void>
}

export interface DataDir extends DataSource {
  /** The server's local data directory (plaintext must never be written inside it). */
  dir: string
  repository: Repository
  blobs: BlobStore
  /** Added files of case messages (server/src/services.ts CASE_BLOBS_DIR; PostgreSQL: their own chunk tables). */
  caseBlobs: BlobStore
}

/**
 * Ciphertext written by `write` into a private temporary directory (0700, outside every export
 * folder), for a store that has no file of its own (PostgreSQL chunks, the bureau API).
 */
export async function ciphertextTempFile(label: string, n: number, write: (file: string) => Promise<void>): Promise<BlobFile> {
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'clue-blob-'))
  const file = path.join(tmp, `${n}.bin`)
  try {
    await write(file)
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true })
    return { path: label, problem: (e as Error).message }
  }
  return { path: file, release: () => fsp.rm(tmp, { recursive: true, force: true }) }
}

function notServerDir(dir: string, zhWhy: string, enWhy: string): CliError {
  return new CliError(
    `${dir} 不是举报服务器的数据目录：${zhWhy}。请用 --data 指定服务器的数据目录（服务器启动时显示的 data: 路径）。`,
    `${dir} is not the intake server's data directory: ${enWhy}. Use --data with the server's data directory (the "data:" path the server prints when it starts).`,
  )
}

/** Checks `dir` without changing anything in it; throws a CliError saying what is wrong. */
export function checkDataDir(dir: string): void {
  let stat: fs.Stats
  try {
    stat = fs.statSync(dir)
  } catch {
    throw new CliError(
      `找不到数据目录 ${dir}。请用 --data 指定服务器的数据目录（默认是当前目录下的 data）。`,
      `The data directory ${dir} does not exist. Use --data with the server's data directory (default: ./data).`,
    )
  }
  if (!stat.isDirectory()) throw notServerDir(dir, '它不是一个目录', 'it is not a directory')
  const dbFile = path.join(dir, DATABASE_FILE)
  const saltFile = path.join(dir, SALT_FILE)
  if (!fs.existsSync(dbFile)) throw notServerDir(dir, `没有数据库文件 ${DATABASE_FILE}`, `there is no ${DATABASE_FILE}`)
  let salt: Buffer
  try {
    salt = fs.readFileSync(saltFile)
  } catch {
    throw notServerDir(dir, `没有查询码盐文件 ${SALT_FILE}`, `there is no ${SALT_FILE}`)
  }
  if (salt.length !== 32) {
    throw new CliError(
      `${saltFile} 已损坏（应为 32 字节，实际 ${salt.length} 字节）。请从备份恢复数据目录。`,
      `${saltFile} is damaged (expected 32 bytes, found ${salt.length}). Restore the data directory from a backup.`,
    )
  }
  const head = Buffer.alloc(16)
  const fd = fs.openSync(dbFile, 'r')
  try {
    fs.readSync(fd, head, 0, 16, 0)
  } finally {
    fs.closeSync(fd)
  }
  if (!head.equals(SQLITE_MAGIC)) throw notServerDir(dir, `${DATABASE_FILE} 不是 SQLite 数据库`, `${DATABASE_FILE} is not an SQLite database`)
  let version: number
  let hasTable: boolean
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true })
    try {
      db.pragma('busy_timeout = 5000')
      version = db.pragma('user_version', { simple: true }) as number
      hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'submissions'").get() !== undefined
    } finally {
      db.close()
    }
  } catch (e) {
    throw new CliError(
      `无法读取数据库 ${dbFile}：${(e as Error).message}`,
      `Cannot read the database ${dbFile}: ${(e as Error).message}`,
    )
  }
  if (!hasTable || version < 1) throw notServerDir(dir, `${DATABASE_FILE} 里没有举报表`, `${DATABASE_FILE} has no submissions table`)
  if (version > MIGRATIONS.length) {
    throw new CliError(
      `数据库由更新版本的服务器创建（结构版本 ${version}），请先更新本工具。`,
      `The database was made by a newer server (schema version ${version}, these tools know ${MIGRATIONS.length}). Update the tools first.`,
    )
  }
}

/** Checks, then opens the repository and the blob store: PostgreSQL when `env.DATABASE_URL` is set, else the data directory. */
export async function openDataDir(dir: string, env: NodeJS.ProcessEnv): Promise<DataDir> {
  // Loaded only then: the data directory never loads the PostgreSQL client.
  if (env.DATABASE_URL) return (await import('./data-dir-pg')).openDatabase(dir, env.DATABASE_URL)
  checkDataDir(dir)
  if (!fs.existsSync(path.join(dir, 'blobs'))) throw notServerDir(dir, '没有 blobs 目录', 'there is no blobs directory')
  const repository = SqliteRepository.open(dir)
  const blobs = FsBlobStore.open(dir)
  const caseBlobs = new FsBlobStore(path.join(dir, CASE_BLOBS_DIR))
  return {
    dir,
    where: dir,
    repository,
    blobs,
    caseBlobs,
    blobFile: async (id, n, size, store = 'attachment') => {
      const from = store === 'case' ? caseBlobs : blobs
      const file = from.filePath(id, n, true)
      const problem = checkBlobFile(file, from.root, size)
      return problem ? { path: file, problem } : { path: file, release: async () => {} }
    },
    close: () => repository.close(),
  }
}

/** Every submission matching `query`, page by page. */
export async function allSubmissions(repository: Pick<SubmissionRepository, 'listSubmissions'>, query: { state?: Submission['state'] } = {}): Promise<Submission[]> {
  const out: Submission[] = []
  let after: string | undefined
  for (;;) {
    const page = await repository.listSubmissions({ ...query, limit: 1000, after })
    out.push(...page)
    if (page.length < 1000) return out
    after = page[page.length - 1].id
  }
}

/**
 * True when `inner` is `outer` or inside it, following symbolic links of the parts that exist
 * (so a link cannot smuggle the export into the data directory).
 */
export function isInside(inner: string, outer: string): boolean {
  const real = (p: string): string => {
    const missing: string[] = []
    let cur = path.resolve(p)
    for (;;) {
      try {
        return path.join(fs.realpathSync(cur), ...missing.reverse())
      } catch {
        const parent = path.dirname(cur)
        if (parent === cur) return path.resolve(p)
        missing.push(path.basename(cur))
        cur = parent
      }
    }
  }
  const a = real(inner)
  const b = real(outer)
  const rel = path.relative(b, a)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))
}
