/**
 * Exports one case as a folder or a ZIP: report.md (the CLI's renderer), report.json (the
 * decrypted JSON), the files under safe names, and conversation.md. This is the only place the
 * workstation writes plaintext, on an explicit request that the page warns about.
 */
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { zipSync, strToU8 } from 'fflate'
import { detectFileType, SNIFF_BYTES } from '../../../src/domain/file-type'
import type { ReportPlaintext } from '../../../src/domain/report-plaintext'
import type { BranchOffice } from '../../../src/domain/types'
import { renderReportMarkdown, type ExportedAttachment } from '../../report-md'
import { safeFileNames } from '../../safe-name'
import { cstDate, cstDateTime } from '../../time'
import type { MessageView, NoteView } from '../shared/types'
import type { CaseEntry, DecryptedFile } from './vault'

export interface ExportInput {
  entry: CaseEntry
  files: DecryptedFile[]
  messages: MessageView[]
  notes: NoteView[]
  branches: readonly BranchOffice[]
}

const RESERVED = ['report.md', 'report.json', 'conversation.md', 'notes.md']

function conversationMd(messages: MessageView[]): string {
  const lines = ['# 与举报人的对话', '', '> 由扫黑办工作站解密导出。举报人写的内容尚未核实。', '']
  if (messages.length === 0) lines.push('（还没有消息）')
  for (const m of messages) {
    lines.push(`## ${cstDateTime(m.at)} 北京时间 · ${m.from === 'bureau' ? '扫黑办' : '举报人'}${m.requestsMaterial ? ' · 请求补充材料' : ''}`, '')
    lines.push('```text', m.text.replace(/```/g, '`\u200b``'), '```', '')
    for (const a of m.attachments) lines.push(`- 附件 ${a.n + 1}：[${a.label}] ${a.name}（${a.size} 字节）`)
    if (m.attachments.length) lines.push('')
  }
  return `${lines.join('\n')}\n`
}

function notesMd(notes: NoteView[]): string {
  const lines = ['# 内部备注（仅扫黑办可见）', '']
  if (notes.length === 0) lines.push('（没有备注）')
  for (const n of notes) lines.push(`## ${n.writtenAt} · ${n.author}`, '', '```text', n.text.replace(/```/g, '`\u200b``'), '```', '')
  return `${lines.join('\n')}\n`
}

/** The exported files, name → bytes. */
export function exportFiles(input: ExportInput): Map<string, Uint8Array> {
  const { entry, files } = input
  const out = new Map<string, Uint8Array>()
  const names = safeFileNames(files.map((f) => f.info.name), RESERVED, (i) => `attachment-${files[i].info.n + 1}.bin`)
  const exported: ExportedAttachment[] = files.map((f, i) => ({
    n: f.info.n,
    ...(f.bytes ? { fileName: names[i], size: f.bytes.length, sha256: f.info.sha256, detected: detectFileType(f.bytes.subarray(0, SNIFF_BYTES)) } : {}),
    integrity: !f.bytes ? 'missing' : f.info.integrity === 'sha256-mismatch' ? 'mismatch' : 'ok',
  }))
  out.set(
    'report.md',
    strToU8(
      renderReportMarkdown((entry.raw ?? {}) as ReportPlaintext, {
        submissionId: entry.meta.id,
        receivedAt: entry.meta.receivedAt,
        kid: entry.meta.header.kid,
        branches: input.branches,
        attachments: exported,
      }),
    ),
  )
  out.set('report.json', strToU8(`${JSON.stringify(entry.raw ?? null, null, 2)}\n`))
  out.set('conversation.md', strToU8(conversationMd(input.messages)))
  out.set('notes.md', strToU8(notesMd(input.notes)))
  files.forEach((f, i) => {
    if (f.bytes) out.set(names[i], f.bytes)
  })
  return out
}

export function folderName(entry: CaseEntry): string {
  return `${cstDate(entry.meta.receivedAt)}-${entry.meta.id}`
}

export function zipCase(input: ExportInput): Buffer {
  const root = folderName(input.entry)
  const tree: Record<string, Uint8Array> = {}
  for (const [name, bytes] of exportFiles(input)) tree[`${root}/${name}`] = bytes
  return Buffer.from(zipSync(tree, { level: 6 }))
}

/** Writes the case into DIR/<date>-<id>/ (a new folder; an existing one is refused). Returns the folder. */
export async function writeCaseFolder(input: ExportInput, dir: string): Promise<string> {
  const folder = path.join(path.resolve(dir), folderName(input.entry))
  await fsp.mkdir(path.dirname(folder), { recursive: true, mode: 0o700 })
  await fsp.mkdir(folder, { mode: 0o700 })
  for (const [name, bytes] of exportFiles(input)) {
    // Names come from safeFileNames: no separators, no dot-names; checked again here.
    if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`unsafe name ${name}`)
    await fsp.writeFile(path.join(folder, name), bytes, { flag: 'wx', mode: 0o600 })
  }
  fs.chmodSync(folder, 0o700)
  return folder
}
