/**
 * Domain-separation constants of the envelope formats (docs/protocol.md). Changing any of these
 * changes every derived key, so they are part of the format, not configuration.
 *
 * Phones make only version 2. Version 1's names stay because reports already queued as v1 in an
 * outbox are still delivered with their v1 header.
 */

export const ENVELOPE_VERSION = 2 as const

export const SUITE = 'x25519-hkdf-sha256-chacha20poly1305-stream64k-padme' as const

/** HKDF info is INFO_PREFIX ‖ label ‖ 0x00 ‖ object nonce. */
export const INFO_PREFIX = 'clue-report/v2/' as const

/** Envelope v1, no longer made on phones (docs/protocol.md §14). */
export const ENVELOPE_VERSION_1 = 1 as const
export const SUITE_V1 = 'x25519-hkdf-sha256-aes256cbc-hmacsha256' as const

/** Label of the report object itself. */
export const REPORT_LABEL = 'report' as const

/** Label of attachment number n (0-based): "attachment/0", "attachment/1", … */
export function attachmentLabel(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`attachment number must be a non-negative integer, got ${n}`)
  return `attachment/${n}`
}

/** Only "report" and "attachment/<n>" (decimal, no leading zeros) are labels; anything else is a bug. */
export function isValidLabel(label: string): boolean {
  if (label === REPORT_LABEL) return true
  const match = /^attachment\/(0|[1-9][0-9]{0,14})$/.exec(label)
  return match !== null && Number.isSafeInteger(Number(match[1]))
}
