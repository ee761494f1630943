/**
 * Blob store in PostgreSQL, shared by every instance using the database: an object is a row of
 * blob_objects (its durable length, whether committed) and its bytes are rows of blob_chunks, one
 * per acknowledged chunk (at most 1 MiB, keyed by its offset).
 *
 * An append reads the chunk first (up to its limit, so a slow client holds no lock), then in one
 * transaction locks the object's row, checks that the chunk starts at the durable length, inserts
 * the chunk and moves the length. Concurrent appends at one offset, from any instances, are
 * serialized by the row lock: exactly one wins and the others get OffsetMismatchError. The answer
 * is sent only after COMMIT, so an acknowledged chunk is in the database's WAL; a killed instance
 * or a dropped connection rolls back what was not acknowledged.
 *
 * Why chunk rows (docs/server.md, "Province scale"): one system to run, back up and restore
 * consistently with the rows that reference the bytes; atomic offset checks for free; fine into
 * the hundreds of GB. An S3-compatible store implements the same BlobStore interface (appends as
 * multipart parts, the offset check as a conditional write on a small state row here).
 */
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { crc32 as zlibCrc32 } from 'node:zlib'
import type pg from 'pg'
import { q, transaction } from '../postgres/pool'
import { ChunkTooLargeError, OffsetMismatchError, type BlobStore, type ByteRange } from './types'

const ID = /^[0-9a-f]{32}$/
/** Chunks fetched per round trip when reading an object (≤ 1 MiB each). */
const READ_BATCH = 4

/** The statements over one pair of tables (`<prefix>_objects`, `<prefix>_chunks`). */
function statements(prefix: string) {
  const objects = `${prefix}_objects`
  const chunks = `${prefix}_chunks`
  return {
    size: `SELECT size, committed FROM ${objects} WHERE submission_id = $1 AND n = $2`,
    ensure: `INSERT INTO ${objects} (submission_id, n) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    lock: `SELECT size, committed FROM ${objects} WHERE submission_id = $1 AND n = $2 FOR UPDATE`,
    insertChunk: `INSERT INTO ${chunks} (submission_id, n, off, data) VALUES ($1, $2, $3, $4)`,
    grow: `UPDATE ${objects} SET size = $3 WHERE submission_id = $1 AND n = $2`,
    chunks: `SELECT off, data FROM ${chunks} WHERE submission_id = $1 AND n = $2 AND off >= $3 ORDER BY off LIMIT $4`,
    commit: `UPDATE ${objects} SET committed = TRUE WHERE submission_id = $1 AND n = $2`,
    discard: `DELETE FROM ${objects} WHERE submission_id = $1 AND n = $2`,
    deleteAll: `DELETE FROM ${objects} WHERE submission_id = $1`,
    ids: `SELECT DISTINCT submission_id FROM ${objects}`,
  } as const
}

/** The table pairs a schema has: attachments of submissions ('blob'), added files of case messages ('case_blob'). */
export type BlobTables = 'blob' | 'case_blob'

function check(id: string, n: number): void {
  if (!ID.test(id)) throw new Error('invalid submission id')
  if (!Number.isSafeInteger(n) || n < 0 || n > 32767) throw new Error('invalid object index')
}

export class PgBlobStore implements BlobStore {
  private readonly sql

  /** `tables`: which pair of tables holds this store's objects (one store per kind of object). */
  constructor(
    private readonly pool: pg.Pool,
    private readonly tables: BlobTables = 'blob',
  ) {
    this.sql = statements(tables)
  }

  private run<R extends pg.QueryResultRow>(db: pg.Pool | pg.PoolClient, name: keyof ReturnType<typeof statements>, values: unknown[]) {
    return db.query<R>(q(`clue_${this.tables}_${name}`, this.sql[name], values))
  }

  private async state(id: string, n: number): Promise<{ size: number; committed: boolean } | undefined> {
    check(id, n)
    return (await this.run<{ size: number; committed: boolean }>(this.pool, 'size', [id, n])).rows[0]
  }

  async size(id: string, n: number): Promise<number> {
    return (await this.state(id, n))?.size ?? 0
  }

  async isCommitted(id: string, n: number): Promise<boolean> {
    return (await this.state(id, n))?.committed ?? false
  }

  append(id: string, n: number, offset: number, chunk: Uint8Array): Promise<number> {
    return this.appendStream(id, n, offset, [chunk], chunk.length)
  }

  async appendStream(id: string, n: number, offset: number, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, limit: number): Promise<number> {
    check(id, n)
    // The whole chunk first (≤ limit, 1 MiB): nothing is written unless it arrived whole.
    const pieces: Uint8Array[] = []
    let length = 0
    for await (const piece of source) {
      if (length + piece.length > limit) throw new ChunkTooLargeError(limit)
      pieces.push(piece)
      length += piece.length
    }
    if (length === 0) {
      const current = await this.size(id, n)
      if (current !== offset) throw new OffsetMismatchError(current)
      return offset
    }
    const data = Buffer.concat(pieces, length)
    return transaction(this.pool, async (client) => {
      await this.run(client, 'ensure', [id, n])
      const row = (await this.run<{ size: number; committed: boolean }>(client, 'lock', [id, n])).rows[0]
      if (row.committed || row.size !== offset) throw new OffsetMismatchError(row.size)
      await this.run(client, 'insertChunk', [id, n, offset, data])
      await this.run(client, 'grow', [id, n, offset + length])
      return offset + length
    })
  }

  /** The object's chunks in order, checked to follow each other without gap or overlap. */
  private async *chunks(id: string, n: number): AsyncGenerator<Buffer> {
    const state = await this.state(id, n)
    if (!state) throw Object.assign(new Error(`No object ${id}/${n}`), { code: 'ENOENT' })
    let next = 0
    while (next < state.size) {
      const rows = (await this.run<{ off: number; data: Buffer }>(this.pool, 'chunks', [id, n, next, READ_BATCH])).rows
      if (rows.length === 0) break
      for (const r of rows) {
        if (r.off !== next) throw new Error(`Object ${id}/${n} is damaged: a chunk at ${r.off}, expected ${next}`)
        next += r.data.length
        yield r.data
      }
    }
    if (next !== state.size) throw new Error(`Object ${id}/${n} is damaged: ${next} bytes of ${state.size}`)
  }

  async sha256(id: string, n: number): Promise<string> {
    const hash = createHash('sha256')
    for await (const chunk of this.chunks(id, n)) hash.update(chunk)
    return hash.digest('hex')
  }

  async crc32(id: string, n: number): Promise<string> {
    let crc = 0
    for await (const chunk of this.chunks(id, n)) crc = zlibCrc32(chunk, crc)
    return crc.toString(16).padStart(8, '0')
  }

  async commit(id: string, n: number): Promise<void> {
    check(id, n)
    await this.run(this.pool, 'commit', [id, n])
  }

  async discard(id: string, n: number): Promise<void> {
    check(id, n)
    await this.run(this.pool, 'discard', [id, n])
  }

  async openRead(id: string, n: number, range?: ByteRange): Promise<Readable> {
    // Fail now (ENOENT) rather than on the first read, as the file store does.
    if (!(await this.state(id, n))) throw Object.assign(new Error(`No object ${id}/${n}`), { code: 'ENOENT' })
    return Readable.from(range ? inRange(this.chunks(id, n), range) : this.chunks(id, n), { objectMode: false })
  }

  async deleteSubmission(id: string): Promise<void> {
    if (!ID.test(id)) throw new Error('invalid submission id')
    await this.run(this.pool, 'deleteAll', [id])
  }

  async listSubmissionIds(): Promise<string[]> {
    return (await this.run<{ submission_id: string }>(this.pool, 'ids', [])).rows.map((r) => r.submission_id)
  }
}

/** The bytes start..end (inclusive) of a stream of chunks, read from its start. */
async function* inRange(chunks: AsyncIterable<Buffer>, range: ByteRange): AsyncGenerator<Buffer> {
  let at = 0
  for await (const c of chunks) {
    const from = at
    at += c.length
    if (at <= range.start) continue
    if (from > range.end) break
    yield c.subarray(Math.max(0, range.start - from), Math.min(c.length, range.end + 1 - from))
    if (at > range.end) break
  }
}
