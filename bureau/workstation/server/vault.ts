/**
 * Everything the workstation knows once unlocked, in this process's memory only: the private
 * keys, the decrypted reports, the search text, decrypted files. lock() drops all of it and zeroes
 * the buffers it owns (a KeyObject cannot be zeroed from JavaScript: it is dropped, and the raw
 * key bytes this process read are zeroed right after import). Nothing here is written to disk.
 */
import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { EnvelopeError, openObject, type BureauKeyPair, type EnvelopeHeader } from '../../../server/src/envelope'
import { LIMITS } from '../../../server/src/limits'
import { detectFileType, SNIFF_BYTES } from '../../../src/domain/file-type'
import type { BureauClient } from '../../remote'
import type { CaseProblem, CaseReport, CaseRow, FileInfo, PublicStatus } from '../shared/types'
import { decryptReport, searchText } from './report'
import { checkCaseMeta, type RemoteCase } from './untrusted'

export interface CaseEntry {
  meta: RemoteCase
  report?: CaseReport
  /** The decrypted JSON, for report.json in an export. */
  raw?: unknown
  problem?: CaseProblem
  search: string
  /** The search text without spaces and dashes (phone numbers typed either way), made on first use. */
  compact?: string
  /** A legacy case's reply key as registered with the server (unverified), read with the conversation. */
  serverReplyKey?: Buffer
  /** Case channel bookkeeping, filled when the conversation is loaded. */
  unreadMessages: number
  newMaterial: number
  firstReplyAt: number | null
}

export interface DecryptedFile {
  info: FileInfo
  bytes?: Buffer
  /** The MIME type of what the bytes are (magic numbers), for inline pictures and PDFs. */
  mime?: string
}

const MAX_FILE_CACHE = 256 * 1024 * 1024
const BATCH = 200
/** Report batches requested at once while loading. */
const FETCH_AHEAD = 3

/** How the last load went, for npm run bench:workstation. */
export interface LoadTimings {
  listMs: number
  decryptMs: number
  totalMs: number
  requests: number
}

export class Vault {
  keys: BureauKeyPair[] = []
  cases = new Map<string, CaseEntry>()
  private files = new Map<string, DecryptedFile>()
  private fileBytes = 0
  /** Cases the server sent that the workstation refused (malformed metadata). */
  refused: string[] = []
  loadedAt = 0
  /** Why the last load from the server failed (plain Chinese), until one succeeds. */
  loadError: string | undefined
  timings: LoadTimings | undefined

  get unlocked(): boolean {
    return this.keys.length > 0
  }

  unlock(keys: BureauKeyPair[]): void {
    this.lock()
    this.keys = keys
  }

  lock(): void {
    this.keys = []
    for (const f of this.files.values()) f.bytes?.fill(0)
    this.files.clear()
    this.fileBytes = 0
    this.cases.clear()
    this.refused = []
    this.loadError = undefined
  }

  private pending: Promise<void> | undefined

  /**
   * Lists every case the token sees and decrypts each report (in batches). The page may ask for
   * the inbox while this runs (it sees "unlocked" at once): `settled()` waits for it.
   */
  load(client: BureauClient): Promise<void> {
    const p = this.loadAll(client)
    this.pending = p
    return p.finally(() => {
      if (this.pending === p) this.pending = undefined
    })
  }

  /** Resolves once no load is running (whatever its outcome). */
  async settled(): Promise<void> {
    await this.pending?.catch(() => undefined)
  }

  private async loadAll(client: BureauClient): Promise<void> {
    const t0 = performance.now()
    const metas: RemoteCase[] = []
    const refused: string[] = []
    let after: string | null = null
    for (let page = 0; page < 1000; page++) {
      const body = (await client.json(`/bureau/v1/cases?limit=1000${after ? `&after=${after}` : ''}`)) as { cases?: unknown; next?: unknown }
      const list = Array.isArray(body?.cases) ? body.cases : []
      for (const c of list) {
        const checked = checkCaseMeta(c)
        if (typeof checked === 'string') refused.push(checked)
        else metas.push(checked)
      }
      after = typeof body?.next === 'string' && /^[0-9a-f]{32}$/.test(body.next) ? body.next : null
      if (!after) break
    }
    const listMs = performance.now() - t0
    const keys = this.keys
    const entries: CaseEntry[][] = []
    let decryptMs = 0
    // The report objects in batches, FETCH_AHEAD requests in flight: while the server reads one
    // batch, this process decrypts the one that arrived (a serial loop left each side idle half the time).
    const batches: RemoteCase[][] = []
    for (let i = 0; i < metas.length; i += BATCH) batches.push(metas.slice(i, i + BATCH))
    let nextBatch = 0
    const worker = async (): Promise<void> => {
      for (let b = nextBatch++; b < batches.length; b = nextBatch++) {
        const slice = batches[b]
        const body = (await client.json('/bureau/v1/reports', { method: 'POST', body: { ids: slice.map((m) => m.id) } })) as { reports?: unknown }
        if (this.keys !== keys) return // locked meanwhile: decrypt nothing more
        const d0 = performance.now()
        entries[b] = this.openBatch(slice, body?.reports, keys)
        decryptMs += performance.now() - d0
      }
    }
    await Promise.all(Array.from({ length: Math.min(FETCH_AHEAD, batches.length) }, worker))
    if (this.keys !== keys) return // locked meanwhile: keep nothing
    const cases = new Map<string, CaseEntry>()
    for (const batch of entries) for (const e of batch) cases.set(e.meta.id, e)
    this.cases = cases
    this.refused = refused
    this.loadedAt = Date.now()
    this.loadError = undefined
    this.timings = { listMs, decryptMs, totalMs: performance.now() - t0, requests: Math.ceil(metas.length / 1000) + batches.length }
  }

  /** Decrypts one batch of report objects (hostile: unknown ids, non-strings, oversized ones are ignored). */
  private openBatch(slice: RemoteCase[], reports: unknown, keys: BureauKeyPair[]): CaseEntry[] {
    const objects = new Map<string, Buffer>()
    for (const r of Array.isArray(reports) ? reports : []) {
      const o = r as { id?: unknown; report?: unknown }
      if (typeof o?.id === 'string' && typeof o.report === 'string' && o.report.length <= LIMITS.maxReportBytes * 2) objects.set(o.id, Buffer.from(o.report, 'base64'))
    }
    return slice.map((meta) => {
      const object = objects.get(meta.id)
      const entry: CaseEntry = { meta, search: '', unreadMessages: 0, newMaterial: 0, firstReplyAt: null }
      if (!object) entry.problem = { kind: 'damaged', message: '服务器没有返回这条举报的内容。' }
      else {
        const opened = decryptReport(meta.header as EnvelopeHeader, object, keys)
        if (opened.ok) {
          entry.report = opened.report
          entry.raw = opened.raw
          entry.search = searchText(opened.report)
        } else entry.problem = opened.problem
      }
      return entry
    })
  }

  row(e: CaseEntry): CaseRow {
    const m = e.meta
    const reportBranch = e.report?.branch || null
    return {
      id: m.id,
      receivedAt: m.receivedAt,
      branch: reportBranch ?? m.branch,
      serverBranch: reportBranch && m.branch !== reportBranch ? m.branch : null,
      category: e.report?.category || null,
      status: m.status,
      statusChangedAt: m.statusChangedAt,
      publicNote: m.publicNote,
      attachments: m.attachments.length,
      notes: m.notes,
      readAt: m.readAt,
      unreadMessages: e.unreadMessages,
      newMaterial: e.newMaterial,
      firstReplyAt: e.firstReplyAt,
      kid: m.header.kid,
      envelope: m.header.v,
      ...(e.problem ? { problem: e.problem } : {}),
      summary: e.report ? e.report.description.slice(0, 80) : '',
    }
  }

  /** Case ids whose decrypted content contains the query (digits also match across spaces and dashes). */
  search(query: string): string[] {
    const q = query.normalize('NFKC').toLowerCase().trim()
    if (!q) return [...this.cases.keys()]
    const digits = q.replace(/[\s-]/g, '')
    const numeric = /^\+?\d{4,}$/.test(digits)
    const out: string[] = []
    for (const [id, e] of this.cases) {
      if (e.search.includes(q) || (numeric && (e.compact ??= e.search.replace(/[\s-]/g, '')).includes(digits))) out.push(id)
    }
    return out
  }

  setStatus(id: string, status: PublicStatus, publicNote: string | null, changedAt: number): void {
    const e = this.cases.get(id)
    if (e) Object.assign(e.meta, { status, publicNote, statusChangedAt: changedAt })
  }

  /** Decrypts (once) attachment n of a case, checks it against the report, and keeps it in memory. */
  async file(client: BureauClient, id: string, n: number): Promise<DecryptedFile> {
    const cacheKey = `${id}/${n}`
    const cached = this.files.get(cacheKey)
    if (cached) return cached
    const e = this.cases.get(id)
    if (!e) throw new Error('no such case')
    const declared = e.meta.attachments.find((a) => a.n === n)
    const listed = e.report?.attachments.find((a) => a.n === n)
    const base: FileInfo = {
      n,
      label: listed?.label ?? '其他',
      name: listed?.name ?? `附件 ${n + 1}`,
      claimedMime: listed?.mime ?? '',
      size: listed?.size ?? 0,
      detected: '',
      view: 'download',
      integrity: 'missing',
    }
    if (!declared) {
      return { info: { ...base, message: '举报中列出了这个附件，但服务器上没有它。' } }
    }
    const keys = this.keys
    let plaintext: Buffer
    try {
      const object = await client.bytes(`/bureau/v1/cases/${id}/attachments/${n}`, Math.min(declared.size, LIMITS.maxAttachmentBytes + 1024))
      plaintext = openObject({ header: e.meta.header as EnvelopeHeader, privateKey: keys, label: `attachment/${n}`, object })
    } catch (err) {
      if (err instanceof EnvelopeError) {
        return { info: { ...base, integrity: 'failed', message: '附件已损坏，未通过完整性校验（服务器上的数据被改动或损坏）。其他内容不受影响。' } }
      }
      throw err
    }
    if (this.keys !== keys) {
      plaintext.fill(0)
      throw new Error('locked')
    }
    const sha256 = createHash('sha256').update(plaintext).digest('hex')
    const kind = detectFileType(plaintext.subarray(0, SNIFF_BYTES))
    const image = ['jpeg', 'png', 'gif', 'webp', 'bmp'].includes(kind.kind)
    let integrity: FileInfo['integrity'] = 'aead'
    let message: string | undefined
    if (e.meta.header.v === 1 || listed?.sha256) {
      integrity = listed?.sha256 === sha256 ? 'sha256-match' : 'sha256-mismatch'
      if (integrity === 'sha256-mismatch') message = '附件与举报中记录的 SHA-256 指纹不一致：内容可能被替换，请谨慎使用。'
    }
    if (listed && listed.size !== plaintext.length) {
      integrity = integrity === 'aead' ? 'sha256-mismatch' : integrity
      message = `附件大小（${plaintext.length} 字节）与举报中记录的（${listed.size} 字节）不一致。`
    }
    const file: DecryptedFile = {
      info: { ...base, size: plaintext.length, detected: kind.label, view: image ? 'image' : kind.kind === 'pdf' ? 'pdf' : 'download', sha256, integrity, ...(message ? { message } : {}) },
      bytes: plaintext,
      mime: kind.mime,
    }
    this.files.set(cacheKey, file)
    this.fileBytes += plaintext.length
    for (const [k, f] of this.files) {
      if (this.fileBytes <= MAX_FILE_CACHE) break
      if (k === cacheKey) continue
      this.fileBytes -= f.bytes?.length ?? 0
      f.bytes?.fill(0)
      this.files.delete(k)
    }
    return file
  }
}
