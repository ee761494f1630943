/**
 * Opens a report object with the unlocked keys (the existing decryptor, server/src/envelope) and
 * turns the hostile plaintext into a CaseReport: every value a bounded string, unknown members
 * dropped, categories' field labels from src/domain. Rendering is React text only, so HTML and
 * script in a report stay text; the bounds keep enormous fields from freezing the page.
 */
import { EnvelopeError, openObject, type BureauKeyPair, type EnvelopeHeader } from '../../../server/src/envelope'
import { findCategory } from '../../../src/domain/categories'
import { READABLE_REPORT_SCHEMAS } from '../../../src/domain/report-plaintext'
import type { CaseProblem, CaseReport } from '../shared/types'

/** Characters shown per field; longer text is cut for the page (the export keeps it whole). */
export const FIELD_LIMIT = 20_000
const SHORT_LIMIT = 500

export type Opened = { ok: true; report: CaseReport; raw: unknown } | { ok: false; problem: CaseProblem }

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

export function decryptReport(header: EnvelopeHeader, object: Buffer, keys: readonly BureauKeyPair[]): Opened {
  if (!keys.some((k) => k.kid === header.kid)) {
    return {
      ok: false,
      problem: { kind: 'wrong-key', kid: header.kid, message: `这条举报是用编号为 ${header.kid} 的密钥加密的，当前解锁的私钥打不开它。请用该密钥文件（bureau-${header.kid}.key.json）再解锁一次；其他举报不受影响。` },
    }
  }
  let plaintext: Buffer
  try {
    plaintext = openObject({ header, privateKey: keys, label: 'report', object })
  } catch (e) {
    if (e instanceof EnvelopeError && e.code === 'UNKNOWN_KID') {
      return { ok: false, problem: { kind: 'wrong-key', kid: header.kid, message: `没有编号为 ${header.kid} 的私钥，无法解密这条举报。` } }
    }
    return { ok: false, problem: { kind: 'damaged', message: '举报内容已损坏，未通过完整性校验（服务器上的数据被改动或损坏）。请联系管理员从备份恢复。' } }
  }
  let raw: unknown
  try {
    raw = JSON.parse(plaintext.toString('utf8'))
  } finally {
    plaintext.fill(0)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problem: { kind: 'damaged', message: '解密后的举报内容不是有效的数据（发送方程序有缺陷）。' } }
  }
  return { ok: true, report: toCaseReport(raw as Record<string, unknown>), raw }
}

export function toCaseReport(r: Record<string, unknown>): CaseReport {
  const truncated: string[] = []
  const text = (name: string, v: unknown, limit = FIELD_LIMIT): string => {
    const s = typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''
    if (s.length > limit) {
      truncated.push(name)
      return `${s.slice(0, limit)}…`
    }
    return s
  }
  const party = obj(r.party)
  const reporter = obj(r.reporter)
  const declaration = obj(r.declaration)
  const extraIn = obj(r.extra)
  const category = text('category', r.category, 40)
  const known = findCategory(category)?.fields ?? []
  const extra: CaseReport['extra'] = []
  for (const f of known) if (f.key in extraIn) extra.push({ key: f.key, label: f.label, value: text(f.label, extraIn[f.key]) })
  for (const [key, value] of Object.entries(extraIn).slice(0, 50)) {
    if (!known.some((f) => f.key === key)) extra.push({ key: text('key', key, 60), label: `其他字段 ${text('key', key, 60)}`, value: text(key, value) })
  }
  const links = (Array.isArray(r.links) ? r.links : []).slice(0, 100).map((l, i) => text(`link ${i + 1}`, l, 4000))
  const attachments = (Array.isArray(r.attachments) ? r.attachments : []).slice(0, 100).map((a) => {
    const o = obj(a)
    return {
      n: Number.isSafeInteger(o.n) ? (o.n as number) : -1,
      label: text('label', o.label, 20),
      name: text('name', o.name, SHORT_LIMIT),
      mime: text('mime', o.mime, 200),
      size: Number.isSafeInteger(o.size) && (o.size as number) >= 0 ? (o.size as number) : 0,
      ...(typeof o.sha256 === 'string' && /^[0-9a-f]{64}$/.test(o.sha256) ? { sha256: o.sha256 } : {}),
    }
  })
  const schema = text('schema', r.schema, 100)
  return {
    schema: READABLE_REPORT_SCHEMAS.includes(schema) ? schema : `未知格式 ${schema}`,
    category,
    branch: text('branch', r.branch, 40),
    happenedAt: text('happenedAt', r.happenedAt, 40),
    description: text('受害经过', r.description),
    links,
    party: { accounts: text('对方账号', party.accounts), phones: text('对方电话', party.phones), websites: text('对方网站/App', party.websites) },
    extra,
    reporter: { anonymous: reporter.anonymous !== false, name: text('姓名', reporter.name, SHORT_LIMIT), mobile: text('手机', reporter.mobile, SHORT_LIMIT), idNumber: text('身份证号', reporter.idNumber, 40) },
    declaredAt: text('declaredAt', declaration.declaredAt, 40),
    attachments,
    truncated,
  }
}

/** Search text: the decrypted content staff look things up by, normalized (NFKC, lower case). */
export function searchText(r: CaseReport): string {
  return [r.description, ...r.links, r.party.accounts, r.party.phones, r.party.websites, ...r.extra.map((e) => e.value), r.reporter.name, r.reporter.mobile]
    .join('\n')
    .normalize('NFKC')
    .toLowerCase()
}
