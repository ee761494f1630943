/**
 * In-memory FileStore (src/platform/files.types.ts) for tests of the draft store and the pages.
 * Use it with:
 *   jest.mock('@/platform/files', () => require('<relative path>/support/memory-files'))
 * and import { memoryFiles } from the same module to inspect or prepare it.
 *
 * Picked files on WeChat are temporary paths: register them with `addTemp(path, size, head)`;
 * storing an unregistered path fails like copyFile does. Blobs are stored by size. Big sizes are
 * kept as a number only (no 20 MB buffers in tests): the file reads back as `head` (its first
 * bytes, e.g. a PNG signature; by default the signature its name's extension calls for) then zeros.
 */
import type { FileSource, FileStore } from '@/platform/files.types'

interface Stored {
  size: number
  bytes?: Uint8Array
  head?: Uint8Array
}

/** First bytes of a real file of the type a name's extension declares ('' for an unknown one). */
export function signatureFor(name: string): Uint8Array {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1].toLowerCase() ?? ''
  const sig: Record<string, number[] | string> = {
    png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    jpg: [0xff, 0xd8, 0xff, 0xe0],
    jpeg: [0xff, 0xd8, 0xff, 0xe0],
    gif: 'GIF89a',
    pdf: '%PDF-1.4\n',
    xls: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    xlsx: [0x50, 0x4b, 0x03, 0x04],
    csv: '日期,金额\n',
  }
  const s = sig[ext]
  if (s === undefined) return new Uint8Array(0)
  return typeof s === 'string' ? Uint8Array.from(Buffer.from(s, 'utf8')) : Uint8Array.from(s)
}

export class MemoryFiles implements FileStore {
  readonly stored = new Map<string, Stored>()
  readonly temp = new Map<string, { size: number; head: Uint8Array }>()
  /** Temporary paths whose copy fails (simulates a full disk). */
  readonly failing = new Set<string>()

  clear(): void {
    this.stored.clear()
    this.temp.clear()
    this.failing.clear()
  }

  addTemp(path: string, size: number, head: Uint8Array = signatureFor(path)): string {
    this.temp.set(path, { size, head })
    return path
  }

  has(key: string): boolean {
    return this.stored.has(key)
  }

  keys(): string[] {
    return [...this.stored.keys()].sort()
  }

  async storeFile(key: string, source: FileSource): Promise<number> {
    let size: number
    let head: Uint8Array | undefined
    if (typeof source === 'string') {
      const temp = this.temp.get(source)
      if (temp === undefined) throw new Error(`copyFile:fail no such file or directory ${source}`)
      if (this.failing.has(source)) throw new Error('copyFile:fail the maximum size of the file storage limit is exceeded')
      size = temp.size
      head = temp.head
    } else {
      size = source.size
    }
    this.stored.set(key, { size, head })
    return size
  }

  async appendFile(key: string, bytes: Uint8Array): Promise<void> {
    const existing = this.stored.get(key)
    const before = existing ? this.bytesOf(existing) : new Uint8Array(0)
    const next = new Uint8Array(before.length + bytes.length)
    next.set(before)
    next.set(bytes, before.length)
    this.stored.set(key, { size: next.length, bytes: next })
  }

  async readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const record = this.stored.get(key)
    if (!record) throw new Error(`本地文件已丢失：${key}`)
    const end = Math.min(record.size, offset + length)
    return this.bytesOf(record).slice(Math.min(offset, end), end)
  }

  async fileSize(key: string): Promise<number | undefined> {
    return this.stored.get(key)?.size
  }

  async removeFile(key: string): Promise<void> {
    this.stored.delete(key)
  }

  async removeFilesWithPrefix(prefix: string): Promise<void> {
    for (const key of [...this.stored.keys()]) if (key.startsWith(prefix)) this.stored.delete(key)
  }

  async listFiles(): Promise<string[]> {
    return [...this.stored.keys()]
  }

  async displayUrl(key: string): Promise<string> {
    return this.stored.has(key) ? `memory://${key}` : ''
  }

  private bytesOf(record: Stored): Uint8Array {
    if (record.bytes) return record.bytes
    const out = new Uint8Array(record.size)
    if (record.head) out.set(record.head.subarray(0, record.size))
    return out
  }
}

export const memoryFiles = new MemoryFiles()

/** What `@/platform/files` exports. */
export const files: FileStore = memoryFiles
