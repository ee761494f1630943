/**
 * The WeChat file store (src/platform/files.weapp.ts) against an in-memory FileSystemManager.
 * Modules are reloaded for every test so the cached "root directory is ready" state starts afresh.
 */
import type { FileStore } from '@/platform/files.types'
import { FakeWxFs } from './fake-wx-fs'

const ROOT = 'wxfile://usr/clue-report'

let fs: FakeWxFs
let files: FileStore

beforeEach(() => {
  jest.resetModules()
  fs = new FakeWxFs()
  fs.dirs.add('wxfile://usr')
  const Taro = (require('../mocks/taro') as typeof import('../mocks/taro')).default
  Taro.getFileSystemManager.mockReturnValue(fs)
  files = (require('@/platform/files.weapp') as typeof import('@/platform/files.weapp')).files
})

const bytes = (...values: number[]) => new Uint8Array(values)

describe('weapp files', () => {
  it('storeFile copies a picked temporary file under the user data path and answers its size', async () => {
    const tmp = fs.addTemp('wxfile://tmp/abc.jpg', bytes(1, 2, 3, 4, 5))
    expect(await files.storeFile('att/d1/a1', tmp)).toBe(5)
    // Keys become flat file names ('/' → '~') in the app's own directory.
    expect(fs.files.get(`${ROOT}/att~d1~a1`)).toEqual(bytes(1, 2, 3, 4, 5))
    expect(await files.listFiles()).toEqual(['att/d1/a1'])
    expect(await files.fileSize('att/d1/a1')).toBe(5)
    expect(await files.displayUrl('att/d1/a1', 'image/jpeg')).toBe(`${ROOT}/att~d1~a1`)
  })

  it('creates the directory once, and accepts one that already exists', async () => {
    fs.dirs.add(ROOT)
    const tmp = fs.addTemp('wxfile://tmp/a', bytes(1))
    await files.storeFile('k1', tmp)
    await files.storeFile('k2', tmp)
    await files.appendFile('k3', bytes(2))
    expect(fs.calls.filter((c) => c === 'mkdir')).toHaveLength(1)
    expect((await files.listFiles()).sort()).toEqual(['k1', 'k2', 'k3'])
  })

  it('a failed mkdir is reported and retried next time', async () => {
    fs.failNext.set('mkdir', 'the maximum size of the file storage limit is exceeded')
    await expect(files.appendFile('k', bytes(1))).rejects.toThrow('mkdir:fail the maximum size')
    await files.appendFile('k', bytes(1))
    expect(fs.files.get(`${ROOT}/k`)).toEqual(bytes(1))
  })

  it('storeFile refuses a Blob (only picker paths exist on WeChat)', async () => {
    await expect(files.storeFile('k', new Blob(['x']))).rejects.toThrow('微信版只能保存所选文件的路径')
  })

  it('storeFile of a temporary file WeChat already deleted fails', async () => {
    await expect(files.storeFile('k', 'wxfile://tmp/gone.jpg')).rejects.toThrow(/copyFile:fail/)
  })

  it('appendFile creates the file, then appends; readRange reads any slice', async () => {
    await files.appendFile('outbox/r1', bytes(1, 2, 3))
    await files.appendFile('outbox/r1', bytes(4, 5))
    await files.appendFile('outbox/r1', bytes(6, 7, 8, 9))
    expect(await files.fileSize('outbox/r1')).toBe(9)
    expect(await files.readRange('outbox/r1', 0, 9)).toEqual(bytes(1, 2, 3, 4, 5, 6, 7, 8, 9))
    expect(await files.readRange('outbox/r1', 2, 4)).toEqual(bytes(3, 4, 5, 6))
    expect(await files.readRange('outbox/r1', 5, 0)).toEqual(bytes())
  })

  it('appendFile writes exactly the given view of a larger buffer', async () => {
    const big = bytes(9, 9, 1, 2, 3, 9)
    await files.appendFile('k', big.subarray(2, 5))
    expect(await files.readRange('k', 0, 3)).toEqual(bytes(1, 2, 3))
  })

  it.each<[number, number, number[]]>([
    [6, 10, [7, 8, 9]],
    [0, 100, [1, 2, 3, 4, 5, 6, 7, 8, 9]],
    [9, 4, []],
    [20, 4, []],
  ])('readRange(%i, %i) past the end is clamped to the file, as in the browser store', async (offset, length, expected) => {
    await files.appendFile('k', bytes(1, 2, 3, 4, 5, 6, 7, 8, 9))
    expect(await files.readRange('k', offset, length)).toEqual(new Uint8Array(expected))
  })

  it('readRange of a missing file rejects with the same message as the browser store', async () => {
    await expect(files.readRange('nope', 0, 4)).rejects.toThrow('本地文件已丢失：nope')
  })

  it('fileSize of a missing file is undefined', async () => {
    expect(await files.fileSize('nope')).toBeUndefined()
  })

  it('removeFile is idempotent; removeFilesWithPrefix removes only matching keys', async () => {
    for (const k of ['att/d1/a', 'att/d1/b', 'att/d10/a', 'outbox/x']) await files.appendFile(k, bytes(1))
    await files.removeFile('att/d1/a')
    await files.removeFile('att/d1/a')
    await files.removeFilesWithPrefix('att/d1/')
    expect((await files.listFiles()).sort()).toEqual(['att/d10/a', 'outbox/x'])
  })

  it('listFiles answers [] when the directory cannot be read', async () => {
    await files.appendFile('k', bytes(1))
    fs.failNext.set('readdir', 'permission denied')
    expect(await files.listFiles()).toEqual([])
  })
})
