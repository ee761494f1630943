/**
 * wx.getFileSystemManager() (https://developers.weixin.qq.com/miniprogram/dev/api/file/FileSystemManager.html,
 * rules from https://developers.weixin.qq.com/miniprogram/dev/framework/ability/file-system.html):
 * - user files live under wx.env.USER_DATA_PATH ("wxfile://usr"), survive kills, and together
 *   may hold at most 200 MB: a write past that fails with "the maximum size of the file storage
 *   limit is exceeded" (reported as a violation too);
 * - temporary files ("wxfile://tmp_…", from pickers) can be read and copied but not written, and
 *   are gone after a kill;
 * - anything else, or a path leaving its root with "..", is "permission denied";
 * - readFile with position/length fails when the range leaves the file; data is an ArrayBuffer
 *   unless an encoding is given; stat gives a Stats with isFile()/isDirectory();
 * - errMsg texts follow WeChat's ("no such file or directory <path>", "file already exists <path>").
 * Each method has the async form (callbacks or Promise) and, where WeChat has one, the Sync form.
 */
import * as fs from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import type { Device } from '../device'
import { asyncApi, syncApi, WxFail, type ApiContext } from './api'

export const USER_DATA_PATH = 'wxfile://usr'
export const TEMP_PREFIX = 'wxfile://tmp_'

interface Located {
  real: string
  writable: boolean
}

function usage(dir: string): number {
  let total = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    total += entry.isDirectory() ? usage(p) : fs.statSync(p).size
  }
  return total
}

export function createFileSystemManager(ctx: ApiContext, device: Device) {
  const locate = (path: unknown): Located => {
    if (typeof path !== 'string' || path === '') throw new WxFail('invalid path')
    let root: string
    let rest: string
    let writable: boolean
    if (path === USER_DATA_PATH || path.startsWith(`${USER_DATA_PATH}/`)) {
      root = device.userDir
      rest = path.slice(USER_DATA_PATH.length)
      writable = true
    } else if (path.startsWith(TEMP_PREFIX)) {
      root = device.tempDir
      rest = `tmp_${path.slice(TEMP_PREFIX.length)}`
      writable = false
    } else throw new WxFail(`permission denied, open ${path}`)
    const real = resolve(root, `.${sep}${rest}`)
    const rel = relative(root, real)
    if (rel.startsWith('..') || resolve(root, rel) !== real) throw new WxFail(`permission denied, open ${path}`)
    return { real, writable }
  }
  const writableFile = (path: unknown): string => {
    const at = locate(path)
    if (!at.writable) throw new WxFail(`permission denied, open ${String(path)}`)
    return at.real
  }
  const translate = (path: unknown, error: unknown): never => {
    const code = (error as NodeJS.ErrnoException)?.code
    if (code === 'ENOENT') throw new WxFail(`no such file or directory ${String(path)}`, 1300002)
    if (code === 'EEXIST') throw new WxFail(`file already exists ${String(path)}`, 1301005)
    if (code === 'EISDIR') throw new WxFail(`illegal operation on a directory, open ${String(path)}`, 1300021)
    if (code === 'ENOTDIR') throw new WxFail(`not a directory ${String(path)}`, 1300020)
    if (code === 'ENOTEMPTY') throw new WxFail(`directory not empty ${String(path)}`, 1300066)
    throw error
  }
  const room = (path: unknown, adding: number, replacing = 0) => {
    const after = usage(device.userDir) - replacing + adding
    if (after > device.userFileQuota) {
      ctx.violation(`file system: ${String(path)} would take user files to ${after} bytes, over the ${device.userFileQuota}-byte limit`)
      throw new WxFail('the maximum size of the file storage limit is exceeded', 1300202)
    }
  }
  const sizeIfFile = (real: string) => (fs.existsSync(real) && fs.statSync(real).isFile() ? fs.statSync(real).size : 0)
  const toBytes = (data: unknown, encoding: unknown): Buffer => {
    if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') return Buffer.from(new Uint8Array(data as ArrayBuffer))
    if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    if (typeof data === 'string') return Buffer.from(data, (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding)
    throw new WxFail('parameter error: data should be String or ArrayBuffer')
  }

  const ops = {
    access: (o: { path?: unknown }) => {
      try {
        fs.accessSync(locate(o.path).real)
      } catch (e) {
        translate(o.path, e)
      }
    },
    mkdir: (o: { dirPath?: unknown; recursive?: unknown }) => {
      const real = writableFile(o.dirPath)
      if (fs.existsSync(real)) throw new WxFail(`file already exists ${String(o.dirPath)}`, 1301005)
      try {
        fs.mkdirSync(real, { recursive: o.recursive === true })
      } catch (e) {
        translate(o.dirPath, e)
      }
    },
    rmdir: (o: { dirPath?: unknown; recursive?: unknown }) => {
      try {
        fs.rmSync(writableFile(o.dirPath), { recursive: o.recursive === true })
      } catch (e) {
        translate(o.dirPath, e)
      }
    },
    readdir: (o: { dirPath?: unknown }) => {
      try {
        return { files: fs.readdirSync(locate(o.dirPath).real) }
      } catch (e) {
        return translate(o.dirPath, e)
      }
    },
    stat: (o: { path?: unknown }) => {
      try {
        const s = fs.statSync(locate(o.path).real)
        const dir = s.isDirectory()
        return {
          stats: {
            mode: s.mode,
            size: dir ? 0 : s.size,
            lastAccessedTime: Math.floor(s.atimeMs / 1000),
            lastModifiedTime: Math.floor(s.mtimeMs / 1000),
            isDirectory: () => dir,
            isFile: () => !dir,
          },
        }
      } catch (e) {
        return translate(o.path, e)
      }
    },
    readFile: (o: { filePath?: unknown; encoding?: unknown; position?: unknown; length?: unknown }) => {
      let bytes: Buffer
      try {
        bytes = fs.readFileSync(locate(o.filePath).real)
      } catch (e) {
        return translate(o.filePath, e)
      }
      const position = o.position === undefined ? 0 : Number(o.position)
      const length = o.length === undefined ? bytes.length - position : Number(o.length)
      if (!Number.isInteger(position) || position < 0 || position > bytes.length) throw new WxFail(`the value of "position" is out of range. It must be >= 0 && <= ${bytes.length}. Received ${String(o.position)}`)
      if (!Number.isInteger(length) || length < 0 || position + length > bytes.length) throw new WxFail(`the value of "length" is out of range. It must be >= 0 && <= ${bytes.length - position}. Received ${String(o.length)}`)
      const slice = bytes.subarray(position, position + length)
      return { data: typeof o.encoding === 'string' ? slice.toString(o.encoding as BufferEncoding) : ctx.realm.arrayBuffer(slice) }
    },
    writeFile: (o: { filePath?: unknown; data?: unknown; encoding?: unknown }) => {
      const real = writableFile(o.filePath)
      const bytes = toBytes(o.data, o.encoding)
      room(o.filePath, bytes.length, sizeIfFile(real))
      try {
        fs.writeFileSync(real, bytes)
      } catch (e) {
        translate(o.filePath, e)
      }
    },
    appendFile: (o: { filePath?: unknown; data?: unknown; encoding?: unknown }) => {
      const real = writableFile(o.filePath)
      if (!fs.existsSync(real)) throw new WxFail(`no such file or directory ${String(o.filePath)}`, 1300002)
      const bytes = toBytes(o.data, o.encoding)
      room(o.filePath, bytes.length)
      fs.appendFileSync(real, bytes)
    },
    copyFile: (o: { srcPath?: unknown; destPath?: unknown }) => {
      const src = locate(o.srcPath).real
      const dest = writableFile(o.destPath)
      if (!fs.existsSync(src)) throw new WxFail(`no such file or directory ${String(o.srcPath)}`, 1300002)
      room(o.destPath, fs.statSync(src).size, sizeIfFile(dest))
      try {
        fs.copyFileSync(src, dest)
      } catch (e) {
        translate(o.destPath, e)
      }
    },
    rename: (o: { oldPath?: unknown; newPath?: unknown }) => {
      try {
        fs.renameSync(writableFile(o.oldPath), writableFile(o.newPath))
      } catch (e) {
        translate(o.oldPath, e)
      }
    },
    unlink: (o: { filePath?: unknown }) => {
      const real = writableFile(o.filePath)
      try {
        if (fs.statSync(real).isDirectory()) throw new WxFail(`operation not permitted, unlink ${String(o.filePath)}`)
        fs.unlinkSync(real)
      } catch (e) {
        if (e instanceof WxFail) throw e
        translate(o.filePath, e)
      }
    },
    getFileInfo: (o: { filePath?: unknown }) => {
      try {
        return { size: fs.statSync(locate(o.filePath).real).size }
      } catch (e) {
        return translate(o.filePath, e)
      }
    },
  }

  type Op = keyof typeof ops
  const manager: Record<string, unknown> = {}
  for (const name of Object.keys(ops) as Op[]) {
    const impl = ops[name] as (o: Record<string, unknown>) => Record<string, unknown> | void
    manager[name] = asyncApi(ctx, name, (o) => impl(o))
  }
  // The Sync forms take positional arguments (https://developers.weixin.qq.com/miniprogram/dev/api/file/FileSystemManager.accessSync.html …).
  const s = (name: string, fn: (...a: any[]) => unknown) => (manager[`${name}Sync`] = syncApi(ctx, `${name}Sync`, fn))
  s('access', (path) => ops.access({ path }))
  s('mkdir', (dirPath, recursive) => ops.mkdir({ dirPath, recursive }))
  s('rmdir', (dirPath, recursive) => ops.rmdir({ dirPath, recursive }))
  s('readdir', (dirPath) => ops.readdir({ dirPath }).files)
  s('stat', (path) => ops.stat({ path }).stats)
  s('readFile', (filePath, encoding, position, length) => ops.readFile({ filePath, encoding, position, length }).data)
  s('writeFile', (filePath, data, encoding) => ops.writeFile({ filePath, data, encoding }))
  s('appendFile', (filePath, data, encoding) => ops.appendFile({ filePath, data, encoding }))
  s('copyFile', (srcPath, destPath) => ops.copyFile({ srcPath, destPath }))
  s('rename', (oldPath, newPath) => ops.rename({ oldPath, newPath }))
  s('unlink', (filePath) => ops.unlink({ filePath }))
  return { manager, locate }
}
