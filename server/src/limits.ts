/**
 * Hard limits of the intake API. Sizes are of ciphertext, as the server never sees plaintext.
 *
 * Object layouts (docs/protocol.md):
 *   v2  nonce(16) ‖ ChaCha20-Poly1305 chunks of 64 KiB + 16-byte tag over the Padmé-padded,
 *       length-prefixed plaintext — only sizes whose framed length is a Padmé value exist;
 *   v1  iv(16) ‖ AES-256-CBC(PKCS#7) ‖ HMAC-SHA256 tag(32) = 16 + (⌊n/16⌋ + 1)·16 + 32 bytes
 *       (reports made before v2, still arriving from outboxes).
 */
import { layoutV2, MIN_OBJECT_LENGTH_V2, padme, SEALED_CHUNK_LENGTH, CHUNK_LENGTH } from './envelope'

export const MiB = 1024 * 1024

/** v1 ciphertext size of an n-byte plaintext. */
export function ciphertextSize(plaintextBytes: number): number {
  return 16 + (Math.floor(plaintextBytes / 16) + 1) * 16 + 32
}

/** v2 object size of an n-byte plaintext. */
export function objectSizeV2(plaintextBytes: number): number {
  const framed = padme(8 + plaintextBytes)
  return 16 + framed + Math.ceil(framed / CHUNK_LENGTH) * (SEALED_CHUNK_LENGTH - CHUNK_LENGTH)
}

/** Smallest object of either version (v2: an empty plaintext). */
export const MIN_CIPHERTEXT = MIN_OBJECT_LENGTH_V2

/** True when `n` is a size an object of envelope version `v` can have. */
export function isCiphertextSize(n: number, v: 1 | 2 = 2): boolean {
  if (v === 2) return layoutV2(n) !== undefined
  return Number.isSafeInteger(n) && n >= ciphertextSize(0) && (n - 48) % 16 === 0
}

export const LIMITS = {
  /** Attachments per submission. */
  maxAttachments: 20,
  /** 20 MiB of plaintext per attachment: its v2 object (Padmé padding and tags included; v1's is smaller). */
  maxAttachmentBytes: objectSizeV2(20 * MiB),
  /**
   * 100 MiB of attachment plaintext per submission as ciphertext: Padmé adds at most 3.2% to
   * files over 64 KiB (and at most a few dozen bytes to smaller ones), tags 0.03%.
   */
  maxSubmissionBytes: Math.ceil(100 * MiB * 1.04),
  /** The encrypted report object (text only; evidence travels as attachments). */
  maxReportBytes: 256 * 1024,
  /** One PUT chunk. */
  maxChunkBytes: 1 * MiB,
  /** JSON bodies of POST /submissions: the base64 report plus the attachment list. */
  submissionBodyBytes: 400 * 1024,
  /** Every other JSON body (finalize, status). */
  smallBodyBytes: 1024,
  /** Unfinished submissions (and their blobs) are deleted this long after creation. */
  submissionTtlMs: 24 * 60 * 60 * 1000,
  /** Public note the bureau may attach to a status. */
  maxPublicNote: 500,
  /**
   * One object of a case message (the message or its copy): a plaintext of at most 64 KiB, which
   * 2000 characters of text and 20 file entries fit even with every character escaped.
   */
  maxCaseObjectBytes: objectSizeV2(64 * 1024),
  /** JSON bodies of POST /case/messages: two base64 objects plus the file list. */
  caseMessageBodyBytes: 200 * 1024,
} as const
