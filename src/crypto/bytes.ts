/**
 * Byte helpers for the envelope: hex, base64, UTF-8, concatenation (crypto-js's WordArray
 * conversions are in words.ts, so that code needing only these, such as draft ids, does not pull
 * crypto-js into the H5 home page).
 *
 * Pure and platform-free: no TextEncoder, atob or Buffer, which older WeChat iOS engines lack.
 * Parsers are strict and throw on anything malformed.
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const HEX = '0123456789abcdef'

export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] >>> 4] + HEX[bytes[i] & 15]
  return out
}

/** Parses lowercase or uppercase hex; throws on odd length or any other character. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error('malformed hex string')
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16)
  return out
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_INDEX: Record<string, number> = {}
for (let i = 0; i < B64.length; i++) B64_INDEX[B64[i]] = i

/** Standard base64 (RFC 4648 §4) with padding. */
export function toBase64(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2]
    out += B64[n >>> 18] + B64[(n >>> 12) & 63] + B64[(n >>> 6) & 63] + B64[n & 63]
  }
  if (i + 1 === bytes.length) {
    const n = bytes[i] << 16
    out += B64[n >>> 18] + B64[(n >>> 12) & 63] + '=='
  } else if (i + 2 === bytes.length) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8)
    out += B64[n >>> 18] + B64[(n >>> 12) & 63] + B64[(n >>> 6) & 63] + '='
  }
  return out
}

/**
 * Parses canonical standard base64 with padding: no whitespace, no URL alphabet, no non-zero
 * trailing bits. One value has exactly one accepted encoding, so headers compare as strings.
 */
export function fromBase64(b64: string): Uint8Array {
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:={0,2})$/.test(b64)) throw new Error('malformed base64 string')
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0
  const out = new Uint8Array((b64.length / 4) * 3 - padding)
  let o = 0
  for (let i = 0; i < b64.length; i += 4) {
    const last = i + 4 === b64.length
    const c2 = last && padding === 2 ? 0 : B64_INDEX[b64[i + 2]]
    const c3 = last && padding >= 1 ? 0 : B64_INDEX[b64[i + 3]]
    const n = (B64_INDEX[b64[i]] << 18) | (B64_INDEX[b64[i + 1]] << 12) | (c2 << 6) | c3
    out[o++] = n >>> 16
    if (o < out.length) out[o++] = (n >>> 8) & 0xff
    if (o < out.length) out[o++] = n & 0xff
  }
  if (toBase64(out) !== b64) throw new Error('malformed base64 string (not canonical)')
  return out
}

/**
 * UTF-8 encoding with WHATWG TextEncoder semantics: a lone surrogate becomes U+FFFD, so any JS
 * string (even one an old engine's JSON.stringify left unpaired) encodes.
 */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
        i++
      } else {
        c = 0xfffd
      }
    }
    if (c < 0x80) out.push(c)
    else if (c < 0x800) out.push(0xc0 | (c >>> 6), 0x80 | (c & 63))
    else if (c < 0x10000) out.push(0xe0 | (c >>> 12), 0x80 | ((c >>> 6) & 63), 0x80 | (c & 63))
    else out.push(0xf0 | (c >>> 18), 0x80 | ((c >>> 12) & 63), 0x80 | ((c >>> 6) & 63), 0x80 | (c & 63))
  }
  return new Uint8Array(out)
}

/** Strict UTF-8 decoding: throws on overlong forms, surrogates, truncation and stray bytes. */
export function utf8Decode(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]
    let c: number
    let n: number
    let min: number
    if (b < 0x80) [c, n, min] = [b, 0, 0]
    else if (b >= 0xc2 && b <= 0xdf) [c, n, min] = [b & 0x1f, 1, 0x80]
    else if (b >= 0xe0 && b <= 0xef) [c, n, min] = [b & 0x0f, 2, 0x800]
    else if (b >= 0xf0 && b <= 0xf4) [c, n, min] = [b & 0x07, 3, 0x10000]
    else throw new Error('malformed UTF-8')
    if (i + n >= bytes.length) throw new Error('malformed UTF-8 (truncated)')
    for (let k = 1; k <= n; k++) {
      const cont = bytes[i + k]
      if ((cont & 0xc0) !== 0x80) throw new Error('malformed UTF-8')
      c = (c << 6) | (cont & 0x3f)
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) throw new Error('malformed UTF-8')
    out += String.fromCodePoint(c)
    i += n + 1
  }
  return out
}
