/**
 * The resumable chunk upload shared by submission attachments and case message files (tus style):
 * HEAD answers the durable offset; PUT appends one chunk of at most 1 MiB at that offset, streamed
 * to the file (never held in memory) and fsynced before it is acknowledged.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import type { Admission } from '../admission'
import { ChunkTooLargeError, OffsetMismatchError, type BlobStore } from '../blobstore'
import { ApiError } from '../errors'
import { clientKey } from '../http/client-address'
import { LIMITS } from '../limits'

export const OCTET_TYPES = ['application/offset+octet-stream', 'application/octet-stream']

export const offsetHeaders = {
  'Upload-Offset': { description: 'Bytes durably stored', schema: { type: 'integer' } },
  'Upload-Length': { description: 'Declared ciphertext size', schema: { type: 'integer' } },
}

export const uploadOffsetHeaderSchema = {
  type: 'object',
  required: ['upload-offset'],
  properties: { 'upload-offset': { type: 'string', pattern: '^(0|[1-9][0-9]{0,11})$', description: 'Byte offset of this chunk' } },
} as const

export const chunkResult = {
  description: 'The chunk is durable',
  headers: offsetHeaders,
  type: 'object',
  required: ['offset', 'size'],
  properties: { offset: { type: 'integer' }, size: { type: 'integer' } },
} as const

export function offsetReply(reply: FastifyReply, offset: number, size: number): FastifyReply {
  return reply.header('Upload-Offset', String(offset)).header('Upload-Length', String(size)).header('Cache-Control', 'no-store')
}

/** onRequest hook: a few uploads in flight per client and a bounded number in all (Admission), counted from the first byte of the request to its end. */
export function countUpload(admission: Admission) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const end = admission.beginUpload(clientKey(request.ip))
    reply.raw.once('close', end)
    request.raw.once('close', end)
  }
}

/** Appends the request's chunk to object (id, n) of declared `size`; resolves with the new durable offset. */
export async function appendChunk(
  blobs: BlobStore,
  admission: Admission,
  target: { id: string; n: number; size: number },
  request: FastifyRequest<{ Headers: { 'upload-offset': string }; Body: Readable | undefined }>,
): Promise<number> {
  const { id, n, size } = target
  const offset = Number(request.headers['upload-offset'])
  const current = await blobs.size(id, n)
  if (offset !== current) {
    throw new ApiError('OFFSET_MISMATCH', `Upload-Offset ${offset} does not match the durable offset ${current}`, { offset: current })
  }
  const lengthHeader = request.headers['content-length']
  const declared = lengthHeader === undefined ? undefined : Number(lengthHeader)
  if (declared !== undefined && declared > LIMITS.maxChunkBytes) throw new ApiError('BODY_TOO_LARGE', 'A chunk is at most 1 MiB')
  if (declared !== undefined && offset + declared > size) {
    throw new ApiError('UPLOAD_EXCEEDS_SIZE', `The chunk goes past the declared size ${size}`, { offset: current })
  }
  const body = request.body
  if (!body || declared === 0) return current
  await admission.checkFree(declared ?? LIMITS.maxChunkBytes)
  const room = size - offset
  try {
    return await blobs.appendStream(id, n, offset, body, Math.min(LIMITS.maxChunkBytes, room))
  } catch (e) {
    if (e instanceof OffsetMismatchError) {
      throw new ApiError('OFFSET_MISMATCH', `Upload-Offset ${offset} does not match the durable offset ${e.offset}`, { offset: e.offset })
    }
    if (e instanceof ChunkTooLargeError) {
      if (room < LIMITS.maxChunkBytes) throw new ApiError('UPLOAD_EXCEEDS_SIZE', `The chunk goes past the declared size ${size}`, { offset: current })
      throw new ApiError('BODY_TOO_LARGE', 'A chunk is at most 1 MiB')
    }
    throw e
  }
}

/**
 * The finalize check of declared objects: every one complete (else UPLOAD_INCOMPLETE) and matching
 * its CRC-32 or SHA-256 (else ATTACHMENT_HASH_MISMATCH, and the bad ones are discarded so that the
 * client uploads them again from 0); then each is committed.
 */
export async function checkAndCommit(blobs: BlobStore, id: string, objects: readonly { n: number; size: number; crc32?: string; sha256?: string }[]): Promise<void> {
  const sizes = await Promise.all(objects.map((a) => blobs.size(id, a.n)))
  const incomplete = objects.filter((a, i) => sizes[i] !== a.size)
  if (incomplete.length > 0) {
    throw new ApiError('UPLOAD_INCOMPLETE', 'Some attachments are not completely uploaded', {
      attachments: incomplete.map((a) => ({ n: a.n, offset: sizes[objects.indexOf(a)], size: a.size })),
    })
  }
  // The upload check: the bytes on disk are the bytes the phone encrypted. (Tampering is the
  // AEAD's business at the bureau; this catches damage while the phone still has a copy.)
  const bad: typeof objects[number][] = []
  for (const a of objects) {
    const intact = a.crc32 !== undefined ? (await blobs.crc32(id, a.n)) === a.crc32 : (await blobs.sha256(id, a.n)) === a.sha256
    if (!intact) bad.push(a)
  }
  if (bad.length > 0) {
    for (const a of bad) await blobs.discard(id, a.n)
    throw new ApiError('ATTACHMENT_HASH_MISMATCH', 'Attachments do not match their declared checksum; upload them again from 0', {
      attachments: bad.map((a) => ({ n: a.n, offset: 0, size: a.size })),
    })
  }
  for (const a of objects) await blobs.commit(id, a.n)
}
