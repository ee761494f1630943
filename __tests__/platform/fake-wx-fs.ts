/**
 * An in-memory stand-in for WeChat's FileSystemManager (wx.getFileSystemManager()), callback style,
 * following the documented behaviour: mkdir fails on an existing directory, writes fail when the
 * parent directory is missing, appendFile fails on a missing file, and readFile's position/length
 * must lie inside the file ([position, position + length) within [0, size)).
 */
type Callbacks<T> = { success?: (res: T) => void; fail?: (err: { errMsg: string }) => void; complete?: () => void }

export class FakeWxFs {
  readonly files = new Map<string, Uint8Array>()
  readonly dirs = new Set<string>()
  /** Method names that fail with the given errMsg on their next call. */
  readonly failNext = new Map<string, string>()
  readonly calls: string[] = []

  /** A temporary file the way a picker leaves it. */
  addTemp(path: string, bytes: Uint8Array): string {
    this.files.set(path, bytes)
    return path
  }

  private run<T>(name: string, options: Callbacks<T>, body: () => T): void {
    this.calls.push(name)
    const forced = this.failNext.get(name)
    // Answer asynchronously, as WeChat does.
    queueMicrotask(() => {
      try {
        if (forced !== undefined) {
          this.failNext.delete(name)
          throw new Error(forced)
        }
        const res = body()
        options.success?.(res)
      } catch (err) {
        options.fail?.({ errMsg: `${name}:fail ${(err as Error).message}` })
      }
      options.complete?.()
    })
  }

  private parentOf(path: string): string {
    return path.slice(0, path.lastIndexOf('/'))
  }

  private requireParent(path: string): void {
    if (!this.dirs.has(this.parentOf(path))) throw new Error(`no such file or directory, open ${path}`)
  }

  private toBytes(data: ArrayBuffer | string): Uint8Array {
    return typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data.slice(0))
  }

  mkdir(o: Callbacks<{ errMsg: string }> & { dirPath: string; recursive?: boolean }): void {
    this.run('mkdir', o, () => {
      if (this.dirs.has(o.dirPath)) throw new Error(`file already exists ${o.dirPath}`)
      if (!o.recursive && !this.dirs.has(this.parentOf(o.dirPath))) throw new Error(`no such file or directory ${o.dirPath}`)
      let path = ''
      for (const part of o.dirPath.split('/')) {
        path = path ? `${path}/${part}` : part
        this.dirs.add(path)
      }
      return { errMsg: 'mkdir:ok' }
    })
  }

  copyFile(o: Callbacks<{ errMsg: string }> & { srcPath: string; destPath: string }): void {
    this.run('copyFile', o, () => {
      const src = this.files.get(o.srcPath)
      if (!src) throw new Error(`no such file or directory, copyFile ${o.srcPath}`)
      this.requireParent(o.destPath)
      this.files.set(o.destPath, src.slice())
      return { errMsg: 'copyFile:ok' }
    })
  }

  writeFile(o: Callbacks<{ errMsg: string }> & { filePath: string; data: ArrayBuffer | string }): void {
    this.run('writeFile', o, () => {
      this.requireParent(o.filePath)
      this.files.set(o.filePath, this.toBytes(o.data))
      return { errMsg: 'writeFile:ok' }
    })
  }

  appendFile(o: Callbacks<{ errMsg: string }> & { filePath: string; data: ArrayBuffer | string }): void {
    this.run('appendFile', o, () => {
      const existing = this.files.get(o.filePath)
      if (!existing) throw new Error(`no such file or directory, open ${o.filePath}`)
      const add = this.toBytes(o.data)
      const next = new Uint8Array(existing.length + add.length)
      next.set(existing)
      next.set(add, existing.length)
      this.files.set(o.filePath, next)
      return { errMsg: 'appendFile:ok' }
    })
  }

  readFile(o: Callbacks<{ data: ArrayBuffer }> & { filePath: string; position?: number; length?: number }): void {
    this.run('readFile', o, () => {
      const bytes = this.files.get(o.filePath)
      if (!bytes) throw new Error(`no such file or directory, open ${o.filePath}`)
      const position = o.position ?? 0
      const length = o.length ?? bytes.length - position
      if (position < 0 || (bytes.length > 0 && position >= bytes.length)) throw new Error('the value of "position" is out of range')
      if (length < 1 || position + length > bytes.length) throw new Error('the value of "length" is out of range')
      const out = bytes.slice(position, position + length)
      return { data: out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) }
    })
  }

  stat(o: Callbacks<{ stats: { size: number; isFile: () => boolean } }> & { path: string }): void {
    this.run('stat', o, () => {
      const bytes = this.files.get(o.path)
      if (!bytes) throw new Error(`no such file or directory ${o.path}`)
      return { stats: { size: bytes.length, isFile: () => true } }
    })
  }

  unlink(o: Callbacks<{ errMsg: string }> & { filePath: string }): void {
    this.run('unlink', o, () => {
      if (!this.files.delete(o.filePath)) throw new Error(`no such file or directory ${o.filePath}`)
      return { errMsg: 'unlink:ok' }
    })
  }

  readdir(o: Callbacks<{ files: string[] }> & { dirPath: string }): void {
    this.run('readdir', o, () => {
      if (!this.dirs.has(o.dirPath)) throw new Error(`no such file or directory ${o.dirPath}`)
      const prefix = `${o.dirPath}/`
      const names = [...this.files.keys(), ...this.dirs]
        .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .map((p) => p.slice(prefix.length))
      return { files: names }
    })
  }
}
