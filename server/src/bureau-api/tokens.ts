/**
 * Workstation tokens for the bureau API: `cw1_` and 43 base64url characters (32 bytes from the
 * operating system's secure random source). The server keeps only SHA-256 of the whole token: a
 * 256-bit secret needs no slow hash, and a stolen database holds nothing that authenticates.
 */
import { createHash, randomBytes } from 'node:crypto'

export const TOKEN_PREFIX = 'cw1_'
export const TOKEN_PATTERN = /^cw1_[A-Za-z0-9_-]{43}$/
export const TOKEN_ID_PATTERN = /^[0-9a-f]{16}$/
/** Branch codes as the campaign configuration writes them. */
export const BRANCH_CODE_PATTERN = /^[a-z0-9_-]{1,32}$/

export function newTokenSecret(): string {
  // randomBytes throws rather than return weak bytes: no token without a secure source.
  return TOKEN_PREFIX + randomBytes(32).toString('base64url')
}

export function newTokenId(): string {
  return randomBytes(8).toString('hex')
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

/** The token from an `Authorization: Bearer …` header, strictly parsed; undefined when absent, null when malformed. */
export function bearerToken(header: string | undefined): string | undefined | null {
  if (header === undefined || header === '') return undefined
  const match = /^Bearer ([^\s]+)$/.exec(header)
  if (!match || !TOKEN_PATTERN.test(match[1])) return null
  return match[1]
}
