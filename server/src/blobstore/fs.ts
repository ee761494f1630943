/**
 * Filesystem blob store. Layout under <dataDir>/blobs:
 *
 *   <id[0..2]>/<id>/<n>.part   an upload in progress; its length is the durable offset
 *   <id[0..2]>/<id>/<n>.bin    a committed object (renamed from .part, directory fsynced)
 *
 * Appends write at the expected position, fdatasync the file, and fsync the directories they
 * created, before they resolve: an acknowledged chunk survives a crash of the process or machine.
 * After a crash, bytes of an unacknowledged chunk may be on disk; the offset then includes them,
 * which is right, since they are the client's bytes at their place (the checksum check at finalize
 * catches anything else).
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { crc32 as zlibCrc32 } from 'node:zlib'
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fsyncDir } from '../durable'
import { KeyedMutex } from '../locks'
import { ChunkTooLargeError, OffsetMismatchError, type BlobStore, type ByteRange } from './types'

const ID = /^[0-9a-f]{32}$/

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code
}

export class FsBlobStore implements BlobStore {
  readonly root: string
  private readonly locks = new KeyedMutex()

  constructor(root: string) {
    this.root = root
    fs.mkdirSync(root, { recursive: true, mode: 0o700 })
  }

  static open(dataDir: string): FsBlobStore {
    return new FsBlobStore(path.join(dataDir, 'blobs'))
  }

  private dir(id: string): string {
    if (!ID.test(id)) throw new Error('invalid submission id')
    return path.join(this.root, id.slice(0, 2), id)
  }

  /** Path of an object's file; for the bureau CLI and tests (committed or in progress). */
  filePath(id: string, n: number, committed: boolean): string {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error('invalid object index')
    return path.join(this.dir(id), `${n}.${committed ? 'bin' : 'part'}`)
  }

  private async statSize(file: string): Promise<number | undefined> {
    try {
      return (await fsp.stat(file)).size
    } catch (e) {
      if (code(e) === 'ENOENT') return undefined
      throw e
    }
  }

  async size(id: string, n: number): Promise<number> {
    return (await this.statSize(this.filePath(id, n, false))) ?? (await this.statSize(this.filePath(id, n, true))) ?? 0
  }

  async isCommitted(id: string, n: number): Promise<boolean> {
    return (await this.statSize(this.filePath(id, n, true))) !== undefined
  }

  append(id: string, n: number, offset: number, chunk: Uint8Array): Promise<number> {
    return this.appendStream(id, n, offset, [chunk], chunk.length)
  }

  appendStream(id: string, n: number, offset: number, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, limit: number): Promise<number> {
    return this.locks.run(`${id}/${n}`, async () => {
      const file = this.filePath(id, n, false)
      const syncDirs: string[] = []
      let created = false
      let fh: fsp.FileHandle
      try {
        fh = await fsp.open(file, 'r+')
      } catch (e) {
        if (code(e) !== 'ENOENT') throw e
        if (await this.isCommitted(id, n)) throw new OffsetMismatchError(await this.size(id, n))
        const dir = this.dir(id)
        const first = await fsp.mkdir(dir, { recursive: true, mode: 0o700 })
        if (first) {
          // Every directory from the first one created up to `dir`, plus the parent of the first.
          for (let d = dir; ; d = path.dirname(d)) {
            syncDirs.push(d)
            if (d === first) break
          }
          syncDirs.push(path.dirname(first))
        } else {
          syncDirs.push(dir)
        }
        fh = await fsp.open(file, 'wx', 0o600)
        created = true
      }
      const { size } = await fh.stat().catch(async (e) => {
        await fh.close()
        throw e
      })
      if (size !== offset) {
        await fh.close()
        throw new OffsetMismatchError(size)
      }
      let written = 0
      try {
        for await (const piece of source) {
          if (written + piece.length > limit) throw new ChunkTooLargeError(limit)
          let done = 0
          while (done < piece.length) {
            const { bytesWritten } = await fh.write(piece, done, piece.length - done, offset + written + done)
            done += bytesWritten
          }
          written += piece.length
        }
        await fh.datasync()
      } catch (e) {
        // Keep only what was acknowledged before: cut the file back (works on a full disk too).
        await fh.truncate(offset).catch(() => undefined)
        await fh.close()
        if (created) await fsp.rm(file, { force: true })
        throw e
      }
      await fh.close()
      for (const d of syncDirs) await fsyncDir(d)
      return offset + written
    })
  }

  async sha256(id: string, n: number): Promise<string> {
    const hash = createHash('sha256')
    await pipeline(await this.openRead(id, n), hash)
    return hash.digest('hex')
  }

  async crc32(id: string, n: number): Promise<string> {
    let crc = 0
    for await (const chunk of await this.openRead(id, n)) crc = zlibCrc32(chunk as Buffer, crc)
    return crc.toString(16).padStart(8, '0')
  }

  commit(id: string, n: number): Promise<void> {
    return this.locks.run(`${id}/${n}`, async () => {
      const part = this.filePath(id, n, false)
      const bin = this.filePath(id, n, true)
      try {
        await fsp.rename(part, bin)
      } catch (e) {
        if (code(e) === 'ENOENT' && (await this.isCommitted(id, n))) return
        throw e
      }
      await fsyncDir(this.dir(id))
    })
  }

  discard(id: string, n: number): Promise<void> {
    return this.locks.run(`${id}/${n}`, async () => {
      await fsp.rm(this.filePath(id, n, false), { force: true })
      await fsp.rm(this.filePath(id, n, true), { force: true })
    })
  }

  async openRead(id: string, n: number, range?: ByteRange): Promise<Readable> {
    for (const committed of [true, false]) {
      try {
        const fh = await fsp.open(this.filePath(id, n, committed), 'r')
        return fh.createReadStream({ highWaterMark: 1024 * 1024, ...(range ? { start: range.start, end: range.end } : {}) })
      } catch (e) {
        if (code(e) !== 'ENOENT') throw e
      }
    }
    throw Object.assign(new Error(`No object ${id}/${n}`), { code: 'ENOENT' })
  }

  async deleteSubmission(id: string): Promise<void> {
    await fsp.rm(this.dir(id), { recursive: true, force: true })
  }

  async listSubmissionIds(): Promise<string[]> {
    const ids: string[] = []
    for (const shard of await fsp.readdir(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue
      let entries: string[]
      try {
        entries = await fsp.readdir(path.join(this.root, shard))
      } catch (e) {
        if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') continue
        throw e
      }
      ids.push(...entries.filter((e) => ID.test(e) && e.startsWith(shard)))
    }
    return ids
  }
}
