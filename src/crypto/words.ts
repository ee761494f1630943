/** Uint8Array <-> crypto-js WordArray (big-endian 32-bit words), for the hashers and the cipher. */
import CryptoJS from 'crypto-js/core'

export type WordArray = CryptoJS.lib.WordArray

/**
 * Packs `length` bytes of `bytes` starting at `offset` into big-endian 32-bit words (crypto-js's
 * layout), writing into `words` from index 0. Bytes past the end of the last word are zero, which
 * crypto-js's hashers rely on (they do not clamp before padding).
 */
export function packWords(bytes: Uint8Array, offset: number, length: number, words: number[]): void {
  const end = offset + length
  const whole = offset + (length & ~3)
  let i = offset
  let j = 0
  for (; i < whole; i += 4, j++) {
    words[j] = (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]
  }
  if (i < end) {
    let word = 0
    for (let shift = 24; i < end; i++, shift -= 8) word |= bytes[i] << shift
    words[j] = word
  }
}

/** Unpacks `length` bytes from big-endian words into `out` at `outOffset`. */
export function unpackWords(words: ArrayLike<number>, length: number, out: Uint8Array, outOffset: number): void {
  const whole = length & ~3
  let o = outOffset
  let j = 0
  for (; j < whole >>> 2; j++, o += 4) {
    const word = words[j]
    out[o] = word >>> 24
    out[o + 1] = (word >>> 16) & 0xff
    out[o + 2] = (word >>> 8) & 0xff
    out[o + 3] = word & 0xff
  }
  for (let k = whole; k < length; k++, o++) out[o] = (words[k >>> 2] >>> (24 - 8 * (k & 3))) & 0xff
}

/** Copies bytes into a new WordArray (crypto-js's lib-typedarrays does this one byte at a time). */
export function toWordArray(bytes: Uint8Array): WordArray {
  const words = new Array<number>((bytes.length + 3) >>> 2)
  packWords(bytes, 0, bytes.length, words)
  return CryptoJS.lib.WordArray.create(words, bytes.length)
}

export function fromWordArray(wordArray: WordArray): Uint8Array {
  const out = new Uint8Array(wordArray.sigBytes)
  unpackWords(wordArray.words, wordArray.sigBytes, out, 0)
  return out
}
