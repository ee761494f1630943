/**
 * The report object's plaintext (docs/protocol.md §7, and §5.5 for what envelope v2 changed):
 * what the bureau reads after decryption. Pure; the submit flow serializes it with
 * encodeReportPlaintext and encrypts it as "report".
 */
import type { AttachmentLabel, CategoryCode, DraftReport, ReportedParty, ReporterPart } from './types'
import { utf8Encode } from '../crypto/bytes'

/**
 * @3 (current, envelope v2): as @2, but attachment entries carry no `sha256`: each attachment
 * object is authenticated chunk by chunk under a key only this report's sender and the bureau can
 * derive, which already proves it is the file the phone encrypted (the bureau records the
 * fingerprint after decrypting). @2: `happenedAt` is "YYYY-MM-DD" when the resident gave only a
 * date, or "YYYY-MM-DDTHH:mm". @1 (older phones) always had a time, "T00:00" when none was chosen.
 */
export const REPORT_SCHEMA = 'clue-report/report@3' as const

/** Every report schema the bureau tools read. */
export const READABLE_REPORT_SCHEMAS: readonly string[] = ['clue-report/report@1', 'clue-report/report@2', REPORT_SCHEMA]

/** Schemas whose attachment entries list the SHA-256 of each file (made with envelope v1). */
export const HASH_LISTING_SCHEMAS: readonly string[] = ['clue-report/report@1', 'clue-report/report@2']

const ATTACHMENT_LABELS: readonly AttachmentLabel[] = ['截图', '交易记录', '其他']

/** One evidence file as the report lists it; n is also its object label "attachment/<n>". */
export interface ReportAttachmentEntry {
  n: number
  label: AttachmentLabel
  /** The file name the resident chose, as given. */
  name: string
  mime: string
  /** Plaintext size in bytes. */
  size: number
}

export interface ReportPlaintext {
  schema: typeof REPORT_SCHEMA
  /** The draft id, random; also names the report in the resident's own history. */
  id: string
  createdAt: string
  updatedAt: string
  category: CategoryCode
  /** BranchOffice.code of the office the resident chose. */
  branch: string
  /** "YYYY-MM-DD" (date only: the resident gave no time) or "YYYY-MM-DDTHH:mm", local time. */
  happenedAt: string
  description: string
  links: string[]
  party: ReportedParty
  extra: Record<string, string>
  /** When anonymous, name, mobile and idNumber are always empty strings. */
  reporter: ReporterPart
  declaration: { truthful: true; liability: true; declaredAt: string }
  attachments: ReportAttachmentEntry[]
  /**
   * base64 of the resident's reply key D (docs/protocol.md §7, §18.2): how the bureau learns the key
   * its replies are encrypted to, from inside the report and never from the server. Every phone
   * with the case channel sets it; a report without it was made before the channel.
   */
  replyKey?: string
}

/**
 * Builds the plaintext from a draft ready to send. Storage references (attachment ids and refs)
 * stay on the phone. Throws when the draft is not submittable, rather than send half a report.
 */
export function toReportPlaintext(draft: DraftReport, attachments: ReportAttachmentEntry[], declaredAt: string, replyKey?: string): ReportPlaintext {
  if (!draft.category) throw new Error('report has no category')
  if (!draft.branch) throw new Error('report has no branch office')
  if (!draft.declaration.truthful || !draft.declaration.liability) throw new Error('report declaration is not confirmed')
  if (typeof declaredAt !== 'string' || declaredAt === '') throw new Error('report has no declaration time')
  if (replyKey !== undefined && !/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(replyKey)) throw new Error('reply key must be the base64 of 32 bytes')

  if (attachments.length !== draft.attachments.length) {
    throw new Error(`report lists ${attachments.length} attachments but the draft has ${draft.attachments.length}`)
  }
  attachments.forEach((a, index) => {
    if (a.n !== index) throw new Error(`attachment numbers must be 0, 1, 2, … in order; got ${a.n} at position ${index}`)
    if (!ATTACHMENT_LABELS.includes(a.label)) throw new Error(`attachment ${index} has unknown label ${String(a.label)}`)
    if (!Number.isSafeInteger(a.size) || a.size < 0) throw new Error(`attachment ${index} has invalid size ${a.size}`)
    if (typeof a.name !== 'string' || typeof a.mime !== 'string') throw new Error(`attachment ${index} has no name or MIME type`)
  })

  // The resident chose anonymity: drop identity fields they may have typed before choosing it.
  const reporter: ReporterPart = draft.reporter.anonymous
    ? { anonymous: true, name: '', mobile: '', idNumber: '' }
    : { anonymous: false, name: draft.reporter.name, mobile: draft.reporter.mobile, idNumber: draft.reporter.idNumber }

  return {
    schema: REPORT_SCHEMA,
    id: draft.id,
    createdAt: draft.createdAt,
    updatedAt: draft.updatedAt,
    category: draft.category,
    branch: draft.branch,
    happenedAt: draft.happenedAt,
    description: draft.description,
    links: [...draft.links],
    party: { accounts: draft.party.accounts, phones: draft.party.phones, websites: draft.party.websites },
    extra: { ...draft.extra },
    reporter,
    declaration: { truthful: true, liability: true, declaredAt },
    attachments: attachments.map(({ n, label, name, mime, size }) => ({ n, label, name, mime, size })),
    ...(replyKey !== undefined ? { replyKey } : {}),
  }
}

/** UTF-8 JSON, the bytes encrypted as the "report" object. */
export function encodeReportPlaintext(report: ReportPlaintext): Uint8Array {
  return utf8Encode(JSON.stringify(report))
}
