/**
 * report.md: a decrypted report as a readable Chinese document for bureau staff. Pure.
 *
 * The report is evidence: everything the resident wrote is reproduced exactly — every character,
 * zero-width joiners in emoji included, every line break — in fenced blocks (```text … ```), the
 * one Markdown form that needs no escaping, so the file reads the same in Notepad and in a
 * Markdown viewer. The fence is longer than any run of backticks in the text, so nothing the
 * resident wrote can close it: inside it nothing becomes HTML, an image a viewer would fetch
 * (telling a third party the report was opened), a link, a heading or a table. Two kinds of
 * characters are not copied as they are, and a note under the block says so: control characters
 * (they could drive a terminal that shows the file), shown as ⟨U+001B⟩; and characters that
 * reverse the display order, kept but warned about. report.json beside it holds the original.
 *
 * A field of the wrong type (a broken or hostile client) is shown as not filled in, never thrown on.
 */
import { branchDisplayName } from '../src/domain/branches'
import { findCategory } from '../src/domain/categories'
import { claimedKind, type FileKindInfo } from '../src/domain/file-type'
import type { BranchOffice } from '../src/domain/types'
import { formatBytes } from '../src/domain/format'
import type { ReportPlaintext } from '../src/domain/report-plaintext'
import { cstChinese, reportTimeChinese } from './time'

export { formatBytes } from '../src/domain/format'

/** How one attachment came through export. */
export type IntegrityResult =
  /** Decrypted, and its SHA-256 and size match what the report declares. */
  | 'ok'
  /** Decrypted, but its SHA-256 or size differs from what the report declares. */
  | 'mismatch'
  /** Listed by the report, but the server holds no such object. */
  | 'missing'
  /** Held by the server, but not listed by the report. */
  | 'unlisted'

export interface ExportedAttachment {
  n: number
  /** Name of the exported file in the folder; undefined when nothing was written. */
  fileName?: string
  /** Plaintext size and SHA-256 actually decrypted. */
  size?: number
  sha256?: string
  integrity: IntegrityResult
  /** What the decrypted file is, from its first bytes (src/domain/file-type.ts). */
  detected?: FileKindInfo
}

export interface ReportContext {
  /** The server's submission id. */
  submissionId: string
  /** When the server accepted it (epoch ms). */
  receivedAt: number | null
  /** The bureau key the report was encrypted to. */
  kid: string
  branches: readonly BranchOffice[]
  attachments: readonly ExportedAttachment[]
}

const NOT_FILLED = '（未填写）'

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

// C0 controls other than tab and line feed, DEL, C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g
/** Bidirectional embeddings, overrides and isolates: they change the order text is shown in. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`

/**
 * Untrusted text as a fenced block that shows it exactly, with notes about characters that could
 * not be shown as they are. Line breaks (CRLF, CR, LF) become the file's line feeds.
 */
export function mdBlock(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n')
  const controls = lines.match(CONTROL) ?? []
  const bidi = lines.match(BIDI) ?? []
  const shown = lines.replace(CONTROL, (c) => `⟨${codePoint(c)}⟩`)
  const longest = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  const out = [`${fence}text`, shown, fence]
  if (controls.length > 0) {
    out.push('', `（此段有 ${controls.length} 个控制字符，显示为 ⟨U+…⟩ 的样子；原样见 report.json。）`)
  }
  if (bidi.length > 0) {
    const which = [...new Set(bidi.map(codePoint))].join('、')
    out.push('', `⚠️ 此段含有改变文字显示方向的不可见字符（${which}），显示的先后顺序可能与举报人输入的不同，请以 report.json 为准。`)
  }
  return out.join('\n')
}

/** Untrusted text as an inline code span, for short machine values (ids, codes, fingerprints). */
export function mdCode(text: string): string {
  const s = text.replace(/[\r\n\t]/g, ' ').replace(CONTROL, (c) => `⟨${codePoint(c)}⟩`)
  if (s === '') return NOT_FILLED
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = s.startsWith('`') || s.endsWith('`') || /^ .* $/.test(s) ? ' ' : ''
  return `${fence}${pad}${s}${pad}${fence}`
}

/** "**label：**" and the resident's text as a block, or "（未填写）" on the same line. */
function field(label: string, text: string): string[] {
  if (text.trim() === '') return [`**${label}：** ${NOT_FILLED}`, '']
  return [`**${label}：**`, '', mdBlock(text), '']
}

function timeValue(raw: unknown): string {
  const s = str(raw)
  if (s.trim() === '') return NOT_FILLED
  const shown = reportTimeChinese(s)
  // A value the phone never writes is shown literally.
  return shown === s ? mdCode(s) : shown
}

const INTEGRITY_TEXT: Record<IntegrityResult, string> = {
  ok: '✅ 一致',
  mismatch: '❌ 不一致，见 INTEGRITY-WARNING.txt',
  missing: '❌ 服务器上没有此文件',
  unlisted: '⚠️ 举报中未列出此文件',
}

const ATTACHMENT_LABELS = ['截图', '交易记录', '其他']

/** Whether the detected content is not what the name (or, without a known extension, the MIME type) says. */
export function typeMismatch(name: string, mime: string, detected: FileKindInfo): boolean {
  const claimed = claimedKind(name)
  if (claimed) return claimed !== detected.kind && !(isImage(claimed) && isImage(detected.kind))
  if (mime.startsWith('image/')) return !isImage(detected.kind)
  return !detected.accepted
}

function isImage(kind: string): boolean {
  return ['jpeg', 'png', 'gif', 'webp', 'bmp', 'heif'].includes(kind)
}

/** "PNG 图片", with a warning when that is not what the file's name says. */
function detectedText(a: ExportedAttachment, name: string, mime: string): string {
  if (!a.detected) return '—'
  if (!typeMismatch(name, mime, a.detected)) return a.detected.label
  return `⚠️ ${a.detected.label}（与文件名不符，请谨慎打开${a.detected.accepted ? '' : '，可能是程序或无法识别的文件'}）`
}

/** The Chinese report.md for a decrypted report. */
export function renderReportMarkdown(report: ReportPlaintext, context: ReportContext): string {
  const r = report as unknown as Record<string, unknown>
  const out: string[] = []
  const push = (...lines: string[]) => out.push(...lines)

  const categoryCode = str(r.category)
  const category = findCategory(categoryCode)
  const categoryText = category ? `${category.ordinal}${category.name}` : categoryCode ? `未知类别（代码 ${mdCode(categoryCode)}）` : NOT_FILLED
  const branchCode = str(r.branch)
  const branch = context.branches.find((b) => b.code === branchCode)
  const branchText = branch ? `${branchDisplayName(branch)}（代码 ${branchCode}）` : branchCode ? `未知单位（代码 ${mdCode(branchCode)}）` : NOT_FILLED
  const reporter = obj(r.reporter)
  const anonymous = reporter.anonymous !== false
  const declaration = obj(r.declaration)
  const listed = Array.isArray(r.attachments) ? (r.attachments as unknown[]).map(obj) : []
  const entryOf = (n: number) => listed.find((e) => e.n === n) ?? {}
  const typeWarnings = context.attachments.filter((a) => a.detected && typeMismatch(str(entryOf(a.n).name), str(entryOf(a.n).mime), a.detected))

  push('# 涉网黑恶犯罪线索举报', '')
  push(
    '> 本文件由扫黑办工具从加密举报解密生成。内容由举报人填写，尚未核实。',
    '> 举报人写的文字原样放在代码框里（以三个或更多反引号开头和结尾的那几行之间），一字未改、未加任何转义。',
    '> 链接等内容只以文字显示，请在安全的环境中核查，不要在办公电脑上直接打开。',
    '',
  )
  push(
    `- **举报类别：** ${categoryText}`,
    `- **受理单位：** ${branchText}`,
    `- **发生时间：** ${timeValue(r.happenedAt)}`,
    `- **收到时间：** ${context.receivedAt !== null ? `${cstChinese(context.receivedAt)}（北京时间）` : NOT_FILLED}`,
    `- **举报方式：** ${anonymous ? '匿名举报' : '实名举报'}`,
    `- **附件：** ${context.attachments.length} 个`,
    `- **提交编号：** ${mdCode(context.submissionId)}`,
    '',
  )
  if (context.attachments.some((a) => a.integrity !== 'ok')) {
    push('> ⚠️ **附件校验有问题，详见文末“附件”一节和 INTEGRITY-WARNING.txt。**', '')
  }
  if (typeWarnings.length > 0) {
    push(`> ⚠️ **附件 ${typeWarnings.map((a) => a.n + 1).join('、')} 的实际内容与文件名不符，详见文末“附件”一节。**`, '')
  }

  push('## 事情经过', '')
  const description = str(r.description)
  push(description.trim() ? mdBlock(description) : NOT_FILLED, '')

  push('## 相关链接', '')
  const links = Array.isArray(r.links) ? (r.links as unknown[]).map(str).filter((l) => l.trim() !== '') : []
  if (links.length === 0) push(NOT_FILLED, '')
  else links.forEach((link, i) => push(`链接 ${i + 1}：`, '', mdBlock(link), ''))

  push('## 被举报方', '')
  const party = obj(r.party)
  push(
    ...field('账号（微信号、QQ号、平台账号等）', str(party.accounts)),
    ...field('电话号码', str(party.phones)),
    ...field('网站、App 名称', str(party.websites)),
  )

  const extra = obj(r.extra)
  const extraKeys = Object.keys(extra).filter((k) => str(extra[k]).trim() !== '')
  if (category || extraKeys.length > 0) {
    push(`## ${category ? `${category.name}：补充信息` : '补充信息'}`, '')
    const known = new Set<string>()
    for (const f of category?.fields ?? []) {
      known.add(f.key)
      push(...field(f.label, str(extra[f.key])))
    }
    for (const key of extraKeys.filter((k) => !known.has(k))) {
      push(`**表单中没有的项目 ${mdCode(key)}：**`, '', mdBlock(str(extra[key])), '')
    }
  }

  push('## 举报人', '')
  if (anonymous) {
    push('匿名举报：举报人没有留下身份信息。', '')
  } else {
    push(
      ...field('姓名', str(reporter.name)),
      ...field('手机号码', str(reporter.mobile)),
      ...field('身份证号码', str(reporter.idNumber)),
      '> 举报人身份信息须严格保密。',
      '',
    )
  }

  push('## 声明', '')
  const declared = declaration.truthful === true && declaration.liability === true
  push(
    declared
      ? '举报人已声明：提供的内容真实，没有虚构、夸大事实，对其真实性负责；知道谎报、捏造事实或借举报之名诬告陷害他人，将被依法依规追究法律责任。'
      : '⚠️ 举报中没有完整的真实性声明。',
    '',
    `- **声明时间：** ${timeValue(declaration.declaredAt)}`,
    '',
  )

  push('## 附件', '')
  if (context.attachments.length === 0) {
    push('无附件。', '')
  } else {
    for (const a of context.attachments) {
      const entry = entryOf(a.n)
      const label = str(entry.label)
      const name = str(entry.name)
      const size = a.size ?? (typeof entry.size === 'number' ? entry.size : NaN)
      push(
        `### 附件 ${a.n + 1}`,
        '',
        `- **类型（举报人选择）：** ${ATTACHMENT_LABELS.includes(label) ? label : label ? mdCode(label) : NOT_FILLED}`,
        `- **导出的文件名：** ${a.fileName ? mdCode(a.fileName) : '—'}　**检测到的文件类型：** ${detectedText(a, name, str(entry.mime))}`,
        `- **大小：** ${formatBytes(size)}`,
        `- **完整性校验：** ${INTEGRITY_TEXT[a.integrity]}`,
        ...(a.sha256 ? [`- **解密后的 SHA-256：** ${mdCode(a.sha256)}`] : []),
        '',
        ...field('举报人手机上的文件名', name),
      )
    }
    push('“检测到的文件类型”由导出工具按文件开头的字节判断，不依赖文件名；与文件名不符时标有 ⚠️。')
    push('完整性校验：每个附件解密时都逐块验证了认证码，被改动过的文件无法解密；解密得到的大小（旧版举报还有举报人手机在加密前算出的 SHA-256 指纹）再与举报中的记录比较。“一致”说明文件与举报人手机加密发送的完全相同。')
    if (context.attachments.some((a) => a.fileName && a.fileName !== str(entryOf(a.n).name))) {      push('导出的文件名与举报人手机上的文件名不同之处，是为安全起见做的修改（去掉路径和特殊字符、避免重名，可执行文件的扩展名后加“_”以免误运行）；文件内容没有改动。')
    }
    push('')
  }

  push('## 技术信息', '')
  push(
    `- 提交编号（服务器）：${mdCode(context.submissionId)}`,
    `- 加密密钥 kid：${mdCode(context.kid)}`,
    `- 举报格式：${mdCode(str(r.schema))}`,
    `- 草稿编号：${mdCode(str(r.id))}`,
    `- 草稿创建时间：${timeValue(r.createdAt)}`,
    `- 草稿最后修改：${timeValue(r.updatedAt)}`,
    '- 原始数据：同一文件夹中的 report.json',
    '',
  )
  return out.join('\n')
}
