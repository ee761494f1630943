/**
 * report.md: a decrypted report as a readable Chinese document for bureau staff. Pure.
 *
 * Everything in the report was typed on the resident's phone and is untrusted. It is escaped so
 * that it can never become HTML, an image that a viewer would fetch (and so tell a third party the
 * report was opened), or a clickable link: links are shown as code, to be checked with care. A
 * field of the wrong type (a broken or hostile client) is shown as not filled in, never thrown on.
 */
import { branchDisplayName } from '../src/domain/branches'
import { findCategory } from '../src/domain/categories'
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

/** Removes control and invisible formatting characters (keeps line breaks and tabs for the caller). */
function clean(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g, '')
}

/**
 * One line of untrusted text as inert Markdown: no HTML, no links or images, no emphasis, no
 * headings, lists, tables or quotes started by the text.
 */
export function mdEscapeLine(line: string): string {
  let s = clean(line).replace(/[\n\t]/g, ' ')
  s = s.replace(/&(?=#?[0-9A-Za-z]+;)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  s = s.replace(/([\\`*_[\]|~])/g, '\\$1')
  // Line starts that open a block: "#", "-", "+", "=", "1." / "1)".
  s = s.replace(/^(\s*)([#\-+=])/, '$1\\$2').replace(/^(\s*\d+)([.)])/, '$1\\$2')
  return s
}

/** Multi-line untrusted text as a block quote, one hard line break per line. */
export function mdQuote(text: string): string {
  const lines = clean(text).split('\n')
  while (lines.length > 1 && lines[lines.length - 1].trim() === '') lines.pop()
  return lines.map((l) => (l.trim() === '' ? '>' : `> ${mdEscapeLine(l)}  `)).join('\n')
}

/** Untrusted text as an inline code span: shown literally, never a link. */
export function mdCode(text: string): string {
  const s = clean(text).replace(/[\n\t]/g, ' ')
  if (s === '') return NOT_FILLED
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = s.startsWith('`') || s.endsWith('`') || /^ .* $/.test(s) ? ' ' : ''
  return `${fence}${pad}${s}${pad}${fence}`
}

/** A table cell: escaped, on one line. */
function cell(text: string): string {
  return mdEscapeLine(text) || '—'
}

function value(text: string): string {
  return text.trim() === '' ? NOT_FILLED : mdEscapeLine(text)
}

function timeValue(raw: unknown): string {
  const s = str(raw)
  return s.trim() === '' ? NOT_FILLED : mdEscapeLine(reportTimeChinese(s))
}

const INTEGRITY_TEXT: Record<IntegrityResult, string> = {
  ok: '✅ 一致',
  mismatch: '❌ 不一致，见 INTEGRITY-WARNING.txt',
  missing: '❌ 服务器上没有此文件',
  unlisted: '⚠️ 举报中未列出此文件',
}

/** The Chinese report.md for a decrypted report. */
export function renderReportMarkdown(report: ReportPlaintext, context: ReportContext): string {
  const r = report as unknown as Record<string, unknown>
  const out: string[] = []
  const push = (...lines: string[]) => out.push(...lines)

  const categoryCode = str(r.category)
  const category = findCategory(categoryCode)
  const categoryText = category ? `${category.ordinal}${category.name}` : categoryCode ? `未知类别（代码 ${categoryCode}）` : ''
  const branchCode = str(r.branch)
  const branch = context.branches.find((b) => b.code === branchCode)
  const branchText = branch ? `${branchDisplayName(branch)}（代码 ${branchCode}）` : branchCode ? `未知单位（代码 ${branchCode}）` : ''
  const reporter = obj(r.reporter)
  const anonymous = reporter.anonymous !== false
  const declaration = obj(r.declaration)
  const listed = Array.isArray(r.attachments) ? (r.attachments as unknown[]).map(obj) : []

  push('# 涉网黑恶犯罪线索举报', '')
  push(
    '> 本文件由扫黑办工具从加密举报解密生成。内容由举报人填写，尚未核实。',
    '> 链接等内容只以文字显示，请在安全的环境中核查，不要在办公电脑上直接打开。',
    '',
  )
  push(
    `- **举报类别：** ${value(categoryText)}`,
    `- **受理单位：** ${value(branchText)}`,
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

  push('## 事情经过', '')
  const description = str(r.description)
  push(description.trim() ? mdQuote(description) : NOT_FILLED, '')

  push('## 相关链接', '')
  const links = Array.isArray(r.links) ? (r.links as unknown[]).map(str).filter((l) => l.trim() !== '') : []
  if (links.length === 0) push(NOT_FILLED)
  else links.forEach((link, i) => push(`${i + 1}. ${mdCode(link)}`))
  push('')

  push('## 被举报方', '')
  const party = obj(r.party)
  push(
    `- **账号（微信号、QQ号、平台账号等）：** ${value(str(party.accounts))}`,
    `- **电话号码：** ${value(str(party.phones))}`,
    `- **网站、App 名称：** ${value(str(party.websites))}`,
    '',
  )

  const extra = obj(r.extra)
  const extraKeys = Object.keys(extra).filter((k) => str(extra[k]).trim() !== '')
  if (category || extraKeys.length > 0) {
    push(`## ${category ? `${category.name}：补充信息` : '补充信息'}`, '')
    const known = new Set<string>()
    for (const field of category?.fields ?? []) {
      known.add(field.key)
      const v = str(extra[field.key])
      if (v.includes('\n')) push(`- **${mdEscapeLine(field.label)}：**`, '', mdQuote(v), '')
      else push(`- **${mdEscapeLine(field.label)}：** ${value(v)}`)
    }
    for (const key of extraKeys.filter((k) => !known.has(k))) {
      push(`- **${mdEscapeLine(key)}：** ${value(str(extra[key]).replace(/\n/g, ' / '))}`)
    }
    push('')
  }

  push('## 举报人', '')
  if (anonymous) {
    push('匿名举报：举报人没有留下身份信息。', '')
  } else {
    push(
      `- **姓名：** ${value(str(reporter.name))}`,
      `- **手机号码：** ${value(str(reporter.mobile))}`,
      `- **身份证号码：** ${value(str(reporter.idNumber))}`,
      '',
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
    push('| 序号 | 类型 | 导出的文件名 | 举报人手机上的文件名 | 大小 | 完整性校验 |', '| --- | --- | --- | --- | --- | --- |')
    for (const a of context.attachments) {
      const entry = listed.find((e) => e.n === a.n) ?? {}
      const size = a.size ?? (typeof entry.size === 'number' ? entry.size : NaN)
      push(
        `| ${a.n + 1} | ${cell(str(entry.label))} | ${a.fileName ? cell(a.fileName) : '—'} | ${cell(str(entry.name))} | ${formatBytes(size)} | ${INTEGRITY_TEXT[a.integrity]} |`,
      )
    }
    push('', '完整性校验：每个附件解密时都逐块验证了认证码，被改动过的文件无法解密；解密得到的大小（旧版举报还有举报人手机在加密前算出的 SHA-256 指纹）再与举报中的记录比较。“一致”说明文件与举报人手机加密发送的完全相同。')
    if (context.attachments.some((a) => a.fileName && a.fileName !== str(listed.find((e) => e.n === a.n)?.name))) {
      push('导出的文件名与举报人手机上的文件名不同之处，是为安全起见做的修改（去掉路径和特殊字符、避免重名，可执行文件的扩展名后加“_”以免误运行）；文件内容没有改动。')
    }
    push('', '各附件解密后的 SHA-256 指纹：', '')
    for (const a of context.attachments) {
      if (a.sha256) push(`- ${a.n + 1}. ${a.fileName ? mdEscapeLine(a.fileName) : '—'}：${mdCode(a.sha256)}`)
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
