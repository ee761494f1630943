/**
 * Request and response shapes of the case endpoints (docs/server.md "Case channel"), declared once:
 * the routes validate with them, the OpenAPI document shows them, and the app (src/services) and
 * its tests follow them. Every case request carries `Case-Auth: <base64url of A, no padding, 43
 * characters>` (docs/protocol.md §18.4), never a 查询码 and never anything in the URL.
 */
import { LIMITS } from '../limits'

export const MESSAGE_ID_PATTERN = '^[0-9a-f]{32}$'
/** Canonical base64url of 32 bytes without padding. */
export const CASE_AUTH_PATTERN = '^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$'
const KID_PATTERN = '^[0-9a-f]{16}$'
const CRC32_PATTERN = '^[0-9a-f]{8}$'

/** Length of the base64 text of n bytes. */
const base64Length = (n: number) => Math.ceil(n / 3) * 4

export const caseAuthHeaders = {
  type: 'object',
  properties: { 'case-auth': { type: 'string', description: 'base64url (no padding) of the 32-byte case authenticator A' } },
} as const

export const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const
/** POST bodies with nothing to say: absent, or {}. */
export const emptyBody = { type: 'object', additionalProperties: false, properties: {} } as const

export const messageIdParam = {
  type: 'object',
  required: ['msgId'],
  properties: { msgId: { type: 'string', pattern: MESSAGE_ID_PATTERN, description: 'Message id (32 hex digits, chosen by its sender)' } },
} as const

export const messageAttachmentParams = {
  type: 'object',
  required: ['msgId', 'n'],
  properties: {
    msgId: { type: 'string', pattern: MESSAGE_ID_PATTERN, description: 'Message id' },
    n: { type: 'string', pattern: '^(0|[1-9][0-9]?)$', description: 'Added file number, 0-based' },
  },
} as const

export const caseHeaderSchema = {
  $id: 'CaseMessageHeader',
  type: 'object',
  additionalProperties: false,
  required: ['t', 'v', 'suite', 'kid', 'rkid', 'epk'],
  description: 'docs/protocol.md §19.2',
  properties: {
    t: { type: 'string', enum: ['case-message'] },
    v: { type: 'integer', enum: [1] },
    suite: { type: 'string', enum: ['x25519-hkdf-sha256-chacha20poly1305-stream64k-padme'] },
    kid: { type: 'string', pattern: KID_PATTERN, description: 'kid of the bureau key B' },
    rkid: { type: 'string', pattern: KID_PATTERN, description: 'kid of the reply key D' },
    epk: { type: 'string', maxLength: 64, description: 'base64 of the ephemeral public key E' },
  },
} as const

const iso = { type: 'string', description: 'ISO 8601 (UTC), to the minute' } as const
const from = { type: 'string', enum: ['resident', 'bureau'] } as const
const messageState = { type: 'string', enum: ['open', 'accepted'], description: 'open: added files still uploading (resident messages only)' } as const

/** One entry of the conversation, without content. */
export const caseMessageSummary = {
  $id: 'CaseMessageSummary',
  type: 'object',
  required: ['msgId', 'seq', 'from', 'at', 'state', 'size', 'attachments'],
  properties: {
    msgId: { type: 'string' },
    seq: { type: ['integer', 'null'], description: "The server's order in the case, from 1 (null while open)" },
    from,
    at: { ...iso, description: 'Accepted at (created at while open)' },
    state: messageState,
    size: { type: 'integer', description: "Bytes of the object addressed to the resident (a bureau message, or the resident's copy)" },
    attachments: { type: 'integer', description: 'Number of added files' },
  },
} as const

/** 200 of POST /api/v1/case. */
export const caseView = {
  $id: 'CaseView',
  type: 'object',
  required: ['caseId', 'status', 'changedAt', 'canWrite', 'legacy', 'replyKeyKnown', 'messages'],
  properties: {
    caseId: { type: 'string', description: 'The submission id (32 hex digits)' },
    status: { type: 'string', enum: ['received', 'reviewing', 'closed'] },
    changedAt: iso,
    note: { type: 'string', maxLength: LIMITS.maxPublicNote, description: 'Public note from the bureau, if any' },
    closedAt: { ...iso, description: 'When the case was closed (status closed only)' },
    writableUntil: { ...iso, description: 'Closed cases: replies and additions are taken until then' },
    canWrite: { type: 'boolean', description: 'Whether POST /api/v1/case/messages is open now' },
    legacy: { type: 'boolean', description: 'Opened with the legacy salt: the report was made before the case channel' },
    replyKeyKnown: { type: 'boolean', description: 'New cases: always true (the key is in the report). Legacy cases: registered with POST /api/v1/case/reply-key' },
    messages: { type: 'array', items: { $ref: 'CaseMessageSummary#' }, description: 'In seq order; open messages last' },
  },
} as const

/** 200 of GET /api/v1/case/messages/:msgId. */
export const caseMessageView = {
  $id: 'CaseMessageView',
  type: 'object',
  required: ['msgId', 'seq', 'from', 'at', 'state', 'header', 'object', 'attachments'],
  properties: {
    msgId: { type: 'string' },
    seq: { type: ['integer', 'null'] },
    from,
    at: iso,
    state: messageState,
    header: { $ref: 'CaseMessageHeader#' },
    object: { type: 'string', description: "base64 of the object addressed to the resident: a bureau message's main object, or a resident message's copy" },
    attachments: {
      type: 'array',
      items: { type: 'object', required: ['n', 'size'], properties: { n: { type: 'integer' }, size: { type: 'integer', description: 'Ciphertext bytes' } } },
    },
  },
} as const

/** POST /api/v1/case/messages. */
export const postMessageBody = {
  type: 'object',
  additionalProperties: false,
  required: ['msgId', 'header', 'message', 'copy', 'attachments'],
  properties: {
    msgId: { type: 'string', pattern: MESSAGE_ID_PATTERN, description: 'Chosen by the phone (16 random bytes, hex): also the idempotency key' },
    header: { $ref: 'CaseMessageHeader#' },
    message: { type: 'string', maxLength: base64Length(LIMITS.maxCaseObjectBytes), description: 'base64 of the object for the bureau (label case/<caseId>/message/<msgId>)' },
    copy: { type: 'string', maxLength: base64Length(LIMITS.maxCaseObjectBytes), description: "base64 of the resident's own copy (label …/copy)" },
    attachments: {
      type: 'array',
      maxItems: LIMITS.maxAttachments,
      description: 'Added file n is uploaded to …/attachments/n, encrypted under the label case/<caseId>/message/<msgId>/attachment/n',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['size', 'crc32'],
        properties: {
          size: { type: 'integer', minimum: 40, maximum: LIMITS.maxAttachmentBytes, description: 'Ciphertext bytes' },
          crc32: { type: 'string', pattern: CRC32_PATTERN, description: 'CRC-32 of the ciphertext, 8 hex digits' },
        },
      },
    },
  },
} as const

/** 201 / 200 of POST /api/v1/case/messages. */
export const postedMessageView = {
  $id: 'PostedCaseMessage',
  type: 'object',
  required: ['msgId', 'state', 'seq', 'expiresAt', 'attachments'],
  properties: {
    msgId: { type: 'string' },
    state: messageState,
    seq: { type: ['integer', 'null'] },
    expiresAt: { type: ['string', 'null'], description: 'Open messages: when they and their uploads are deleted if not finalized' },
    attachments: {
      type: 'array',
      items: {
        type: 'object',
        required: ['n', 'size', 'offset'],
        properties: { n: { type: 'integer' }, size: { type: 'integer' }, offset: { type: 'integer', description: 'Bytes durably received so far' } },
      },
    },
  },
} as const

/** 200 of POST /api/v1/case/messages/:msgId/finalize. */
export const finalizedMessageView = {
  type: 'object',
  required: ['msgId', 'state', 'seq', 'acceptedAt'],
  properties: { msgId: { type: 'string' }, state: { type: 'string', enum: ['accepted'] }, seq: { type: 'integer' }, acceptedAt: iso },
} as const

/** POST /api/v1/case/reply-key (legacy cases only). */
export const replyKeyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['replyKey'],
  properties: { replyKey: { type: 'string', maxLength: 64, description: "canonical base64 of the resident's reply key D' (32 bytes)" } },
} as const

export const replyKeyView = {
  type: 'object',
  required: ['replyKeyKnown'],
  properties: { replyKeyKnown: { type: 'boolean', enum: [true] } },
} as const

/** 200 of GET /api/v1/case/legacy-salt: what a phone needs to open a case made before the channel. */
export const legacySaltView = {
  type: 'object',
  required: ['salt', 'N', 'r', 'p', 'dkLen'],
  properties: {
    salt: { type: 'string', description: "base64 of the server's receipt salt (32 bytes)" },
    N: { type: 'integer', enum: [16384] },
    r: { type: 'integer', enum: [8] },
    p: { type: 'integer', enum: [1] },
    dkLen: { type: 'integer', enum: [64] },
  },
} as const

/**
 * Finalize of a submission: the receipt (old apps) or the authenticator (new apps: the 查询码 stays
 * on the phone); exactly one of them (checked by the route, so that an unknown member is still
 * UNKNOWN_FIELD).
 */
export const finalizeBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    receipt: { type: 'string', pattern: '^[0-9]{16}$', description: '查询码 (apps before the case channel)' },
    authenticator: { type: 'string', pattern: CASE_AUTH_PATTERN, description: 'base64url of A (docs/protocol.md §18): what new apps send' },
  },
} as const

// TypeScript forms of the bodies above, for the routes and the tests.
export interface CaseMessageHeaderBody {
  t: 'case-message'
  v: 1
  suite: string
  kid: string
  rkid: string
  epk: string
}

export interface PostMessageBody {
  msgId: string
  header: CaseMessageHeaderBody
  message: string
  copy: string
  attachments: { size: number; crc32: string }[]
}
