/**
 * The server's data directory is hostile input for the bureau tools: it may be a copy from a seized
 * or compromised server, altered to make the bureau's offline machine delete or overwrite files.
 * Every id, number and name read from the database is checked against the patterns the server
 * itself enforces before any of it becomes part of a path, and every path written or removed is
 * resolved and refused unless it is a direct child of the folder it must be in.
 */
import fs from 'node:fs'
import path from 'node:path'
import { LIMITS, isCiphertextSize } from '../server/src/limits'
import { PUBLIC_STATUSES, type Submission } from '../server/src/repository'
import { SUITE_V1, SUITE_V2 } from '../server/src/envelope'
import { SUBMISSION_ID_PATTERN } from '../server/src/routes/submissions'
import { CliError } from './errors'

const ID = new RegExp(SUBMISSION_ID_PATTERN)
const KID = /^[0-9a-f]{16}$/
const SHA256 = /^[0-9a-f]{64}$/
const CRC32 = /^[0-9a-f]{8}$/
/** As the bureau API's branch filter (server/src/bureau-api/routes/cases.ts). */
const BRANCH = /^[a-z0-9_-]{1,32}$/
const SUITES: Record<number, string> = { 1: SUITE_V1, 2: SUITE_V2 }
/** Epoch ms from 2000 to 2200: anything else is not a time the server wrote. */
const isTime = (t: unknown): t is number => typeof t === 'number' && Number.isSafeInteger(t) && t >= 946_684_800_000 && t < 7_258_118_400_000

/** A record the tools refuse to use, with a printable form of its id. */
export interface InvalidRecord {
  shownId: string
  problem: string
}

/**
 * Text from the data directory made safe to print on a terminal: control characters, invisible
 * formatting characters and anything past `max` characters are escaped or cut.
 */
export function printable(value: unknown, max = 80): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)
  const escaped = [...s.slice(0, max * 2)]
    .map((ch) => (/[\p{L}\p{N}\p{P}\p{S} ]/u.test(ch) && !/[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/.test(ch) ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`))
    .join('')
  return escaped.length > max ? `${escaped.slice(0, max)}…(${s.length} chars)` : escaped
}

/** Why a stored submission cannot be trusted, or undefined when it is well-formed. */
export function storedSubmissionProblem(s: Submission): string | undefined {
  if (typeof s.id !== 'string' || !ID.test(s.id)) return 'its id is not 32 lowercase hex digits'
  const h = s.header as unknown as Record<string, unknown>
  if ((h?.v !== 1 && h?.v !== 2) || h.suite !== SUITES[h.v]) return 'its envelope version or suite is unknown'
  const v = h.v as 1 | 2
  if (typeof h.kid !== 'string' || !KID.test(h.kid)) return 'its key id is not 16 lowercase hex digits'
  if (typeof h.epk !== 'string' || h.epk.length !== 44) return 'its ephemeral key is malformed'
  if (!isTime(s.createdAt)) return 'its creation time is not a valid time'
  if (s.status !== null && !(PUBLIC_STATUSES as readonly unknown[]).includes(s.status)) return 'its status is unknown'
  if (s.publicNote !== null && (typeof s.publicNote !== 'string' || [...s.publicNote].length > LIMITS.maxPublicNote)) return 'its public note is malformed'
  if (s.branch !== null && (typeof s.branch !== 'string' || !BRANCH.test(s.branch))) return 'its branch code is malformed'
  if (s.acceptedAt !== null && !isTime(s.acceptedAt)) return 'its acceptance time is not a valid time'
  if (s.statusChangedAt !== null && !isTime(s.statusChangedAt)) return 'its status time is not a valid time'
  if (!Array.isArray(s.attachments) || s.attachments.length > LIMITS.maxAttachments) return 'its attachment list is malformed'
  let total = 0
  for (let i = 0; i < s.attachments.length; i++) {
    const a = s.attachments[i]
    if (a.n !== i) return `attachment ${i} has number ${printable(a.n, 20)}`
    if (!isCiphertextSize(a.size, v) || a.size > LIMITS.maxAttachmentBytes) return `attachment ${i} has an impossible size`
    // The declared upload checksum: CRC-32 for envelope v2, SHA-256 for v1.
    if (v === 2 ? typeof a.crc32 !== 'string' || !CRC32.test(a.crc32) || a.sha256 !== undefined : typeof a.sha256 !== 'string' || !SHA256.test(a.sha256)) {
      return `attachment ${i} has a malformed checksum`
    }
    total += a.size
  }
  if (total > LIMITS.maxSubmissionBytes) return 'its attachments are larger than the server accepts'
  if (!Number.isSafeInteger(s.reportSize) || s.reportSize > LIMITS.maxReportBytes) return 'its report object has an impossible size'
  return undefined
}

/** The submission when it is well-formed; a CliError naming the problem otherwise (a record the tools refuse). */
export function checkedSubmission(s: Submission): Submission {
  const problem = storedSubmissionProblem(s)
  if (problem) {
    throw new CliError(
      `举报 ${printable(s.id, 40)} 的记录不是服务器写入的格式（${problem}），可能被篡改，已拒绝处理。`,
      `The record of ${printable(s.id, 40)} is not in the form the server writes (${problem}); it may have been tampered with and was refused.`,
    )
  }
  return s
}

/** Splits stored submissions into the well-formed ones and the refused ones. */
export function partitionStored(subs: readonly Submission[]): { valid: Submission[]; invalid: InvalidRecord[] } {
  const valid: Submission[] = []
  const invalid: InvalidRecord[] = []
  for (const s of subs) {
    const problem = storedSubmissionProblem(s)
    if (problem) invalid.push({ shownId: printable(s.id), problem })
    else valid.push(s)
  }
  return { valid, invalid }
}

export class UnsafePathError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnsafePathError'
  }
}

/**
 * `parent/name` after checking that `name` is one plain path component and that the result is a
 * direct child of `parent`; throws UnsafePathError otherwise. Every path the export writes or
 * removes goes through here.
 */
export function childPath(parent: string, name: string): string {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name) || Buffer.byteLength(name) > 255) {
    throw new UnsafePathError(`refused the path component ${printable(name)}`)
  }
  const base = path.resolve(parent)
  const full = path.resolve(base, name)
  if (path.dirname(full) !== base || path.basename(full) !== name) throw new UnsafePathError(`refused the path ${printable(full)}`)
  return full
}

/**
 * The blob file to read, if it is a plain file of the declared size inside the blob store (not a
 * symbolic link out of it, a FIFO that would block, or a device).
 */
export function checkBlobFile(file: string, blobsRoot: string, size: number): string | undefined {
  let st: fs.Stats
  try {
    st = fs.lstatSync(file)
  } catch {
    return 'missing'
  }
  if (!st.isFile()) return 'not a regular file'
  const real = fs.realpathSync(file)
  const rel = path.relative(fs.realpathSync(blobsRoot), real)
  if (rel.startsWith('..') || path.isAbsolute(rel)) return 'outside the blob store'
  if (st.size !== size) return `${st.size} bytes instead of the declared ${size}`
  return undefined
}
