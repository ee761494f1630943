/**
 * Every error the API answers is `{ code, message }` (plus a few documented extras) with a 4xx
 * status; a 500 means a bug. The client maps `code` to Chinese text, so codes are stable.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isDatabaseUnavailable } from './postgres/errors'
import { QueueFullError } from './work-queue'
import { LockWaitTimeout } from './locks'

export const ERROR_STATUS = {
  // Request shape
  INVALID_JSON: 400,
  EMPTY_BODY: 400,
  UNKNOWN_FIELD: 400,
  MISSING_FIELD: 400,
  INVALID_FIELD: 400,
  INVALID_CONTENT_LENGTH: 400,
  BAD_REQUEST: 400,
  BAD_URL: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  // GET /keys
  KEY_LIST_NOT_CONFIGURED: 404,
  // POST /submissions
  INVALID_IDEMPOTENCY_KEY: 400,
  UNSUPPORTED_VERSION: 400,
  UNSUPPORTED_SUITE: 400,
  UNKNOWN_KID: 400,
  INVALID_BASE64: 400,
  INVALID_EPK: 400,
  INVALID_REPORT_SIZE: 400,
  REPORT_TOO_LARGE: 400,
  TOO_MANY_ATTACHMENTS: 400,
  INVALID_ATTACHMENT_SIZE: 400,
  ATTACHMENT_TOO_LARGE: 400,
  SUBMISSION_TOO_LARGE: 400,
  INVALID_SHA256: 400,
  INVALID_CRC32: 400,
  IDEMPOTENCY_KEY_REUSED: 409,
  CAMPAIGN_CLOSED: 403,
  // Uploads
  SUBMISSION_NOT_FOUND: 404,
  ATTACHMENT_NOT_FOUND: 404,
  MISSING_UPLOAD_OFFSET: 400,
  INVALID_UPLOAD_OFFSET: 400,
  OFFSET_MISMATCH: 409,
  UPLOAD_EXCEEDS_SIZE: 413,
  SUBMISSION_FINALIZED: 409,
  // Finalize and status
  INVALID_RECEIPT: 400,
  UPLOAD_INCOMPLETE: 409,
  ATTACHMENT_HASH_MISMATCH: 409,
  RECEIPT_MISMATCH: 409,
  RECEIPT_IN_USE: 409,
  RECEIPT_NOT_FOUND: 404,
  // Case channel (docs/server.md "Case channel")
  CASE_AUTH_REQUIRED: 401,
  INVALID_CASE_AUTH: 400,
  INVALID_AUTHENTICATOR: 400,
  CASE_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  MESSAGE_ID_REUSED: 409,
  MESSAGE_FINALIZED: 409,
  CASE_CLOSED_FOR_WRITING: 403,
  MESSAGE_QUOTA: 429,
  CASE_MATERIAL_LIMIT: 400,
  INVALID_MESSAGE_SIZE: 400,
  MESSAGE_TOO_LARGE: 400,
  REPLY_KEY_REQUIRED: 409,
  WRONG_REPLY_KEY: 400,
  REPLY_KEY_ALREADY_SET: 409,
  NOT_A_LEGACY_CASE: 409,
  INVALID_REPLY_KEY: 400,
  UNSUPPORTED_HEADER_TYPE: 400,
  INVALID_KID: 400,
  AUTH_FAILURES: 429,
  // Load and storage (answered with Retry-After): come back later, nothing is lost.
  UPLOADS_IN_FLIGHT: 429,
  UNFINISHED_QUOTA: 429,
  BUSY: 503,
  STORAGE_UNAVAILABLE: 503,
  STORAGE_FULL: 507,
  // Bureau API (server/src/bureau-api, issue 15)
  TOKEN_MISSING: 401,
  TOKEN_INVALID: 401,
  TOKEN_REVOKED: 401,
  // CASE_NOT_FOUND (404, above) is shared with the case channel.
  RANGE_NOT_SATISFIABLE: 416,
  NOTE_ID_REUSED: 409,
  CASE_NOT_ACCEPTED: 409,
  INTERNAL: 500,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

/** Extra, documented members of an error body. */
export interface ErrorExtras {
  /** JSON pointer of the offending field (validation errors). */
  field?: string
  /** The durable offset (OFFSET_MISMATCH, UPLOAD_EXCEEDS_SIZE). */
  offset?: number
  /** Attachments concerned (UPLOAD_INCOMPLETE, ATTACHMENT_HASH_MISMATCH). */
  attachments?: { n: number; offset: number; size: number }[]
}

/** Seconds a client is asked to wait (Retry-After) by the codes that mean "come back later". */
export const RETRY_AFTER_S: Partial<Record<ErrorCode, number>> = {
  RATE_LIMITED: 60,
  AUTH_FAILURES: 60,
  MESSAGE_QUOTA: 3600,
  UPLOADS_IN_FLIGHT: 10,
  UNFINISHED_QUOTA: 600,
  BUSY: 5,
  STORAGE_UNAVAILABLE: 5,
  STORAGE_FULL: 300,
}

export class ApiError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  readonly extras: ErrorExtras
  constructor(code: ErrorCode, message: string, extras: ErrorExtras = {}) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.statusCode = ERROR_STATUS[code]
    this.extras = extras
  }
}

/** The file system or the database is out of space or quota. */
export function isStorageFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || code === '53100'
}

export function storageFullError(): ApiError {
  return new ApiError('STORAGE_FULL', 'The server is short of storage; nothing was lost: retry later')
}

/** JSON schema of every error body, referenced by the route schemas. */
export const errorSchema = {
  $id: 'ApiError',
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'Stable machine-readable code; the client maps it to its own text.' },
    message: { type: 'string', description: 'English explanation for developers.' },
    field: { type: 'string', description: 'JSON pointer of the offending field, for validation errors.' },
    offset: { type: 'integer', description: 'The durable upload offset, for upload errors.' },
    attachments: {
      type: 'array',
      items: {
        type: 'object',
        properties: { n: { type: 'integer' }, offset: { type: 'integer' }, size: { type: 'integer' } },
      },
    },
  },
} as const

/**
 * Response schemas for the error codes a route can answer, grouped by status, with the codes
 * listed in each description (they end up in the OpenAPI document).
 */
export function errorResponses(...codes: ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of [...codes, 'RATE_LIMITED' as const]) {
    const status = ERROR_STATUS[code]
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  const out: Record<string, unknown> = {}
  for (const [status, list] of byStatus) {
    out[String(status)] = { description: `Error: ${[...new Set(list)].join(', ')}`, $ref: 'ApiError#' }
  }
  return out
}

interface AjvError {
  keyword: string
  instancePath: string
  params: Record<string, unknown>
  message?: string
}

/** Maps the first Ajv error of a failed validation to a precise API error. */
function validationError(errors: AjvError[], context: string): ApiError {
  const e = errors[0]
  const path = e?.instancePath ?? ''
  const keyword = e?.keyword ?? ''
  if (context === 'params') {
    if (path === '/n') return new ApiError('ATTACHMENT_NOT_FOUND', 'No such attachment')
    if (path === '/msgId') return new ApiError('MESSAGE_NOT_FOUND', 'No such message')
    return new ApiError('SUBMISSION_NOT_FOUND', 'No such submission')
  }
  if (context === 'headers') {
    if (keyword === 'required' && e.params.missingProperty === 'upload-offset') {
      return new ApiError('MISSING_UPLOAD_OFFSET', 'The Upload-Offset header is required')
    }
    if (path === '/upload-offset') {
      return new ApiError('INVALID_UPLOAD_OFFSET', 'Upload-Offset must be a non-negative integer')
    }
    return new ApiError('BAD_REQUEST', `Invalid header ${path.slice(1)}`, { field: path })
  }
  if (keyword === 'additionalProperties') {
    const name = String(e.params.additionalProperty)
    const where = context === 'querystring' ? 'query string' : context
    return new ApiError('UNKNOWN_FIELD', `Unknown field "${name}" in the ${where}`, { field: `${path}/${name}` })
  }
  if (keyword === 'required') {
    const name = String(e.params.missingProperty)
    return new ApiError('MISSING_FIELD', `Missing field "${name}"`, { field: `${path}/${name}` })
  }
  if (context === 'body') {
    // Values of the right type but not allowed get specific codes; wrong types are INVALID_FIELD.
    const refused = keyword !== 'type'
    if (refused && path === '/header/v') return new ApiError('UNSUPPORTED_VERSION', 'Unsupported envelope version', { field: path })
    if (refused && path === '/header/suite') return new ApiError('UNSUPPORTED_SUITE', 'Unsupported cipher suite', { field: path })
    if (refused && path === '/idempotencyKey') {
      return new ApiError('INVALID_IDEMPOTENCY_KEY', 'idempotencyKey must be 22-64 characters of [A-Za-z0-9_-]', { field: path })
    }
    if (refused && path === '/header/t') return new ApiError('UNSUPPORTED_HEADER_TYPE', 'header.t must be "case-message"', { field: path })
    if (refused && (path === '/header/kid' || path === '/header/rkid')) return new ApiError('INVALID_KID', 'Key ids are 16 lowercase hex digits', { field: path })
    if (refused && path === '/authenticator') {
      return new ApiError('INVALID_AUTHENTICATOR', 'authenticator must be base64url (no padding) of 32 bytes: 43 characters', { field: path })
    }
    if (refused && path === '/replyKey') return new ApiError('INVALID_REPLY_KEY', 'replyKey must be canonical base64 of 32 bytes', { field: path })
    if ((path === '/message' || path === '/copy') && keyword === 'maxLength') {
      return new ApiError('MESSAGE_TOO_LARGE', 'A message object is at most 64 KiB of plaintext', { field: path })
    }
    if (refused && path === '/receipt') return new ApiError('INVALID_RECEIPT', 'The receipt must be exactly 16 digits', { field: path })
    if (path === '/report' && keyword === 'maxLength') {
      return new ApiError('REPORT_TOO_LARGE', 'The report object is too large', { field: path })
    }
    if (path === '/attachments' && keyword === 'maxItems') {
      return new ApiError('TOO_MANY_ATTACHMENTS', 'Too many attachments', { field: path })
    }
    if (/^\/attachments\/\d+\/size$/.test(path)) {
      if (keyword === 'maximum') return new ApiError('ATTACHMENT_TOO_LARGE', 'An attachment is larger than allowed', { field: path })
      if (keyword === 'minimum') return new ApiError('INVALID_ATTACHMENT_SIZE', 'An attachment size is below the smallest ciphertext', { field: path })
    }
    if (/^\/attachments\/\d+\/sha256$/.test(path) && refused) {
      return new ApiError('INVALID_SHA256', 'sha256 must be 64 lowercase hex digits', { field: path })
    }
    if (/^\/attachments\/\d+\/crc32$/.test(path) && refused) {
      return new ApiError('INVALID_CRC32', 'crc32 must be 8 lowercase hex digits', { field: path })
    }
    if (path === '' && keyword === 'type') return new ApiError('INVALID_FIELD', 'The body must be a JSON object', { field: '' })
  }
  const what = path === '' ? `the ${context}` : `field ${path}`
  return new ApiError('INVALID_FIELD', `Invalid ${what}: ${e?.message ?? 'invalid'}`, { field: path })
}

const FASTIFY_CODES: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ['INVALID_JSON', 'The body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['EMPTY_BODY', 'The body is empty'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['BODY_TOO_LARGE', 'The body is larger than this route accepts'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Type for this route'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['INVALID_CONTENT_LENGTH', 'Content-Length does not match the body'],
  FST_ERR_BAD_URL: ['BAD_URL', 'Malformed URL'],
  FST_ERR_ASYNC_CONSTRAINT: ['BAD_REQUEST', 'Bad request'],
}

/** Turns anything thrown in the request lifecycle into an ApiError. */
export function toApiError(err: FastifyError & { validation?: AjvError[]; validationContext?: string }): ApiError {
  if (err instanceof ApiError) return err
  if (isStorageFull(err)) return storageFullError()
  if (isDatabaseUnavailable(err)) return new ApiError('STORAGE_UNAVAILABLE', 'The database is unavailable for a moment; nothing acknowledged was lost: retry shortly')
  if (err instanceof QueueFullError || err instanceof LockWaitTimeout) return new ApiError('BUSY', 'The server is busy; retry shortly')
  if (Array.isArray(err.validation)) return validationError(err.validation, err.validationContext ?? 'body')
  if (err.code === 'RATE_LIMITED') return new ApiError('RATE_LIMITED', 'Too many requests; retry later')
  const known = err.code ? FASTIFY_CODES[err.code] : undefined
  if (known) return new ApiError(known[0], known[1])
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500
  if (status === 413) return new ApiError('BODY_TOO_LARGE', 'The body is too large')
  if (status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Type')
  // JSON that parses but is refused (e.g. "__proto__" keys) and other client errors.
  if (err instanceof SyntaxError || (status >= 400 && status < 500)) {
    return new ApiError(status === 400 || err instanceof SyntaxError ? 'INVALID_JSON' : 'BAD_REQUEST', 'Malformed request')
  }
  return new ApiError('INTERNAL', 'Internal error')
}

export function sendError(reply: FastifyReply, e: ApiError): FastifyReply {
  // Answered before the body was read (a refused upload): close after the answer rather than
  // read the rest; the lingering close (http/lingering-close.ts) makes sure the answer arrives.
  if (!reply.request.raw.complete) reply.header('Connection', 'close')
  if (e.extras.offset !== undefined) reply.header('Upload-Offset', String(e.extras.offset))
  const wait = RETRY_AFTER_S[e.code]
  if (wait !== undefined) reply.header('Retry-After', reply.getHeader('retry-after') ?? String(wait))
  reply.header('Cache-Control', 'no-store')
  return reply.code(e.statusCode).send({ code: e.code, message: e.message, ...e.extras })
}

const answeredCodes = new WeakMap<FastifyRequest, ErrorCode>()

/** The error code a request was answered with, for its log line. */
export function errorCodeOf(request: FastifyRequest): ErrorCode | undefined {
  return answeredCodes.get(request)
}

/** Installs the error and not-found handlers. `fallback` may answer a not-found GET (the H5 index). */
export function installErrorHandlers(
  app: FastifyInstance,
  fallback?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined,
): void {
  app.setErrorHandler((err: FastifyError & { validationContext?: string }, request, reply) => {
    const noBody = Array.isArray(err.validation) && err.validationContext === 'body' && request.body == null
    const e = noBody ? new ApiError('EMPTY_BODY', 'The body is empty') : toApiError(err)
    // 5xx with a code of its own (BUSY, STORAGE_FULL) are load, not bugs: a warning, without the stack.
    if (e.code === 'INTERNAL') request.log.error({ err }, 'request failed')
    else if (e.statusCode >= 500) request.log.warn({ code: e.code }, 'request refused')
    answeredCodes.set(request, e.code)
    return sendError(reply, e)
  })
  app.setNotFoundHandler((request, reply) => {
    const answered = fallback?.(request, reply)
    if (answered) return answered
    answeredCodes.set(request, 'NOT_FOUND')
    return sendError(reply, new ApiError('NOT_FOUND', 'No such route'))
  })
}
