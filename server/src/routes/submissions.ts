/**
 * POST /api/v1/submissions: creates a submission from the envelope header, the encrypted report and
 * the declared attachments (idempotent by the client's key). Envelope v2 is what phones send; v1
 * is still taken, for reports that were queued in a phone's outbox before it was updated.
 * POST /api/v1/submissions/:id/finalize: accepts it once every attachment is complete and intact:
 * its bytes match the checksum declared at create (CRC-32 for v2, SHA-256 for v1).
 */
import { createHash, randomBytes } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AuthFailures } from '../case/auth'
import { EnvelopeError, SUITE_V1, SUITE_V2, checkEpk } from '../envelope'
import { ApiError, errorResponses } from '../errors'
import { clientKey } from '../http/client-address'
import { LIMITS, MIN_CIPHERTEXT, isCiphertextSize } from '../limits'
import type { ReceiptDigests } from '../receipts'
import { finalizeBodySchema } from './case-schemas'
import type { AttachmentDeclaration, EnvelopeHeader, Submission } from '../repository'
import type { Services } from '../services'
import { checkAndCommit } from './upload'

/** The suite phones send (envelope v2). */
export const SUITE = SUITE_V2
const SUITE_OF: Record<number, string> = { 1: SUITE_V1, 2: SUITE_V2 }
export const SUBMISSION_ID_PATTERN = '^[0-9a-f]{32}$'
const IDEMPOTENCY_KEY_PATTERN = '^[A-Za-z0-9_-]{22,64}$'

/** Length of the base64 text of n bytes. */
const base64Length = (n: number) => Math.ceil(n / 3) * 4
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Decodes canonical standard base64 (padding required, no whitespace), or undefined. */
export function decodeBase64(s: string): Buffer | undefined {
  if (!BASE64.test(s)) return undefined
  const buf = Buffer.from(s, 'base64')
  return buf.toString('base64') === s ? buf : undefined
}

interface CreateBody {
  idempotencyKey: string
  header: EnvelopeHeader
  report: string
  attachments: { size: number; sha256?: string; crc32?: string }[]
  branch?: string
}

export const submissionIdParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: SUBMISSION_ID_PATTERN, description: 'Submission id (32 hex digits)' } },
} as const

const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const

const createBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['idempotencyKey', 'header', 'report', 'attachments'],
  properties: {
    idempotencyKey: {
      type: 'string',
      pattern: IDEMPOTENCY_KEY_PATTERN,
      description: 'Chosen by the client (random); the same key again returns the same submission',
    },
    header: {
      type: 'object',
      additionalProperties: false,
      required: ['v', 'suite', 'kid', 'epk'],
      properties: {
        v: { type: 'integer', enum: [1, 2], description: '2 (what phones send); 1 for reports queued before envelope v2' },
        suite: { type: 'string', enum: [SUITE_V1, SUITE_V2], description: 'The suite of that version' },
        kid: { type: 'string', maxLength: 64, description: 'Key id of the bureau key the envelope is encrypted to' },
        epk: { type: 'string', maxLength: 64, description: 'base64 of the ephemeral X25519 public key (32 bytes)' },
      },
    },
    report: {
      type: 'string',
      maxLength: base64Length(LIMITS.maxReportBytes),
      description: 'base64 of the encrypted report object (iv ‖ ciphertext ‖ tag)',
    },
    attachments: {
      type: 'array',
      maxItems: LIMITS.maxAttachments,
      description: 'Attachment n (0-based) is uploaded to /attachments/n and encrypted under the label "attachment/n"',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['size'],
        properties: {
          size: { type: 'integer', minimum: MIN_CIPHERTEXT, maximum: LIMITS.maxAttachmentBytes, description: 'Ciphertext size in bytes' },
          crc32: { type: 'string', pattern: '^[0-9a-f]{8}$', description: 'v2 (required): CRC-32 of the ciphertext, 8 hex digits' },
          sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'v1 (required): hex SHA-256 of the ciphertext' },
        },
      },
    },
    branch: {
      type: 'string',
      pattern: '^[a-z0-9_-]{1,32}$',
      description:
        'Code of the branch office the resident chose (also inside the encrypted report), so that a branch-limited ' +
        'bureau workstation sees the report; a code the campaign does not list is kept as none (docs/protocol.md §18)',
    },
  },
} as const

const submissionView = {
  $id: 'Submission',
  type: 'object',
  required: ['id', 'state', 'expiresAt', 'attachments'],
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['open', 'accepted'] },
    expiresAt: { type: ['string', 'null'], description: 'When an unfinished submission is deleted (ISO 8601)' },
    attachments: {
      type: 'array',
      items: {
        type: 'object',
        required: ['n', 'size', 'offset'],
        properties: {
          n: { type: 'integer' },
          size: { type: 'integer' },
          offset: { type: 'integer', description: 'Bytes durably received so far' },
        },
      },
    },
  },
} as const

const finalizeResult = {
  type: 'object',
  required: ['id', 'state', 'acceptedAt'],
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['accepted'] },
    acceptedAt: { type: 'string', description: 'ISO 8601' },
  },
} as const

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

const submissionRoutes: FastifyPluginAsync<{ services: Services; authFailures: AuthFailures }> = async (app, { services, authFailures }) => {
  const { repository, blobs, receipts, locks } = services
  app.addSchema(submissionView)

  async function view(sub: Submission) {
    const attachments = await Promise.all(
      sub.attachments.map(async (a) => ({
        n: a.n,
        size: a.size,
        offset: sub.state === 'accepted' ? a.size : await blobs.size(sub.id, a.n),
      })),
    )
    return { id: sub.id, state: sub.state, expiresAt: iso(sub.expiresAt), attachments }
  }

  app.post<{ Body: CreateBody }>(
    '/api/v1/submissions',
    {
      bodyLimit: LIMITS.submissionBodyBytes,
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        summary: 'Create a submission',
        description:
          'Stores the envelope header and the encrypted report, and declares the attachments to upload. ' +
          'Idempotent: the same idempotencyKey with the same body returns the same submission (200).',
        tags: ['submissions'],
        querystring: noQuery,
        body: createBodySchema,
        response: {
          201: { description: 'Created', $ref: 'Submission#' },
          200: { description: 'The submission created earlier with this idempotency key', $ref: 'Submission#' },
          ...errorResponses(
            'INVALID_JSON', 'EMPTY_BODY', 'UNKNOWN_FIELD', 'MISSING_FIELD', 'INVALID_FIELD', 'INVALID_IDEMPOTENCY_KEY',
            'UNSUPPORTED_VERSION', 'UNSUPPORTED_SUITE', 'UNKNOWN_KID', 'INVALID_BASE64', 'INVALID_EPK',
            'INVALID_REPORT_SIZE', 'REPORT_TOO_LARGE', 'TOO_MANY_ATTACHMENTS', 'INVALID_ATTACHMENT_SIZE',
            'ATTACHMENT_TOO_LARGE', 'SUBMISSION_TOO_LARGE', 'INVALID_SHA256', 'INVALID_CRC32', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE',
            'IDEMPOTENCY_KEY_REUSED', 'CAMPAIGN_CLOSED', 'UNFINISHED_QUOTA', 'STORAGE_FULL', 'STORAGE_UNAVAILABLE',
          ),
        },
      },
    },
    async (request, reply) => {
      const body = request.body
      const version = body.header.v as 1 | 2
      if (body.header.suite !== SUITE_OF[version]) {
        throw new ApiError('UNSUPPORTED_SUITE', `Envelope version ${version} uses the suite ${SUITE_OF[version]}`, { field: '/header/suite' })
      }
      // Each version declares its own upload checksum, and only that one.
      const checksum = version === 2 ? 'crc32' : 'sha256'
      const other = version === 2 ? 'sha256' : 'crc32'
      body.attachments.forEach((a, n) => {
        if (a[other] !== undefined) throw new ApiError('UNKNOWN_FIELD', `Envelope v${version} attachments declare ${checksum}, not ${other}`, { field: `/attachments/${n}/${other}` })
        if (a[checksum] === undefined) throw new ApiError('MISSING_FIELD', `Missing field "${checksum}"`, { field: `/attachments/${n}/${checksum}` })
      })
      const campaign = services.campaign.current
      if (!campaign.key(body.header.kid)) {
        throw new ApiError('UNKNOWN_KID', 'The envelope is encrypted to a key this server does not list', { field: '/header/kid' })
      }
      const epk = decodeBase64(body.header.epk)
      if (!epk) throw new ApiError('INVALID_BASE64', 'header.epk is not canonical base64', { field: '/header/epk' })
      if (epk.length !== 32) throw new ApiError('INVALID_EPK', 'header.epk must encode 32 bytes', { field: '/header/epk' })
      try {
        // The decryptor's own checks: a canonical point, not of low order (else export fails later).
        checkEpk(body.header.epk)
      } catch (e) {
        if (e instanceof EnvelopeError) throw new ApiError('INVALID_EPK', `header.epk: ${e.message}`, { field: '/header/epk' })
        throw e
      }
      const report = decodeBase64(body.report)
      if (!report) throw new ApiError('INVALID_BASE64', 'report is not canonical base64', { field: '/report' })
      if (report.length > LIMITS.maxReportBytes) throw new ApiError('REPORT_TOO_LARGE', 'The report object is too large', { field: '/report' })
      if (!isCiphertextSize(report.length, version)) {
        throw new ApiError('INVALID_REPORT_SIZE', `A ${report.length}-byte report is not a valid ciphertext size`, { field: '/report' })
      }
      let total = 0
      body.attachments.forEach((a, n) => {
        if (!isCiphertextSize(a.size, version)) {
          throw new ApiError('INVALID_ATTACHMENT_SIZE', `${a.size} bytes is not a valid ciphertext size`, { field: `/attachments/${n}/size` })
        }
        total += a.size
      })
      if (total > LIMITS.maxSubmissionBytes) {
        throw new ApiError('SUBMISSION_TOO_LARGE', 'The attachments together are larger than allowed', { field: '/attachments' })
      }
      const now = services.now()
      if (!campaign.acceptingReports(new Date(now))) {
        throw new ApiError('CAMPAIGN_CLOSED', 'The campaign does not accept reports at this time')
      }

      const attachments: AttachmentDeclaration[] = body.attachments.map((a, n) =>
        version === 2 ? { n, size: a.size, crc32: a.crc32! } : { n, size: a.size, sha256: a.sha256! },
      )
      const { v, suite, kid } = body.header
      const requestHash = createHash('sha256')
        .update(JSON.stringify([v, suite, kid, body.header.epk, attachments, ...(body.branch !== undefined ? [body.branch] : [])]))
        .update(report)
        .digest('hex')
      // Declared bytes held by unfinished submissions: per client and in all, and the disk's reserve.
      const id = randomBytes(16).toString('hex')
      await services.admission.admitCreate(id, clientKey(request.ip), report.length + total)
      let result
      try {
        result = await repository.createSubmission(
          {
            id,
            idempotencyKeyHash: createHash('sha256').update(body.idempotencyKey).digest('hex'),
            requestHash,
            header: { v, suite, kid, epk: body.header.epk },
            report,
            attachments,
            // Never refused: a report queued before the campaign changed its offices still lands (unrouted).
            branch: body.branch !== undefined && campaign.config.branches.some((b) => b.code === body.branch) ? body.branch : null,
            createdAt: now,
            expiresAt: now + services.ttlMs,
          },
          now,
        )
      } catch (e) {
        services.admission.release(id)
        throw e
      }
      if (result.outcome !== 'created') services.admission.release(id)
      if (result.outcome === 'conflict') {
        throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was used for a different submission')
      }
      reply.header('Cache-Control', 'no-store')
      reply.header('Location', `/api/v1/submissions/${result.submission.id}`)
      return reply.code(result.outcome === 'created' ? 201 : 200).send(await view(result.submission))
    },
  )

  app.post<{ Params: { id: string }; Body: { receipt?: string; authenticator?: string } }>(
    '/api/v1/submissions/:id/finalize',
    {
      bodyLimit: LIMITS.smallBodyBytes,
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        summary: 'Finalize a submission',
        description:
          'Checks that every attachment is complete and matches its declared checksum (CRC-32 for envelope v2, SHA-256 for v1), then accepts the submission ' +
          'under {authenticator} (new apps: base64url of A, docs/protocol.md §18) or {receipt} (apps before the case channel: the 16 digits). ' +
          'Again with the same value: the same answer.',
        tags: ['submissions'],
        params: submissionIdParam,
        querystring: noQuery,
        body: finalizeBodySchema,
        response: {
          200: finalizeResult,
          ...errorResponses(
            'INVALID_JSON', 'EMPTY_BODY', 'UNKNOWN_FIELD', 'MISSING_FIELD', 'INVALID_FIELD', 'INVALID_RECEIPT', 'INVALID_AUTHENTICATOR',
            'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'SUBMISSION_NOT_FOUND', 'UPLOAD_INCOMPLETE',
            'ATTACHMENT_HASH_MISMATCH', 'RECEIPT_MISMATCH', 'RECEIPT_IN_USE', 'AUTH_FAILURES', 'BUSY', 'STORAGE_FULL', 'STORAGE_UNAVAILABLE',
          ),
        },
      },
    },
    async (request, reply) => {
      const started = performance.now()
      const { id } = request.params
      reply.header('Cache-Control', 'no-store')
      const { authenticator } = request.body
      if (authenticator !== undefined && request.body.receipt !== undefined) {
        throw new ApiError('INVALID_FIELD', 'Send exactly one of "authenticator" and "receipt"', { field: '/receipt' })
      }
      if (authenticator === undefined && request.body.receipt === undefined) throw new ApiError('MISSING_FIELD', 'Missing field "authenticator" (or "receipt")', { field: '/authenticator' })
      // Nothing to finalize: answered before any hashing, so random ids cost no scrypt.
      if (!(await repository.getSubmission(id, services.now()))) throw new ApiError('SUBMISSION_NOT_FOUND', 'No such submission')
      // RECEIPT_IN_USE tells that a receipt exists, as a case lookup does: it is counted in the same
      // failure budget (below), which then blocks the case routes. Finalize itself is not blocked by
      // it: behind a carrier's shared address, other people's mistyped 查询码 would hold up every new
      // report there. (A finalize probe still needs an authenticator, which only scrypt over a
      // guessed 16-digit 查询码 gives, and waits STATUS_MIN_MS for each answer.)
      // New apps send the authenticator A (the 查询码 stays on the phone): its verifier HMAC(pepper, A)
      // is stored as the receipt hash, no scrypt here. Old apps send the receipt (scrypt in the queue).
      const kind = authenticator !== undefined ? 'case' : 'legacy'
      const receipt: ReceiptDigests =
        authenticator !== undefined
          ? { 1: '-', 2: receipts.verifier(Buffer.from(authenticator, 'base64url')) }
          : await receipts.digests(request.body.receipt!)
      // Every answer that depends on the receipt takes at least as long as a status lookup, so that
      // finalize (RECEIPT_IN_USE) is no faster way than status to test whether a receipt exists.
      const evenly = async <T>(answer: () => T): Promise<T> => {
        const wait = services.statusMinMs - (performance.now() - started)
        if (wait > 0) await sleep(wait)
        return answer()
      }
      // One finalize of a submission at a time, across every instance sharing the storage.
      return locks.run(`finalize/${id}`, async () => {
        const sub = await repository.getSubmission(id, services.now())
        if (!sub) throw new ApiError('SUBMISSION_NOT_FOUND', 'No such submission')
        if (sub.state === 'open') {
          await checkAndCommit(blobs, id, sub.attachments)
        }
        const result = await repository.acceptSubmission(id, receipt, services.now(), kind)
        if (result.outcome === 'accepted') services.admission.release(id)
        return evenly(() => {
          switch (result.outcome) {
            case 'accepted':
            case 'already':
              return { id, state: 'accepted', acceptedAt: iso(result.submission.acceptedAt) }
            case 'receipt-mismatch':
              throw new ApiError('RECEIPT_MISMATCH', 'This submission was finalized with another receipt')
            case 'receipt-in-use':
              authFailures.count(request.ip)
              throw new ApiError('RECEIPT_IN_USE', 'This receipt is taken; draw another one and finalize again')
            default:
              throw new ApiError('SUBMISSION_NOT_FOUND', 'No such submission')
          }
        })
      })
    },
  )
}

export default submissionRoutes
