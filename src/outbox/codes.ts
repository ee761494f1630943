/**
 * The receipt (查询码) and the idempotency key, drawn from the platform's secure random source.
 * Only the secure random source (no pseudo-random fallback): a guessable receipt would let anyone read a report's status.
 */
import { randomBytes } from '@/platform/random'

export const RECEIPT_DIGITS = 16

/**
 * 16 uniform decimal digits. Bytes of 250 and above are rejected (250 = 25 × 10), so every digit
 * is equally likely; leading zeros are kept.
 */
export async function newReceipt(random: (n: number) => Promise<Uint8Array> = randomBytes): Promise<string> {
  let out = ''
  while (out.length < RECEIPT_DIGITS) {
    const bytes = await random(RECEIPT_DIGITS + 4)
    for (const b of bytes) {
      if (b < 250 && out.length < RECEIPT_DIGITS) out += String(b % 10)
    }
  }
  return out
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2]
    out += B64URL[n >>> 18] + B64URL[(n >>> 12) & 63] + B64URL[(n >>> 6) & 63] + B64URL[n & 63]
  }
  if (i + 1 === bytes.length) {
    const n = bytes[i] << 16
    out += B64URL[n >>> 18] + B64URL[(n >>> 12) & 63]
  } else if (i + 2 === bytes.length) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8)
    out += B64URL[n >>> 18] + B64URL[(n >>> 12) & 63] + B64URL[(n >>> 6) & 63]
  }
  return out
}

/** 24 random bytes as 32 base64url characters (the server accepts 22–64 of [A-Za-z0-9_-]). */
export async function newIdempotencyKey(): Promise<string> {
  return toBase64Url(await randomBytes(24))
}

/** "1234567890123456" → "1234 5678 9012 3456". */
export function groupReceipt(receipt: string): string {
  return receipt.replace(/(\d{4})(?=\d)/g, '$1 ')
}

export type ReceiptCheck = { ok: true; receipt: string } | { ok: false; message: string }

/**
 * Checks what a resident typed: 16 digits, with spaces or dashes anywhere; full-width digits (a
 * Chinese keyboard's) count as digits.
 */
export function parseReceiptInput(text: string): ReceiptCheck {
  const compact = text
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[\s\-－—　]/g, '')
  if (compact === '') return { ok: false, message: '请输入 16 位查询码' }
  if (!/^\d+$/.test(compact)) return { ok: false, message: '查询码只包含数字，请检查是否输错' }
  if (compact.length !== RECEIPT_DIGITS) return { ok: false, message: `查询码是 16 位数字，您输入了 ${compact.length} 位` }
  return { ok: true, receipt: compact }
}
