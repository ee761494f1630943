/**
 * The blob store keeps attachment ciphertext, one object per (submission id, attachment n), written
 * by appends at the durable end and then committed. A filesystem implementation ships; an
 * S3-compatible one can implement the same interface (appends as multipart parts).
 */
import type { Readable } from 'node:stream'

/** The append did not start at the durable end of the object. */
export class OffsetMismatchError extends Error {
  readonly offset: number
  constructor(offset: number) {
    super(`Upload offset mismatch: the object holds ${offset} bytes`)
    this.name = 'OffsetMismatchError'
    this.offset = offset
  }
}

/** A streamed chunk went past the bytes it was allowed; nothing of it was kept. */
export class ChunkTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The chunk is longer than ${limit} bytes`)
    this.name = 'ChunkTooLargeError'
  }
}

/** Inclusive byte offsets, as in an HTTP Range header. */
export interface ByteRange {
  start: number
  end: number
}

export interface BlobStore {
  /** Durable length of the object (0 when nothing was written). */
  size(id: string, n: number): Promise<number>
  /**
   * Writes `chunk` at `offset`, which must equal the durable length (else OffsetMismatchError),
   * and resolves with the new length only once the bytes are durable (fsync).
   */
  append(id: string, n: number, offset: number, chunk: Uint8Array): Promise<number>
  /**
   * The same, with the chunk streamed from `source` (a request body) straight to the file, so that
   * no chunk is held in memory. More than `limit` bytes → ChunkTooLargeError. On any failure (the
   * client went away, the disk is full) the object is cut back to `offset`: only whole,
   * acknowledged chunks are ever kept.
   */
  appendStream(id: string, n: number, offset: number, source: AsyncIterable<Uint8Array>, limit: number): Promise<number>
  /** Lowercase hex SHA-256 of the object's bytes (v1 upload check). */
  sha256(id: string, n: number): Promise<string>
  /** CRC-32 (zlib's) of the object's bytes, 8 lowercase hex digits (v2 upload check). */
  crc32(id: string, n: number): Promise<string>
  /** Seals a complete object (atomic, idempotent). No append is accepted afterwards. */
  commit(id: string, n: number): Promise<void>
  /** Whether the object was committed. */
  isCommitted(id: string, n: number): Promise<boolean>
  /** Forgets the object's bytes so its upload starts again at 0. */
  discard(id: string, n: number): Promise<void>
  /** Streams the object's bytes (bureau CLI and API), or only `range` (inclusive offsets) of them. */
  openRead(id: string, n: number, range?: ByteRange): Promise<Readable>
  /** Deletes every object of a submission. */
  deleteSubmission(id: string): Promise<void>
  /** Submission ids that have at least one object (to find orphans). */
  listSubmissionIds(): Promise<string[]>
}
