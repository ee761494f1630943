/**
 * The case channel part of export: the conversation of an exported case goes into its report.md
 * (a section after the report, in order, with times, rewritten atomically on every run), and the
 * files the resident added are decrypted into the case folder with the same checks as the
 * originals (every 64 KiB chunk authenticated under a label naming the case, the message and the
 * file; the size checked against the message; SHA-256 and the detected type shown). What was
 * exported is recorded in `.case-exported.json`, so a rerun decrypts only what is new; a file
 * whose message is not recorded yet (a crash mid-run) is redone.
 */
import fsp from 'node:fs/promises'
import { fsyncDir } from '../../server/src/durable'
import { EnvelopeError, openCaseObjectFile, type BureauKeyPair } from '../../server/src/envelope'
import type { Submission } from '../../server/src/repository'
import { detectFileType, SNIFF_BYTES } from '../../src/domain/file-type'
import { openCase, readConversation, type ConversationEntry } from '../case'
import type { Io } from '../command'
import type { DataSource } from '../data-dir'
import { CliError } from '../errors'
import { formatBytes, mdBlock, mdCode } from '../report-md'
import { safeFileName } from '../safe-name'
import { cstDateTime } from '../time'
import { childPath } from '../untrusted'

export const CASE_STATE_FILE = '.case-exported.json'
export const CONVERSATION_MARK = '<!-- 往来消息 conversation (written by export; everything below is rewritten on each run) -->'

interface ExportedFile {
  n: number
  fileName: string
  size: number
  sha256: string
  integrity: 'ok' | 'mismatch'
  detected: string
}

type CaseState = Record<string, { seq: number; files: ExportedFile[] }>

async function readState(folder: string): Promise<CaseState> {
  try {
    const parsed: unknown = JSON.parse(await fsp.readFile(childPath(folder, CASE_STATE_FILE), 'utf8'))
    const messages = (parsed as { messages?: unknown })?.messages
    if (typeof messages !== 'object' || messages === null || Array.isArray(messages)) return {}
    const out: CaseState = {}
    for (const [id, v] of Object.entries(messages)) {
      if (/^[0-9a-f]{32}$/.test(id) && typeof v === 'object' && v !== null && Array.isArray((v as { files?: unknown }).files)) out[id] = v as CaseState[string]
    }
    return out
  } catch {
    return {}
  }
}

async function writeAtomic(folder: string, name: string, text: string): Promise<void> {
  const tmp = childPath(folder, `.${name}.tmp`)
  const fh = await fsp.open(tmp, 'w', 0o600)
  try {
    await fh.writeFile(text)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await fsp.rename(tmp, childPath(folder, name))
  await fsyncDir(folder)
}

async function readHead(file: string): Promise<Uint8Array> {
  const fh = await fsp.open(file, 'r')
  try {
    const buf = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

/** The file name of added file n of message #seq: deterministic, so a rerun overwrites its own. */
function addedFileName(seq: number, n: number, name: unknown): string {
  return `补充材料-${seq}-${n + 1}-${safeFileName(name, `file-${n + 1}.bin`)}`
}

async function exportFiles(data: DataSource, s: Submission, e: ConversationEntry, keys: readonly BureauKeyPair[], replyPublicKey: Buffer, folder: string, io: Io): Promise<{ files: ExportedFile[]; problems: string[] }> {
  const files: ExportedFile[] = []
  const problems: string[] = []
  const p = e.plaintext!
  for (const a of e.stored.attachments) {
    const entry = p.attachments[a.n]
    const fileName = addedFileName(e.stored.seq!, a.n, entry?.name)
    const blob = await data.blobFile(e.stored.msgId, a.n, a.size, 'case')
    if (blob.problem !== undefined) {
      problems.push(`消息 #${e.stored.seq} 的文件 ${a.n + 1}：加密文件不可用（${blob.problem}）/ message #${e.stored.seq} file ${a.n + 1}: blob not usable (${blob.problem})`)
      continue
    }
    let got: { size: number; sha256: string }
    try {
      got = await openCaseObjectFile({
        header: e.stored.header, reader: { keys, replyPublicKey }, caseId: s.id, msgId: e.stored.msgId, from: 'resident', kind: 'attachment', n: a.n,
        inputPath: blob.path, outputPath: childPath(folder, fileName),
      })
    } catch (err) {
      if (!(err instanceof EnvelopeError)) throw err
      problems.push(`消息 #${e.stored.seq} 的文件 ${a.n + 1} 无法通过完整性校验（被改动、移动或损坏，${err.code}）/ message #${e.stored.seq} file ${a.n + 1} fails authentication (${err.code})`)
      continue
    } finally {
      await blob.release()
    }
    const detected = detectFileType(await readHead(childPath(folder, fileName)))
    const integrity = entry && entry.size === got.size ? 'ok' : 'mismatch'
    if (integrity !== 'ok') problems.push(`消息 #${e.stored.seq} 的文件 ${a.n + 1}：大小与消息中记录的不一致 / size differs from the message (${String(entry?.size)} vs ${got.size})`)
    io.out(`      补充材料 added file #${e.stored.seq}-${a.n + 1}: ${fileName} (${formatBytes(got.size)}, SHA-256 ${got.sha256.slice(0, 16)}…, ${detected.label})`)
    files.push({ n: a.n, fileName, size: got.size, sha256: got.sha256, integrity, detected: `${detected.label} (${detected.kind})` })
  }
  return { files, problems }
}

function renderConversation(entries: readonly ConversationEntry[], state: CaseState, legacy: boolean): string {
  const lines = [CONVERSATION_MARK, '', '## 往来消息', '']
  if (legacy) lines.push('> ⚠️ 旧版举报：回复公钥来自服务器，未经验证（legacy report: the reply key is the server\'s word）。', '')
  for (const e of entries) {
    const who = e.stored.from === 'bureau' ? '扫黑办' : '举报人'
    lines.push(`### #${e.stored.seq} ${who} · ${cstDateTime(e.stored.acceptedAt ?? e.stored.createdAt).slice(0, 16)}（北京时间）`, '')
    if (!e.plaintext || e.error) {
      lines.push(`**✗ 无法打开：${e.error ?? ''}**`, '')
      continue
    }
    if (e.plaintext.requestsMaterial) lines.push('**【请求补充材料】**', '')
    lines.push(e.plaintext.text === '' ? '（无文字）' : mdBlock(e.plaintext.text), '')
    const exported = state[e.stored.msgId]?.files ?? []
    for (const a of e.plaintext.attachments) {
      const f = exported.find((x) => x.n === a.n)
      lines.push(
        f
          ? `- 补充材料 ${a.n + 1}：${mdCode(f.fileName)}，${formatBytes(f.size)}，类型 ${f.detected}，SHA-256 ${mdCode(f.sha256)}${f.integrity === 'ok' ? '，校验通过' : '，**大小与消息记录不符**'}`
          : `- 补充材料 ${a.n + 1}：${mdCode(a.name)}（**未能导出**，见 INTEGRITY-WARNING.txt）`,
      )
    }
    if (e.plaintext.attachments.length > 0) lines.push('')
  }
  return lines.join('\n')
}

/**
 * Brings the conversation of an exported case up to date in its folder. Returns the number of
 * new messages and the problems found (also written to the folder's INTEGRITY-WARNING.txt).
 */
export async function exportConversation(data: DataSource, s: Submission, keys: readonly BureauKeyPair[], folder: string, io: Io): Promise<{ newMessages: number; problems: string[] }> {
  const messages = await data.repository.cases.messageIds(s.id)
  if (messages.length === 0) return { newMessages: 0, problems: [] }
  let ctx
  try {
    ctx = await openCase(data, s.id, keys)
  } catch (e) {
    if (e instanceof CliError) return { newMessages: 0, problems: [`往来消息未导出：${e.zh} / conversation not exported: ${e.en}`] }
    throw e
  }
  const entries = await readConversation(data, ctx, keys)
  const state = await readState(folder)
  const problems = entries.filter((e) => e.error).map((e) => `消息 #${e.stored.seq}：${e.error}`)
  let newMessages = 0
  for (const e of entries) {
    if (!e.plaintext || e.error || state[e.stored.msgId]) continue
    const { files, problems: p } = await exportFiles(data, s, e, keys, ctx.replyKey!.D, folder, io)
    problems.push(...p)
    if (p.length === 0) state[e.stored.msgId] = { seq: e.stored.seq!, files }
    newMessages += 1
  }
  const reportFile = childPath(folder, 'report.md')
  const current = await fsp.readFile(reportFile, 'utf8')
  const at = current.indexOf(CONVERSATION_MARK)
  const head = (at === -1 ? current : current.slice(0, at)).trimEnd()
  await writeAtomic(folder, 'report.md', `${head}\n\n${renderConversation(entries, state, ctx.replyKey?.verified === false)}\n`)
  await writeAtomic(folder, CASE_STATE_FILE, `${JSON.stringify({ caseId: s.id, updatedAt: new Date().toISOString(), messages: state }, null, 2)}\n`)
  if (problems.length > 0) {
    const warning = childPath(folder, 'INTEGRITY-WARNING.txt')
    await fsp.appendFile(warning, `\n往来消息 conversation (${cstDateTime(Date.now())}):\n${problems.join('\n')}\n`, { mode: 0o600 })
  }
  return { newMessages, problems }
}
