/**
 * Hard limits of the intake API. Sizes are of ciphertext, as the server never sees plaintext.
 *
 * Ciphertext layout (see src/crypto): iv(16) ‖ AES-256-CBC(PKCS#7) ‖ HMAC-SHA256 tag(32), so an
 * object of n plaintext bytes is 16 + (floor(n/16) + 1) * 16 + 32 bytes.
 */

export const MiB = 1024 * 1024

/** Ciphertext size of an n-byte plaintext. */
export function ciphertextSize(plaintextBytes: number): number {
  return 16 + (Math.floor(plaintextBytes / 16) + 1) * 16 + 32
}

/** Smallest ciphertext (empty plaintext): iv + one padding block + tag. */
export const MIN_CIPHERTEXT = ciphertextSize(0)

/** True when `n` is a size the envelope can produce. */
export function isCiphertextSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= MIN_CIPHERTEXT && (n - 48) % 16 === 0
}

export const LIMITS = {
  /** Attachments per submission. */
  maxAttachments: 20,
  /** 20 MiB of plaintext per attachment, i.e. this much ciphertext. */
  maxAttachmentBytes: ciphertextSize(20 * MiB),
  /** 100 MiB of attachment plaintext per submission, plus at most 64 bytes of envelope per file. */
  maxSubmissionBytes: 100 * MiB + 20 * 64,
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
} as const
