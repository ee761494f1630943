/**
 * ChaCha20 (RFC 8439 §2.3–2.4): 256-bit key, 96-bit nonce, 32-bit block counter.
 *
 * Written for JavaScript engines without a JIT (iOS WeChat runs JavaScriptCore without one): the
 * 20 rounds are unrolled over sixteen local variables, rotations are written out instead of
 * called (a call per rotation tripled the time in `node --jitless`), and whole 4-byte words are
 * XORed through Uint32Array views when the buffers allow it. Every intermediate value stays a
 * 32-bit integer, so nothing is boxed. RFC 8439's vectors and node:crypto pin the result.
 */

export const CHACHA20_KEY_LENGTH = 32
export const CHACHA20_NONCE_LENGTH = 12
const BLOCK = 64

/** True on little-endian engines (every phone): then Uint32Array views read ChaCha's words directly. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** Key and nonce as the 16-word ChaCha state minus the counter, ready for many blocks. */
export interface ChaChaKey {
  /** Words 4..11: the key. */
  readonly k: Int32Array
  /** Words 13..15: the nonce. */
  readonly n: Int32Array
}

function readWordLE(bytes: Uint8Array, i: number): number {
  return bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)
}

export function chachaKey(key: Uint8Array, nonce: Uint8Array): ChaChaKey {
  if (!(key instanceof Uint8Array) || key.length !== CHACHA20_KEY_LENGTH) throw new Error('ChaCha20 key must be 32 bytes')
  if (!(nonce instanceof Uint8Array) || nonce.length !== CHACHA20_NONCE_LENGTH) throw new Error('ChaCha20 nonce must be 12 bytes')
  const k = new Int32Array(8)
  for (let i = 0; i < 8; i++) k[i] = readWordLE(key, 4 * i)
  const n = new Int32Array(3)
  for (let i = 0; i < 3; i++) n[i] = readWordLE(nonce, 4 * i)
  return { k, n }
}

/**
 * Writes the 64-byte keystream block for `counter` into `out` (16 words, little-endian order of
 * the RFC's serialization when viewed as bytes on a little-endian engine).
 */
// prettier-ignore
export function chachaBlock(key: ChaChaKey, counter: number, out: Int32Array): void {
  const k = key.k
  const n = key.n
  const j4 = k[0], j5 = k[1], j6 = k[2], j7 = k[3], j8 = k[4], j9 = k[5], j10 = k[6], j11 = k[7]
  const j12 = counter | 0, j13 = n[0], j14 = n[1], j15 = n[2]
  // "expand 32-byte k"
  let x0 = 0x61707865, x1 = 0x3320646e, x2 = 0x79622d32, x3 = 0x6b206574
  let x4 = j4, x5 = j5, x6 = j6, x7 = j7, x8 = j8, x9 = j9, x10 = j10, x11 = j11
  let x12 = j12, x13 = j13, x14 = j14, x15 = j15
  let t = 0
  for (let round = 0; round < 10; round++) {
    // Column rounds.
    x0 = (x0 + x4) | 0; t = x12 ^ x0; x12 = (t << 16) | (t >>> 16)
    x8 = (x8 + x12) | 0; t = x4 ^ x8; x4 = (t << 12) | (t >>> 20)
    x0 = (x0 + x4) | 0; t = x12 ^ x0; x12 = (t << 8) | (t >>> 24)
    x8 = (x8 + x12) | 0; t = x4 ^ x8; x4 = (t << 7) | (t >>> 25)
    x1 = (x1 + x5) | 0; t = x13 ^ x1; x13 = (t << 16) | (t >>> 16)
    x9 = (x9 + x13) | 0; t = x5 ^ x9; x5 = (t << 12) | (t >>> 20)
    x1 = (x1 + x5) | 0; t = x13 ^ x1; x13 = (t << 8) | (t >>> 24)
    x9 = (x9 + x13) | 0; t = x5 ^ x9; x5 = (t << 7) | (t >>> 25)
    x2 = (x2 + x6) | 0; t = x14 ^ x2; x14 = (t << 16) | (t >>> 16)
    x10 = (x10 + x14) | 0; t = x6 ^ x10; x6 = (t << 12) | (t >>> 20)
    x2 = (x2 + x6) | 0; t = x14 ^ x2; x14 = (t << 8) | (t >>> 24)
    x10 = (x10 + x14) | 0; t = x6 ^ x10; x6 = (t << 7) | (t >>> 25)
    x3 = (x3 + x7) | 0; t = x15 ^ x3; x15 = (t << 16) | (t >>> 16)
    x11 = (x11 + x15) | 0; t = x7 ^ x11; x7 = (t << 12) | (t >>> 20)
    x3 = (x3 + x7) | 0; t = x15 ^ x3; x15 = (t << 8) | (t >>> 24)
    x11 = (x11 + x15) | 0; t = x7 ^ x11; x7 = (t << 7) | (t >>> 25)
    // Diagonal rounds.
    x0 = (x0 + x5) | 0; t = x15 ^ x0; x15 = (t << 16) | (t >>> 16)
    x10 = (x10 + x15) | 0; t = x5 ^ x10; x5 = (t << 12) | (t >>> 20)
    x0 = (x0 + x5) | 0; t = x15 ^ x0; x15 = (t << 8) | (t >>> 24)
    x10 = (x10 + x15) | 0; t = x5 ^ x10; x5 = (t << 7) | (t >>> 25)
    x1 = (x1 + x6) | 0; t = x12 ^ x1; x12 = (t << 16) | (t >>> 16)
    x11 = (x11 + x12) | 0; t = x6 ^ x11; x6 = (t << 12) | (t >>> 20)
    x1 = (x1 + x6) | 0; t = x12 ^ x1; x12 = (t << 8) | (t >>> 24)
    x11 = (x11 + x12) | 0; t = x6 ^ x11; x6 = (t << 7) | (t >>> 25)
    x2 = (x2 + x7) | 0; t = x13 ^ x2; x13 = (t << 16) | (t >>> 16)
    x8 = (x8 + x13) | 0; t = x7 ^ x8; x7 = (t << 12) | (t >>> 20)
    x2 = (x2 + x7) | 0; t = x13 ^ x2; x13 = (t << 8) | (t >>> 24)
    x8 = (x8 + x13) | 0; t = x7 ^ x8; x7 = (t << 7) | (t >>> 25)
    x3 = (x3 + x4) | 0; t = x14 ^ x3; x14 = (t << 16) | (t >>> 16)
    x9 = (x9 + x14) | 0; t = x4 ^ x9; x4 = (t << 12) | (t >>> 20)
    x3 = (x3 + x4) | 0; t = x14 ^ x3; x14 = (t << 8) | (t >>> 24)
    x9 = (x9 + x14) | 0; t = x4 ^ x9; x4 = (t << 7) | (t >>> 25)
  }
  out[0] = (x0 + 0x61707865) | 0; out[1] = (x1 + 0x3320646e) | 0; out[2] = (x2 + 0x79622d32) | 0; out[3] = (x3 + 0x6b206574) | 0
  out[4] = (x4 + j4) | 0; out[5] = (x5 + j5) | 0; out[6] = (x6 + j6) | 0; out[7] = (x7 + j7) | 0
  out[8] = (x8 + j8) | 0; out[9] = (x9 + j9) | 0; out[10] = (x10 + j10) | 0; out[11] = (x11 + j11) | 0
  out[12] = (x12 + j12) | 0; out[13] = (x13 + j13) | 0; out[14] = (x14 + j14) | 0; out[15] = (x15 + j15) | 0
}

/**
 * XORs `length` bytes of `input` at `inOffset` with the keystream starting at block `counter`,
 * into `output` at `outOffset` (may be the same buffer and offset). Returns the next counter.
 */
export function chachaXor(
  key: ChaChaKey,
  counter: number,
  input: Uint8Array,
  inOffset: number,
  output: Uint8Array,
  outOffset: number,
  length: number,
): number {
  if (!Number.isSafeInteger(counter) || counter < 0 || counter + Math.ceil(length / BLOCK) > 0x100000000) {
    throw new Error('ChaCha20 block counter out of range')
  }
  const ks = new Int32Array(16)
  const ksBytes = new Uint8Array(ks.buffer)
  const inAt = input.byteOffset + inOffset
  const outAt = output.byteOffset + outOffset
  const words = LITTLE_ENDIAN && (inAt & 3) === 0 && (outAt & 3) === 0
  const whole = length - (length % BLOCK)
  let done = 0
  if (words && whole > 0) {
    const src = new Int32Array(input.buffer, inAt, whole >>> 2)
    const dst = new Int32Array(output.buffer, outAt, whole >>> 2)
    for (let w = 0; w < src.length; w += 16) {
      chachaBlock(key, counter++, ks)
      dst[w] = src[w] ^ ks[0]
      dst[w + 1] = src[w + 1] ^ ks[1]
      dst[w + 2] = src[w + 2] ^ ks[2]
      dst[w + 3] = src[w + 3] ^ ks[3]
      dst[w + 4] = src[w + 4] ^ ks[4]
      dst[w + 5] = src[w + 5] ^ ks[5]
      dst[w + 6] = src[w + 6] ^ ks[6]
      dst[w + 7] = src[w + 7] ^ ks[7]
      dst[w + 8] = src[w + 8] ^ ks[8]
      dst[w + 9] = src[w + 9] ^ ks[9]
      dst[w + 10] = src[w + 10] ^ ks[10]
      dst[w + 11] = src[w + 11] ^ ks[11]
      dst[w + 12] = src[w + 12] ^ ks[12]
      dst[w + 13] = src[w + 13] ^ ks[13]
      dst[w + 14] = src[w + 14] ^ ks[14]
      dst[w + 15] = src[w + 15] ^ ks[15]
    }
    done = whole
  }
  // Byte path: a big-endian engine, unaligned buffers, or the last partial block.
  while (done < length) {
    chachaBlock(key, counter++, ks)
    if (!LITTLE_ENDIAN) for (let w = 0; w < 16; w++) writeWordLE(ksBytes, 4 * w, ks[w])
    const n = Math.min(BLOCK, length - done)
    for (let i = 0; i < n; i++) output[outOffset + done + i] = input[inOffset + done + i] ^ ksBytes[i]
    done += n
  }
  ks.fill(0)
  return counter
}

function writeWordLE(bytes: Uint8Array, i: number, w: number): void {
  bytes[i] = w & 0xff
  bytes[i + 1] = (w >>> 8) & 0xff
  bytes[i + 2] = (w >>> 16) & 0xff
  bytes[i + 3] = w >>> 24
}

/** The first 32 bytes of block 0: the Poly1305 one-time key of RFC 8439 §2.6. */
export function poly1305KeyGen(key: ChaChaKey): Uint8Array {
  const ks = new Int32Array(16)
  chachaBlock(key, 0, ks)
  const out = new Uint8Array(32)
  for (let w = 0; w < 8; w++) writeWordLE(out, 4 * w, ks[w])
  ks.fill(0)
  return out
}
