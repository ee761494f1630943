/**
 * Browser (H5) file storage in IndexedDB. Browsers drop object URLs and file inputs on reload, so
 * picked files are copied in as Blobs; appended data (encrypted copies) is kept as a list of parts.
 */
import type { FileSource, FileStore } from './files.types'

const DB_NAME = 'clue-report-files'
const STORE = 'files'

interface StoredFile {
  key: string
  parts: Blob[]
  size: number
}

let dbPromise: Promise<IDBDatabase> | undefined

function openDb(): Promise<IDBDatabase> {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined') {
        reject(new Error('此浏览器不支持本地文件保存（IndexedDB），请换用微信或其他浏览器'))
        return
      }
      const request = indexedDB.open(DB_NAME, 1)
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE, { keyPath: 'key' })
      }
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('无法打开本地存储'))
    })
    dbPromise.catch(() => {
      dbPromise = undefined
    })
  }
  return dbPromise
}

function run<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  return openDb().then(
    (db) =>
      new Promise<T | undefined>((resolve, reject) => {
        const tx = db.transaction(STORE, mode)
        const request = body(tx.objectStore(STORE))
        // Resolve on commit, not on request success, so a write is durable when we answer.
        tx.oncomplete = () => resolve(request ? request.result : undefined)
        tx.onerror = () => reject(tx.error ?? new Error('本地存储写入失败'))
        tx.onabort = () => reject(tx.error ?? new Error('本地存储写入被中止（空间可能不足）'))
      }),
  )
}

function getRecord(key: string): Promise<StoredFile | undefined> {
  return run<StoredFile>('readonly', (s) => s.get(key))
}

async function blobBytes(blob: Blob): Promise<Uint8Array> {
  if (typeof blob.arrayBuffer === 'function') return new Uint8Array(await blob.arrayBuffer())
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer))
    reader.onerror = () => reject(reader.error)
    reader.readAsArrayBuffer(blob)
  })
}

export const files: FileStore = {
  async storeFile(key: string, source: FileSource) {
    if (typeof source === 'string') throw new Error('浏览器版只能保存所选文件')
    // Copy into a fresh Blob so the stored file no longer depends on the <input> that picked it.
    const bytes = await blobBytes(source)
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: source.type })
    await run('readwrite', (s) => s.put({ key, parts: [blob], size: blob.size } satisfies StoredFile))
    return blob.size
  },

  async appendFile(key: string, bytes: Uint8Array) {
    const existing = await getRecord(key)
    const part = new Blob([bytes as Uint8Array<ArrayBuffer>])
    const record: StoredFile = existing
      ? { key, parts: [...existing.parts, part], size: existing.size + bytes.length }
      : { key, parts: [part], size: bytes.length }
    await run('readwrite', (s) => s.put(record))
  },

  async readRange(key: string, offset: number, length: number) {
    const record = await getRecord(key)
    if (!record) throw new Error(`本地文件已丢失：${key}`)
    const out = new Uint8Array(Math.max(0, Math.min(length, record.size - offset)))
    let partStart = 0
    let written = 0
    for (const part of record.parts) {
      const partEnd = partStart + part.size
      if (partEnd > offset && written < out.length) {
        const from = Math.max(0, offset + written - partStart)
        const to = Math.min(part.size, from + (out.length - written))
        const slice = await blobBytes(part.slice(from, to))
        out.set(slice, written)
        written += slice.length
      }
      partStart = partEnd
      if (written >= out.length) break
    }
    return out
  },

  async fileSize(key: string) {
    return (await getRecord(key))?.size
  },

  async removeFile(key: string) {
    await run('readwrite', (s) => s.delete(key))
  },

  async removeFilesWithPrefix(prefix: string) {
    const keys = await files.listFiles()
    for (const key of keys.filter((k) => k.startsWith(prefix))) await files.removeFile(key)
  },

  async listFiles() {
    return ((await run<IDBValidKey[]>('readonly', (s) => s.getAllKeys())) ?? []).map(String)
  },

  async displayUrl(key: string, mime: string) {
    const record = await getRecord(key)
    if (!record) return ''
    return URL.createObjectURL(new Blob(record.parts, { type: mime }))
  },
}
