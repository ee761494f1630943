/** One HTTP byte range (RFC 9110 §14.1.2): `bytes=a-b`, `bytes=a-` or `bytes=-n`; multiple ranges are not served. */
import type { ByteRange } from '../blobstore'

/** undefined: no (or an ignorable) Range header, serve the whole object; null: unsatisfiable. */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined | null {
  if (header === undefined) return undefined
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim())
  // Other units or several ranges: RFC 9110 lets a server ignore the header and send everything.
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  if (size === 0) return null
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0) return null
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(match[1])
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  if (start >= size || end < start) return null
  return { start, end }
}
