/**
 * Typed endpoints of the intake API (server/src/routes). Each checks the shape of the answer, so
 * a captive portal's HTML page or a proxy's error page becomes an ApiError, never bad data.
 */
import type { AnyEnvelopeHeader } from '@/crypto'
import type { CampaignConfig } from '@/domain/types'
import { rememberCampaignConfig } from './campaign-config'
import { ApiError, request, type Cancellation } from './request'

/** One PUT chunk may take this long (256 KiB over a poor 2G link is about 30 s). */
export const CHUNK_TIMEOUT_MS = 90000

export interface SubmissionView {
  id: string
  state: 'open' | 'accepted'
  expiresAt: string | null
  attachments: { n: number; size: number; offset: number }[]
}

export interface CreateSubmissionBody {
  idempotencyKey: string
  /** v2 (everything encrypted now) or v1 (a report queued before the update). */
  header: AnyEnvelopeHeader
  /** base64 of the encrypted report object. */
  report: string
  /** Ciphertext size and upload checksum of each attachment, in order: CRC-32 for v2, SHA-256 for v1. */
  attachments: ({ size: number; crc32: string } | { size: number; sha256: string })[]
  /**
   * Code of the chosen branch office, beside the ciphertext so that that office's workstation
   * sees the report (docs/protocol.md §18); also inside the encrypted report.
   */
  branch?: string
}

export interface FinalizeResult {
  id: string
  state: 'accepted'
  acceptedAt: string
}

export function badResponse(): ApiError {
  return new ApiError('server', { code: 'BAD_RESPONSE' })
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

export const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0

function checkSubmission(data: unknown): SubmissionView {
  if (!isObject(data) || typeof data.id !== 'string' || (data.state !== 'open' && data.state !== 'accepted') || !Array.isArray(data.attachments)) {
    throw badResponse()
  }
  for (const a of data.attachments) {
    if (!isObject(a) || !isCount(a.n) || !isCount(a.size) || !isCount(a.offset)) throw badResponse()
  }
  return data as unknown as SubmissionView
}

/** GET /api/v1/config: the campaign configuration, validated and kept for offline use. */
export async function getConfig(cancel?: Cancellation): Promise<CampaignConfig> {
  const res = await request<unknown>({ path: '/api/v1/config', cancel })
  try {
    return rememberCampaignConfig(res.data)
  } catch {
    throw badResponse()
  }
}

/** POST /api/v1/submissions (idempotent by the key): `created` is false for a replay. */
export async function createSubmission(body: CreateSubmissionBody, cancel?: Cancellation): Promise<{ created: boolean; submission: SubmissionView }> {
  const res = await request<unknown>({ method: 'POST', path: '/api/v1/submissions', json: body, cancel, timeoutMs: 60000 })
  return { created: res.status === 201, submission: checkSubmission(res.data) }
}

/** Where one attachment is uploaded (a submission's, or a case message's) and how to authenticate. */
export interface UploadTarget {
  /** The attachment's resource, e.g. /api/v1/submissions/<id>/attachments/<n>. */
  path: string
  headers?: Record<string, string>
}

export const submissionAttachment = (id: string, n: number): UploadTarget => ({ path: `/api/v1/submissions/${encodeURIComponent(id)}/attachments/${n}` })

/** HEAD …/attachments/:n: how many bytes of the attachment the server holds durably. */
export async function headUpload(target: UploadTarget, cancel?: Cancellation): Promise<{ offset: number; length?: number }> {
  const res = await request<undefined>({ method: 'HEAD', path: target.path, headers: target.headers, cancel })
  const offset = res.header('upload-offset')
  const length = res.header('upload-length')
  if (offset === undefined || !/^\d+$/.test(offset)) throw badResponse()
  return { offset: Number(offset), length: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined }
}

/**
 * PUT …/attachments/:n: appends `bytes` at `offset`. A 409 OFFSET_MISMATCH rejects with the
 * server's durable offset in `error.details.offset`.
 */
export async function putUpload(target: UploadTarget, offset: number, bytes: Uint8Array, cancel?: Cancellation): Promise<{ offset: number; size: number }> {
  const res = await request<unknown>({
    method: 'PUT',
    path: target.path,
    bytes,
    headers: { ...target.headers, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) },
    timeoutMs: CHUNK_TIMEOUT_MS,
    cancel,
  })
  const data = res.data
  if (isObject(data) && isCount(data.offset) && isCount(data.size)) return { offset: data.offset, size: data.size }
  const header = res.header('upload-offset')
  if (header !== undefined && /^\d+$/.test(header)) return { offset: Number(header), size: Number(res.header('upload-length') ?? 0) }
  throw badResponse()
}

/** HEAD of a submission's attachment n. */
export function headAttachment(id: string, n: number, cancel?: Cancellation): Promise<{ offset: number; length?: number }> {
  return headUpload(submissionAttachment(id, n), cancel)
}

/** PUT of a chunk of a submission's attachment n. */
export function putChunk(id: string, n: number, offset: number, bytes: Uint8Array, cancel?: Cancellation): Promise<{ offset: number; size: number }> {
  return putUpload(submissionAttachment(id, n), offset, bytes, cancel)
}

/**
 * POST …/finalize: accepts the submission under the case authenticator A (the 查询码 stays on the
 * phone: docs/protocol.md §18), or under the receipt itself for a report queued before the case
 * channel. Idempotent for the same value.
 */
export async function finalizeSubmission(id: string, proof: { authenticator: string } | { receipt: string }, cancel?: Cancellation): Promise<FinalizeResult> {
  const res = await request<unknown>({ method: 'POST', path: `/api/v1/submissions/${encodeURIComponent(id)}/finalize`, json: proof, cancel, timeoutMs: 60000 })
  const data = res.data
  if (!isObject(data) || data.state !== 'accepted' || typeof data.acceptedAt !== 'string') throw badResponse()
  return { id: typeof data.id === 'string' ? data.id : id, state: 'accepted', acceptedAt: data.acceptedAt }
}
