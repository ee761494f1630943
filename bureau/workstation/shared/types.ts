/**
 * What the workstation's local server sends its page (JSON over loopback, session cookie only).
 * Decrypted content appears here and nowhere on disk. Shared by server/ and web/.
 */
import type { PublicStatus } from '../../../src/domain/status'

export type { PublicStatus }

/** One decrypted report as the page shows it: every value a string or a list of strings, already bounded. */
export interface CaseReport {
  schema: string
  category: string
  branch: string
  happenedAt: string
  description: string
  links: string[]
  party: { accounts: string; phones: string; websites: string }
  /** Category fields, in the order the campaign lists them, then any unknown ones. */
  extra: { key: string; label: string; value: string }[]
  reporter: { anonymous: boolean; name: string; mobile: string; idNumber: string }
  declaredAt: string
  attachments: { n: number; label: string; name: string; mime: string; size: number; sha256?: string }[]
  /** Fields cut to the display limit (the export keeps everything). */
  truncated: string[]
}

export type CaseProblem =
  /** No unlocked key has this kid. */
  | { kind: 'wrong-key'; kid: string; message: string }
  /** The ciphertext fails authentication, or the plaintext is not a report. */
  | { kind: 'damaged'; message: string }

export interface CaseRow {
  id: string
  receivedAt: number
  /** Branch code from the decrypted report (the server's declared one when it cannot be opened). */
  branch: string | null
  /** The server's declared branch, when it differs from the report's (shown as a warning). */
  serverBranch: string | null
  category: string | null
  status: PublicStatus
  statusChangedAt: number
  publicNote: string | null
  attachments: number
  notes: number
  readAt: number | null
  /** Resident messages not yet marked read (case channel). */
  unreadMessages: number
  /** Resident messages carrying files, not yet read. */
  newMaterial: number
  firstReplyAt: number | null
  kid: string
  envelope: 1 | 2
  problem?: CaseProblem
  /** First characters of the description, for the table. */
  summary: string
}

export interface FileInfo {
  n: number
  label: string
  name: string
  claimedMime: string
  size: number
  /** What the bytes are (magic numbers), never what the report or server claims. */
  detected: string
  view: 'image' | 'pdf' | 'download'
  /** SHA-256 of the decrypted bytes: the evidence fingerprint. */
  sha256?: string
  integrity: 'aead' | 'sha256-match' | 'sha256-mismatch' | 'failed' | 'missing'
  message?: string
}

export interface NoteView {
  id: string
  author: string
  writtenAt: string
  text: string
  problem?: string
}

export interface MessageView {
  msgId: string
  from: 'resident' | 'bureau'
  at: number
  writtenAt?: string
  text: string
  requestsMaterial: boolean
  state: string
  attachments: { n: number; label: string; name: string; size: number }[]
  readByBureau: boolean
  problem?: string
  /** A reply kept on the workstation while it could not be sent. */
  pending?: boolean
}

export interface AuditView {
  seq: number
  at: number
  tokenName: string
  action: string
  caseId: string | null
  detail: string | null
}

export interface SessionState {
  /** Connection settings saved (API address and token). */
  configured: boolean
  server?: string
  /** https: the file paths of the pinned CA and the client certificate and key (mTLS), as saved. */
  tls?: { ca?: string; clientCert?: string; clientKey?: string }
  tokenName?: string
  branches?: string[]
  unlocked: boolean
  kids: string[]
  idleMs: number
  /** Last error of the connection, in Chinese. */
  connectionError?: string
}

export interface StatsView {
  weeks: string[]
  categories: { code: string; name: string }[]
  /** perWeek[categoryIndex][weekIndex] */
  perWeek: number[][]
  byBranch: { code: string; name: string; count: number }[]
  byStatus: { status: PublicStatus; name: string; count: number }[]
  firstReply: { replied: number; unanswered: number; medianHours: number | null; buckets: { label: string; count: number }[] }
  total: number
}

/** GET /api/cases: one page of the inbox, searched, filtered and sorted by the workstation process. */
export interface CasesAnswer {
  /** The search this answers (the page shows an answer only for what is typed now). */
  q: string
  rows: CaseRow[]
  /** Cases matching the search and filters, over every page. */
  matched: number
  page: number
  pageSize: number
  refused: string[]
  searchMs: number
  /** Search, filters, sort and paging together. */
  queryMs: number
  loadedAt: number
  total: number
  /** How the last load from the server went (npm run bench:workstation prints it). */
  load?: { listMs: number; decryptMs: number; totalMs: number; requests: number }
  /** Why the cases could not be (re)loaded from the server. */
  loadError?: string
  /** Kept replies that could not be sent again (a damaged spool file, a case not here). */
  spoolWarnings?: string[]
}
