/**
 * WeChat file storage under the user data path. WeChat deletes temporary files from pickers at
 * any time, so picked files are copied here at once; keys become flat file names.
 */
import Taro from '@tarojs/taro'
import type { FileSource, FileStore } from './files.types'

const ROOT_NAME = 'clue-report'

function root(): string {
  return `${Taro.env.USER_DATA_PATH}/${ROOT_NAME}`
}

/** Keys may contain '/', file names may not; '~' never occurs in our keys. */
function pathOf(key: string): string {
  return `${root()}/${key.replace(/\//g, '~')}`
}

function keyOf(fileName: string): string {
  return fileName.replace(/~/g, '/')
}

function fs() {
  return Taro.getFileSystemManager()
}

function call<T>(fn: (options: any) => void, options: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    fn({ ...options, success: resolve, fail: (err: { errMsg?: string }) => reject(new Error(err?.errMsg ?? '文件操作失败')) })
  })
}

let rootReady: Promise<void> | undefined
function ensureRoot(): Promise<void> {
  if (!rootReady) {
    rootReady = call<void>(fs().mkdir.bind(fs()), { dirPath: root(), recursive: true }).catch((err: Error) => {
      if (!/exist/i.test(err.message)) {
        rootReady = undefined
        throw err
      }
    })
  }
  return rootReady
}

export const files: FileStore = {
  async storeFile(key: string, source: FileSource) {
    if (typeof source !== 'string') throw new Error('微信版只能保存所选文件的路径')
    await ensureRoot()
    await call(fs().copyFile.bind(fs()), { srcPath: source, destPath: pathOf(key) })
    return (await files.fileSize(key)) ?? 0
  },

  async appendFile(key: string, bytes: Uint8Array) {
    await ensureRoot()
    const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    const existing = await files.fileSize(key)
    if (existing === undefined) await call(fs().writeFile.bind(fs()), { filePath: pathOf(key), data })
    else await call(fs().appendFile.bind(fs()), { filePath: pathOf(key), data })
  },

  async readRange(key: string, offset: number, length: number) {
    // readFile fails when [position, position + length) leaves the file; clamp like the H5 store does.
    const size = await files.fileSize(key)
    if (size === undefined) throw new Error(`本地文件已丢失：${key}`)
    const available = Math.max(0, Math.min(length, size - offset))
    if (available === 0) return new Uint8Array(0)
    const res = await call<{ data: ArrayBuffer }>(fs().readFile.bind(fs()), { filePath: pathOf(key), position: offset, length: available })
    return new Uint8Array(res.data)
  },

  async fileSize(key: string) {
    try {
      const res = await call<{ stats: { size: number } }>(fs().stat.bind(fs()), { path: pathOf(key) })
      return res.stats.size
    } catch {
      return undefined
    }
  },

  async removeFile(key: string) {
    try {
      await call(fs().unlink.bind(fs()), { filePath: pathOf(key) })
    } catch {
      // Already gone: removal is idempotent.
    }
  },

  async removeFilesWithPrefix(prefix: string) {
    for (const key of await files.listFiles()) if (key.startsWith(prefix)) await files.removeFile(key)
  },

  async listFiles() {
    try {
      await ensureRoot()
      const res = await call<{ files: string[] }>(fs().readdir.bind(fs()), { dirPath: root() })
      return res.files.map(keyOf)
    } catch {
      return []
    }
  },

  async displayUrl(key: string) {
    return pathOf(key)
  },
}
