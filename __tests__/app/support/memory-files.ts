/**
 * In-memory FileStore (src/platform/files.types.ts) for tests of the draft store and the pages.
 * Use it with:
 *   jest.mock('@/platform/files', () => require('<relative path>/support/memory-files'))
 * and import { memoryFiles } from the same module to inspect or prepare it.
 *
 * Picked files on WeChat are temporary paths: register them with `addTemp(path, size)`; storing
 * an unregistered path fails like copyFile does. Blobs are stored by size. Big sizes are kept as
 * a number only (no 20 MB buffers in tests); their bytes read back as zeros.
 */
import type { FileSource, FileStore } from '@/platform/files.types'

interface Stored {
  size: number
  bytes?: Uint8Array
}

export class MemoryFiles implements FileStore {
  readonly stored = new Map<string, Stored>()
  readonly temp = new Map<string, number>()
  /** Temporary paths whose copy fails (simulates a full disk). */
  readonly failing = new Set<string>()

  clear(): void {
    this.stored.clear()
    this.temp.clear()
    this.failing.clear()
  }

  addTemp(path: string, size: number): string {
    this.temp.set(path, size)
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
    if (typeof source === 'string') {
      const temp = this.temp.get(source)
      if (temp === undefined) throw new Error(`copyFile:fail no such file or directory ${source}`)
      if (this.failing.has(source)) throw new Error('copyFile:fail the maximum size of the file storage limit is exceeded')
      size = temp
    } else {
      size = source.size
    }
    this.stored.set(key, { size })
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
    return record.bytes ?? new Uint8Array(record.size)
  }
}

export const memoryFiles = new MemoryFiles()

/** What `@/platform/files` exports. */
export const files: FileStore = memoryFiles
