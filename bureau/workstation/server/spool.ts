/**
 * Replies not yet acknowledged by the server, kept on disk so that a crash, a kill or a restart of
 * the workstation does not lose them. Only what would be posted is kept: the case id, the msgId
 * (the server's idempotency key) and the SEALED reply (header, the message to the resident's reply
 * key D, the bureau's copy to the bureau key), never the text. One file per reply in
 * `<state dir>/outbox/`, mode 0600, written atomically (temp file, fsync, rename, fsync of the
 * folder), removed once the server has acknowledged the reply.
 *
 * Read back, a file is hostile input: anything malformed is left where it is (nothing deleted) and
 * reported as a plain Chinese warning, never a crash. A reply whose bureau copy does not open with
 * the unlocked keys (damaged, altered, not this case's) is never sent: it is renamed
 * `reply-<msgId>.unverified.json` (quarantine(): kept, not read as a reply again) and every load
 * reports it, so that staff write it again and an administrator can look at the file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { LIMITS } from '../../../server/src/limits'
import type { NewCaseMessage, StoredCaseHeader } from '../../../server/src/repository'

const SPOOL_VERSION = 1
const HEX32 = /^[0-9a-f]{32}$/
const FILE_NAME = /^reply-([0-9a-f]{32})\.json$/
/** A kept reply set aside because its bureau copy did not verify (see quarantine()). */
const UNVERIFIED_NAME = /^reply-([0-9a-f]{32})\.unverified(?:-\d{1,16})?\.json$/
const MAX_OBJECT_BASE64 = Math.ceil((LIMITS.maxCaseObjectBytes + 4096) / 3) * 4
const MAX_FILE_BYTES = 2 * MAX_OBJECT_BASE64 + 4096
const MAX_FILES = 1000

/** What a spool file holds: the request body of POST /bureau/v1/cases/:caseId/messages, and when it was written. */
export interface SpooledReply {
  caseId: string
  msgId: string
  header: StoredCaseHeader
  message: Buffer
  copy: Buffer
  at: number
}

const isBase64 = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_OBJECT_BASE64 && /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0
const shortText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max && /^[a-z0-9-]+$/.test(v)
const kid = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{16}$/.test(v)

/** A spool file's JSON, checked member by member; a string says what is wrong. */
export function parseSpoolFile(text: string, msgIdFromName: string): SpooledReply | string {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return '不是有效的 JSON'
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return '内容不是对象'
  const o = raw as Record<string, unknown>
  if (o.v !== SPOOL_VERSION) return `格式版本 ${JSON.stringify(o.v)?.slice(0, 20)} 不认识`
  if (typeof o.caseId !== 'string' || !HEX32.test(o.caseId)) return '案件编号无效'
  if (o.msgId !== msgIdFromName) return '消息编号与文件名不一致'
  if (!Number.isSafeInteger(o.at) || (o.at as number) < 0) return '时间无效'
  const h = o.header as Record<string, unknown> | null
  if (typeof h !== 'object' || h === null || Array.isArray(h) || h.t !== 'case-message' || h.v !== 1 || !shortText(h.suite, 80) || !kid(h.kid) || !kid(h.rkid) || !isBase64(h.epk) || h.epk.length > 64) {
    return '密文头部无效'
  }
  if (!isBase64(o.message) || !isBase64(o.copy)) return '密文无效'
  return {
    caseId: o.caseId,
    msgId: o.msgId,
    header: { t: 'case-message', v: 1, suite: h.suite as string, kid: h.kid as string, rkid: h.rkid as string, epk: h.epk as string },
    message: Buffer.from(o.message, 'base64'),
    copy: Buffer.from(o.copy, 'base64'),
    at: o.at as number,
  }
}

/** The notice for a reply set aside unverified: not sent, kept under `name`, to be written again. */
export function unverifiedNotice(dir: string, name: string, caseId: string | undefined): string {
  return (
    `有一条保留的回复${caseId ? `（案件 ${caseId}）` : ''}未通过验证：本机保存的加密副本无法打开（可能已损坏、被改动，或不属于这个案件），为安全起见没有发送。` +
    `请打开${caseId ? '这个' : '相应的'}案件，重新撰写这条回复。原文件已单独保留为 ${dir}/${name.slice(0, 80)}，请交管理员检查后删除。`
  )
}

export class ReplySpool {
  constructor(readonly dir: string) {}

  private file(msgId: string): string {
    if (!HEX32.test(msgId)) throw new Error('bad msgId')
    return path.join(this.dir, `reply-${msgId}.json`)
  }

  /** Keeps a sealed reply before it is posted: temp file (0600), fsync, rename, fsync of the folder. */
  write(caseId: string, record: NewCaseMessage, at: number): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const target = this.file(record.msgId)
    const body = JSON.stringify({ v: SPOOL_VERSION, caseId, msgId: record.msgId, header: record.header, message: record.message.toString('base64'), copy: record.copy.toString('base64'), at })
    const tmp = `${target}.${process.pid}.tmp`
    try {
      const fd = fs.openSync(tmp, 'w', 0o600)
      try {
        // writeFileSync on a descriptor writes all of it (writeSync may write less).
        fs.writeFileSync(fd, body)
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
      fs.renameSync(tmp, target)
    } catch (e) {
      // A full disk: no half-written temp file is left behind.
      fs.rmSync(tmp, { force: true })
      throw e
    }
    this.syncDir()
  }

  /**
   * Sets a kept reply aside, never to be sent (its bureau copy did not verify): renamed, not
   * deleted, so nothing staff wrote is lost. Returns the new file name.
   */
  quarantine(msgId: string): string {
    const from = this.file(msgId)
    let name = `reply-${msgId}.unverified.json`
    if (fs.existsSync(path.join(this.dir, name))) name = `reply-${msgId}.unverified-${Date.now()}.json`
    fs.renameSync(from, path.join(this.dir, name))
    this.syncDir()
    return name
  }

  /** Forgets a reply the server has acknowledged. */
  remove(msgId: string): void {
    try {
      fs.unlinkSync(this.file(msgId))
      this.syncDir()
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
  }

  private syncDir(): void {
    let fd: number | undefined
    try {
      fd = fs.openSync(this.dir, 'r')
      fs.fsyncSync(fd)
    } catch {
      // some file systems cannot fsync a folder: the rename is still atomic
    } finally {
      if (fd !== undefined) fs.closeSync(fd)
    }
  }

  /** The case a set-aside reply belongs to, when its file still says so (it is hostile input: checked). */
  private caseOf(file: string, msgId: string): string | undefined {
    try {
      const st = fs.lstatSync(file)
      if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined
      const parsed = parseSpoolFile(fs.readFileSync(file, 'utf8'), msgId)
      return typeof parsed === 'string' ? undefined : parsed.caseId
    } catch {
      return undefined
    }
  }

  /** Every kept reply, and a plain Chinese warning for each file that cannot be used (left in place). */
  read(): { replies: SpooledReply[]; warnings: string[] } {
    const replies: SpooledReply[] = []
    const warnings: string[] = []
    let names: string[]
    try {
      names = fs.readdirSync(this.dir)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { replies, warnings }
      return { replies, warnings: [`无法读取待发送回复的文件夹 ${this.dir}（${(e as NodeJS.ErrnoException).code ?? '未知错误'}），其中的回复没有重新发送。`] }
    }
    for (const name of names.sort().slice(0, MAX_FILES)) {
      if (/\.tmp$/.test(name)) continue // an interrupted write: never renamed, so never acknowledged as kept
      const warn = (why: string) => warnings.push(`待发送的回复文件 ${name.slice(0, 80)} 无法使用（${why}），没有发送。文件保留在 ${this.dir}，请交管理员检查。`)
      const unverified = UNVERIFIED_NAME.exec(name)
      if (unverified) {
        warnings.push(unverifiedNotice(this.dir, name, this.caseOf(path.join(this.dir, name), unverified[1])))
        continue
      }
      const m = FILE_NAME.exec(name)
      if (!m) {
        warn('文件名不是工作站写的')
        continue
      }
      const p = path.join(this.dir, name)
      try {
        const st = fs.lstatSync(p)
        if (!st.isFile()) {
          warn('不是普通文件')
          continue
        }
        if (st.size > MAX_FILE_BYTES) {
          warn('文件过大')
          continue
        }
        const parsed = parseSpoolFile(fs.readFileSync(p, 'utf8'), m[1])
        if (typeof parsed === 'string') warn(parsed)
        else replies.push(parsed)
      } catch (e) {
        warn(`读取失败：${(e as NodeJS.ErrnoException).code ?? '未知错误'}`)
      }
    }
    if (names.length > MAX_FILES) warnings.push(`待发送的回复超过 ${MAX_FILES} 条，只读取了前 ${MAX_FILES} 条。`)
    return { replies, warnings }
  }
}
