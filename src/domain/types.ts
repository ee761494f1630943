/**
 * The report's data model, shared by the pages, the draft store, the envelope and (by JSON) the
 * server and bureau tools. Codes are stable: they appear in QR codes and on the wire.
 */

/** Stable short codes of the eight categories of the notice, (一)–(八). */
export type CategoryCode = 'nude' | 'loan' | 'claim' | 'smear' | 'troll' | 'collect' | 'mlm' | 'other'

/** A category-specific input the police asked for. Every optional field accepts "不清楚". */
export interface CategoryField {
  /** Stable key inside `ReportDetails.extra`. */
  key: string
  label: string
  placeholder?: string
  /** `links`: links only, one per line; `namesOrLinks`: App or website names, links where written as links. */
  kind: 'text' | 'multiline' | 'amount' | 'phones' | 'links' | 'namesOrLinks'
  required?: boolean
}

export interface Category {
  code: CategoryCode
  /** (一) … (八) as in the notice. */
  ordinal: string
  name: string
  /** The notice's own description, verbatim. */
  description: string
  /** What evidence helps the police most for this category. */
  evidenceGuidance: string
  fields: CategoryField[]
}

export interface BranchOffice {
  /** Stable short code used in QR codes and on the wire. */
  code: string
  name: string
  /** Number in the notice's list, e.g. "十四"; absent for the issuer. */
  listNumber?: string
  address?: string
  postcode?: string
  phone?: string
}

export interface CampaignInfo {
  /**
   * Stable id of the campaign (lowercase letters, digits, "-"): part of the case KDF's salt
   * (docs/protocol.md §18.1), so it never changes once reports exist. Optional only for
   * configurations served by older servers; the bundled one has it.
   */
  id?: string
  issuer: string
  title: string
  /** ISO date (YYYY-MM-DD). */
  issuedOn: string
  /** ISO date (YYYY-MM-DD), last day of the campaign. */
  endsOn: string
  /** Whether reports are still accepted after `endsOn`. */
  acceptAfterEnd: boolean
  source: string
}

export interface BureauKey {
  kid: string
  /** base64 of the 32-byte X25519 public key. */
  publicKey: string
  /** The key new reports are encrypted to. Exactly one key is current. */
  current: boolean
  /** Marks the development key shipped in the repository; production refuses it. */
  development?: boolean
}

/**
 * The bureau's Ed25519 signing key (docs/protocol.md §14): the trust anchor built into the app at
 * build time. The app never takes it from the server.
 */
export interface SigningKeyInfo {
  kid: string
  /** base64 of the 32-byte Ed25519 public key. */
  publicKey: string
  /** Marks the development signing key shipped in the repository; release builds refuse it. */
  development?: boolean
}

/** The campaign configuration the bureau edits (campaign/campaign.json) and GET /api/v1/config serves. */
export interface CampaignConfig {
  version: number
  campaign: CampaignInfo
  categories: CategoryCode[]
  branches: BranchOffice[]
  /** The trust anchor (build input; optional for configurations served by older servers). */
  signingKey?: SigningKeyInfo
  /** The bundled key list (sequence 0): what the app encrypts to until it accepts a signed list. */
  keys: BureauKey[]
}

export type AttachmentLabel = '截图' | '交易记录' | '其他'

/** An evidence file as the draft keeps it; the bytes live in platform file storage, not here. */
export interface DraftAttachment {
  /** Random id, also the name of the stored file. */
  id: string
  label: AttachmentLabel
  name: string
  mime: string
  size: number
  /** Platform storage reference (user-data path on weapp, IndexedDB key on H5). */
  ref: string
  /** What the first bytes showed (src/domain/file-type.ts FileKind); absent in drafts made before it was kept. */
  kind?: string
}

export interface ReportedParty {
  accounts: string
  phones: string
  websites: string
}

export interface ReporterPart {
  anonymous: boolean
  name: string
  mobile: string
  idNumber: string
}

export interface DraftReport {
  id: string
  createdAt: string
  updatedAt: string
  category?: CategoryCode
  branch?: string
  /**
   * When it happened, local time: "YYYY-MM-DD" when the resident gave only a date (no time is
   * made up), "YYYY-MM-DDTHH:mm" with a time; '' before either is chosen.
   */
  happenedAt: string
  description: string
  links: string[]
  party: ReportedParty
  /** Category-specific answers, keyed by `CategoryField.key`. */
  extra: Record<string, string>
  attachments: DraftAttachment[]
  reporter: ReporterPart
  declaration: { truthful: boolean; liability: boolean; declaredAt?: string }
}
