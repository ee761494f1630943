/**
 * scrypt (RFC 7914): PBKDF2-HMAC-SHA256, then ROMix (N BlockMix steps filling a table of N blocks
 * of 128·r bytes, N more reading it back in a data-dependent order), then PBKDF2 again. The case
 * keys (src/case/keys.ts) are derived with it from the 查询码 on the phone, in the encryption worker.
 *
 * Written for JavaScript engines without a JIT (iOS WeChat's JavaScriptCore): the whole BlockMix
 * of one 128·r-byte block, Salsa20/8 included, is one function over local variables; the sixteen
 * state words stay in locals from one 64-byte sub-block to the next, each output word is written
 * once straight to its shuffled place (no copies of V_i, no Y buffer), and the XOR with V_j in the
 * second loop happens as the words are loaded. Every intermediate value is an int32 (`| 0`), so
 * nothing is boxed. RFC 7914's vectors and node:crypto pin the result.
 *
 * `Scrypt` runs in steps (`step(budget)`) so that a caller without a worker can spread it over
 * macrotasks, and report progress; `scrypt()` runs it at once.
 */
import { pbkdf2Sha256 } from './pbkdf2'

export interface ScryptParams {
  /** CPU/memory cost: a power of two, 2 to 2^20 here (memory 128·r·N bytes). */
  N: number
  /** Block size factor (8 everywhere in this product). */
  r: number
  /** Parallelization (1 everywhere in this product; run one after another here). */
  p: number
  /** Output bytes. */
  dkLen: number
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/**
 * dst = BlockMix(src) (the first loop of ROMix): 2r Salsa20/8 cores over
 * 64-byte sub-blocks, the state carried in locals, each output sub-block written at its shuffled place.
 */
// prettier-ignore
function blockMix(src: Int32Array, s: number, dst: Int32Array, d: number, r: number): void {
  const last = 32 * r - 16
  let t = 0
  let x0 = src[s + last + 0]
  let x1 = src[s + last + 1]
  let x2 = src[s + last + 2]
  let x3 = src[s + last + 3]
  let x4 = src[s + last + 4]
  let x5 = src[s + last + 5]
  let x6 = src[s + last + 6]
  let x7 = src[s + last + 7]
  let x8 = src[s + last + 8]
  let x9 = src[s + last + 9]
  let x10 = src[s + last + 10]
  let x11 = src[s + last + 11]
  let x12 = src[s + last + 12]
  let x13 = src[s + last + 13]
  let x14 = src[s + last + 14]
  let x15 = src[s + last + 15]
  for (let i = 0; i < 2 * r; i++) {
    const p = s + 16 * i
    const j0 = x0 ^ src[p + 0]
    const j1 = x1 ^ src[p + 1]
    const j2 = x2 ^ src[p + 2]
    const j3 = x3 ^ src[p + 3]
    const j4 = x4 ^ src[p + 4]
    const j5 = x5 ^ src[p + 5]
    const j6 = x6 ^ src[p + 6]
    const j7 = x7 ^ src[p + 7]
    const j8 = x8 ^ src[p + 8]
    const j9 = x9 ^ src[p + 9]
    const j10 = x10 ^ src[p + 10]
    const j11 = x11 ^ src[p + 11]
    const j12 = x12 ^ src[p + 12]
    const j13 = x13 ^ src[p + 13]
    const j14 = x14 ^ src[p + 14]
    const j15 = x15 ^ src[p + 15]
    x0 = j0; x1 = j1; x2 = j2; x3 = j3; x4 = j4; x5 = j5; x6 = j6; x7 = j7; x8 = j8; x9 = j9; x10 = j10; x11 = j11; x12 = j12; x13 = j13; x14 = j14; x15 = j15
    for (let round = 0; round < 4; round++) {
      // Columns.
      x4 ^= ((t = x0 + x12) << 7) | (t >>> 25); x8 ^= ((t = x4 + x0) << 9) | (t >>> 23); x12 ^= ((t = x8 + x4) << 13) | (t >>> 19); x0 ^= ((t = x12 + x8) << 18) | (t >>> 14)
      x9 ^= ((t = x5 + x1) << 7) | (t >>> 25); x13 ^= ((t = x9 + x5) << 9) | (t >>> 23); x1 ^= ((t = x13 + x9) << 13) | (t >>> 19); x5 ^= ((t = x1 + x13) << 18) | (t >>> 14)
      x14 ^= ((t = x10 + x6) << 7) | (t >>> 25); x2 ^= ((t = x14 + x10) << 9) | (t >>> 23); x6 ^= ((t = x2 + x14) << 13) | (t >>> 19); x10 ^= ((t = x6 + x2) << 18) | (t >>> 14)
      x3 ^= ((t = x15 + x11) << 7) | (t >>> 25); x7 ^= ((t = x3 + x15) << 9) | (t >>> 23); x11 ^= ((t = x7 + x3) << 13) | (t >>> 19); x15 ^= ((t = x11 + x7) << 18) | (t >>> 14)
      // Rows.
      x1 ^= ((t = x0 + x3) << 7) | (t >>> 25); x2 ^= ((t = x1 + x0) << 9) | (t >>> 23); x3 ^= ((t = x2 + x1) << 13) | (t >>> 19); x0 ^= ((t = x3 + x2) << 18) | (t >>> 14)
      x6 ^= ((t = x5 + x4) << 7) | (t >>> 25); x7 ^= ((t = x6 + x5) << 9) | (t >>> 23); x4 ^= ((t = x7 + x6) << 13) | (t >>> 19); x5 ^= ((t = x4 + x7) << 18) | (t >>> 14)
      x11 ^= ((t = x10 + x9) << 7) | (t >>> 25); x8 ^= ((t = x11 + x10) << 9) | (t >>> 23); x9 ^= ((t = x8 + x11) << 13) | (t >>> 19); x10 ^= ((t = x9 + x8) << 18) | (t >>> 14)
      x12 ^= ((t = x15 + x14) << 7) | (t >>> 25); x13 ^= ((t = x12 + x15) << 9) | (t >>> 23); x14 ^= ((t = x13 + x12) << 13) | (t >>> 19); x15 ^= ((t = x14 + x13) << 18) | (t >>> 14)
    }
    // Y_i goes to sub-block i/2 (i even) or r + (i - 1)/2 (i odd).
    const o = d + 16 * ((i >>> 1) + (i & 1) * r)
    x0 = (x0 + j0) | 0; dst[o + 0] = x0
    x1 = (x1 + j1) | 0; dst[o + 1] = x1
    x2 = (x2 + j2) | 0; dst[o + 2] = x2
    x3 = (x3 + j3) | 0; dst[o + 3] = x3
    x4 = (x4 + j4) | 0; dst[o + 4] = x4
    x5 = (x5 + j5) | 0; dst[o + 5] = x5
    x6 = (x6 + j6) | 0; dst[o + 6] = x6
    x7 = (x7 + j7) | 0; dst[o + 7] = x7
    x8 = (x8 + j8) | 0; dst[o + 8] = x8
    x9 = (x9 + j9) | 0; dst[o + 9] = x9
    x10 = (x10 + j10) | 0; dst[o + 10] = x10
    x11 = (x11 + j11) | 0; dst[o + 11] = x11
    x12 = (x12 + j12) | 0; dst[o + 12] = x12
    x13 = (x13 + j13) | 0; dst[o + 13] = x13
    x14 = (x14 + j14) | 0; dst[o + 14] = x14
    x15 = (x15 + j15) | 0; dst[o + 15] = x15
  }
}

/**
 * X = BlockMix(src ⊕ mix) (the second loop of ROMix, mix = V_j): 2r Salsa20/8 cores over
 * 64-byte sub-blocks, the state carried in locals, each output sub-block written at its shuffled place.
 */
// prettier-ignore
function blockMixXor(src: Int32Array, s: number, mix: Int32Array, m: number, dst: Int32Array, d: number, r: number): void {
  const last = 32 * r - 16
  let t = 0
  let x0 = src[s + last + 0] ^ mix[m + last + 0]
  let x1 = src[s + last + 1] ^ mix[m + last + 1]
  let x2 = src[s + last + 2] ^ mix[m + last + 2]
  let x3 = src[s + last + 3] ^ mix[m + last + 3]
  let x4 = src[s + last + 4] ^ mix[m + last + 4]
  let x5 = src[s + last + 5] ^ mix[m + last + 5]
  let x6 = src[s + last + 6] ^ mix[m + last + 6]
  let x7 = src[s + last + 7] ^ mix[m + last + 7]
  let x8 = src[s + last + 8] ^ mix[m + last + 8]
  let x9 = src[s + last + 9] ^ mix[m + last + 9]
  let x10 = src[s + last + 10] ^ mix[m + last + 10]
  let x11 = src[s + last + 11] ^ mix[m + last + 11]
  let x12 = src[s + last + 12] ^ mix[m + last + 12]
  let x13 = src[s + last + 13] ^ mix[m + last + 13]
  let x14 = src[s + last + 14] ^ mix[m + last + 14]
  let x15 = src[s + last + 15] ^ mix[m + last + 15]
  for (let i = 0; i < 2 * r; i++) {
    const p = s + 16 * i
    const q = m + 16 * i
    const j0 = x0 ^ src[p + 0] ^ mix[q + 0]
    const j1 = x1 ^ src[p + 1] ^ mix[q + 1]
    const j2 = x2 ^ src[p + 2] ^ mix[q + 2]
    const j3 = x3 ^ src[p + 3] ^ mix[q + 3]
    const j4 = x4 ^ src[p + 4] ^ mix[q + 4]
    const j5 = x5 ^ src[p + 5] ^ mix[q + 5]
    const j6 = x6 ^ src[p + 6] ^ mix[q + 6]
    const j7 = x7 ^ src[p + 7] ^ mix[q + 7]
    const j8 = x8 ^ src[p + 8] ^ mix[q + 8]
    const j9 = x9 ^ src[p + 9] ^ mix[q + 9]
    const j10 = x10 ^ src[p + 10] ^ mix[q + 10]
    const j11 = x11 ^ src[p + 11] ^ mix[q + 11]
    const j12 = x12 ^ src[p + 12] ^ mix[q + 12]
    const j13 = x13 ^ src[p + 13] ^ mix[q + 13]
    const j14 = x14 ^ src[p + 14] ^ mix[q + 14]
    const j15 = x15 ^ src[p + 15] ^ mix[q + 15]
    x0 = j0; x1 = j1; x2 = j2; x3 = j3; x4 = j4; x5 = j5; x6 = j6; x7 = j7; x8 = j8; x9 = j9; x10 = j10; x11 = j11; x12 = j12; x13 = j13; x14 = j14; x15 = j15
    for (let round = 0; round < 4; round++) {
      // Columns.
      x4 ^= ((t = x0 + x12) << 7) | (t >>> 25); x8 ^= ((t = x4 + x0) << 9) | (t >>> 23); x12 ^= ((t = x8 + x4) << 13) | (t >>> 19); x0 ^= ((t = x12 + x8) << 18) | (t >>> 14)
      x9 ^= ((t = x5 + x1) << 7) | (t >>> 25); x13 ^= ((t = x9 + x5) << 9) | (t >>> 23); x1 ^= ((t = x13 + x9) << 13) | (t >>> 19); x5 ^= ((t = x1 + x13) << 18) | (t >>> 14)
      x14 ^= ((t = x10 + x6) << 7) | (t >>> 25); x2 ^= ((t = x14 + x10) << 9) | (t >>> 23); x6 ^= ((t = x2 + x14) << 13) | (t >>> 19); x10 ^= ((t = x6 + x2) << 18) | (t >>> 14)
      x3 ^= ((t = x15 + x11) << 7) | (t >>> 25); x7 ^= ((t = x3 + x15) << 9) | (t >>> 23); x11 ^= ((t = x7 + x3) << 13) | (t >>> 19); x15 ^= ((t = x11 + x7) << 18) | (t >>> 14)
      // Rows.
      x1 ^= ((t = x0 + x3) << 7) | (t >>> 25); x2 ^= ((t = x1 + x0) << 9) | (t >>> 23); x3 ^= ((t = x2 + x1) << 13) | (t >>> 19); x0 ^= ((t = x3 + x2) << 18) | (t >>> 14)
      x6 ^= ((t = x5 + x4) << 7) | (t >>> 25); x7 ^= ((t = x6 + x5) << 9) | (t >>> 23); x4 ^= ((t = x7 + x6) << 13) | (t >>> 19); x5 ^= ((t = x4 + x7) << 18) | (t >>> 14)
      x11 ^= ((t = x10 + x9) << 7) | (t >>> 25); x8 ^= ((t = x11 + x10) << 9) | (t >>> 23); x9 ^= ((t = x8 + x11) << 13) | (t >>> 19); x10 ^= ((t = x9 + x8) << 18) | (t >>> 14)
      x12 ^= ((t = x15 + x14) << 7) | (t >>> 25); x13 ^= ((t = x12 + x15) << 9) | (t >>> 23); x14 ^= ((t = x13 + x12) << 13) | (t >>> 19); x15 ^= ((t = x14 + x13) << 18) | (t >>> 14)
    }
    // Y_i goes to sub-block i/2 (i even) or r + (i - 1)/2 (i odd).
    const o = d + 16 * ((i >>> 1) + (i & 1) * r)
    x0 = (x0 + j0) | 0; dst[o + 0] = x0
    x1 = (x1 + j1) | 0; dst[o + 1] = x1
    x2 = (x2 + j2) | 0; dst[o + 2] = x2
    x3 = (x3 + j3) | 0; dst[o + 3] = x3
    x4 = (x4 + j4) | 0; dst[o + 4] = x4
    x5 = (x5 + j5) | 0; dst[o + 5] = x5
    x6 = (x6 + j6) | 0; dst[o + 6] = x6
    x7 = (x7 + j7) | 0; dst[o + 7] = x7
    x8 = (x8 + j8) | 0; dst[o + 8] = x8
    x9 = (x9 + j9) | 0; dst[o + 9] = x9
    x10 = (x10 + j10) | 0; dst[o + 10] = x10
    x11 = (x11 + j11) | 0; dst[o + 11] = x11
    x12 = (x12 + j12) | 0; dst[o + 12] = x12
    x13 = (x13 + j13) | 0; dst[o + 13] = x13
    x14 = (x14 + j14) | 0; dst[o + 14] = x14
    x15 = (x15 + j15) | 0; dst[o + 15] = x15
  }
}

function checkParams({ N, r, p, dkLen }: ScryptParams): void {
  if (!Number.isSafeInteger(N) || N < 2 || N > 1 << 20 || (N & (N - 1)) !== 0) throw new Error(`scrypt: N must be a power of two from 2 to 2^20, got ${N}`)
  if (!Number.isSafeInteger(r) || r < 1 || r > 32) throw new Error(`scrypt: r must be 1 to 32, got ${r}`)
  if (!Number.isSafeInteger(p) || p < 1 || p > 16) throw new Error(`scrypt: p must be 1 to 16, got ${p}`)
  if (!Number.isSafeInteger(dkLen) || dkLen < 1 || dkLen > 1024) throw new Error(`scrypt: dkLen must be 1 to 1024, got ${dkLen}`)
}

function readWordsLE(bytes: Uint8Array, offset: number, out: Int32Array): void {
  if (LITTLE_ENDIAN && ((bytes.byteOffset + offset) & 3) === 0) {
    out.set(new Int32Array(bytes.buffer, bytes.byteOffset + offset, out.length))
    return
  }
  for (let i = 0; i < out.length; i++) {
    const k = offset + 4 * i
    out[i] = bytes[k] | (bytes[k + 1] << 8) | (bytes[k + 2] << 16) | (bytes[k + 3] << 24)
  }
}

function writeWordsLE(words: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]
    const k = offset + 4 * i
    bytes[k] = w & 0xff
    bytes[k + 1] = (w >>> 8) & 0xff
    bytes[k + 2] = (w >>> 16) & 0xff
    bytes[k + 3] = w >>> 24
  }
}

/**
 * One scrypt computation, run in steps. Memory: the table V (128·r·N bytes: 16 MiB for N = 2^14,
 * r = 8) plus three blocks, allocated at construction and zeroed when it finishes.
 */
export class Scrypt {
  /** BlockMix calls in all: 2N per lane. */
  readonly total: number
  private readonly password: Uint8Array
  private readonly params: ScryptParams
  /** B = PBKDF2(P, S, 1, p·128·r), then each lane replaced by ROMix of it. */
  private readonly b: Uint8Array
  private v: Int32Array
  private x: Int32Array
  private y: Int32Array
  private lane = 0
  /** BlockMix calls done in this lane (0 … 2N). */
  private i = 0
  private done = 0
  private output: Uint8Array | undefined

  constructor(password: Uint8Array, salt: Uint8Array, params: ScryptParams) {
    checkParams(params)
    if (!(password instanceof Uint8Array) || !(salt instanceof Uint8Array)) throw new Error('scrypt: password and salt must be bytes')
    this.params = { ...params }
    this.password = password.slice()
    const words = 32 * params.r
    this.b = pbkdf2Sha256(this.password, salt, 1, params.p * 128 * params.r)
    this.v = new Int32Array(words * params.N)
    this.x = new Int32Array(words)
    this.y = new Int32Array(words)
    this.total = 2 * params.N * params.p
    readWordsLE(this.b, 0, this.v.subarray(0, words))
  }

  /** Fraction of the work done, 0 … 1. */
  get progress(): number {
    return this.done / this.total
  }

  get finished(): boolean {
    return this.output !== undefined
  }

  /** Runs at most `budget` BlockMix calls; true once the result is ready. */
  step(budget: number): boolean {
    if (this.output) return true
    const { N, r, p, dkLen } = this.params
    const words = 32 * r
    const v = this.v
    let left = Math.max(1, Math.floor(budget))
    while (left > 0 && this.lane < p) {
      if (this.i < N - 1) {
        // First loop: V_{i+1} = BlockMix(V_i), written in place in the table.
        const end = Math.min(N - 1, this.i + left)
        for (let i = this.i; i < end; i++) blockMix(v, i * words, v, (i + 1) * words, r)
        left -= end - this.i
        this.done += end - this.i
        this.i = end
        continue
      }
      if (this.i === N - 1) {
        blockMix(v, (N - 1) * words, this.x, 0, r)
        this.i += 1
        this.done += 1
        left -= 1
        continue
      }
      // Second loop: X = BlockMix(X xor V_j), j = Integerify(X) mod N.
      const end = Math.min(2 * N, this.i + left)
      let x = this.x
      let y = this.y
      const lastWord = words - 16
      for (let i = this.i; i < end; i++) {
        const j = x[lastWord] & (N - 1)
        blockMixXor(x, 0, v, j * words, y, 0, r)
        const swap = x
        x = y
        y = swap
      }
      this.x = x
      this.y = y
      left -= end - this.i
      this.done += end - this.i
      this.i = end
      if (this.i === 2 * N) {
        writeWordsLE(this.x, this.b, this.lane * 128 * r)
        this.lane += 1
        this.i = 0
        if (this.lane < p) readWordsLE(this.b, this.lane * 128 * r, v.subarray(0, words))
      }
    }
    if (this.lane < p) return false
    this.output = pbkdf2Sha256(this.password, this.b, 1, dkLen)
    this.wipe()
    return true
  }

  /** The derived key (after step() answered true). */
  result(): Uint8Array {
    if (!this.output) throw new Error('scrypt: not finished')
    return this.output.slice()
  }

  /** Zeroes and drops the table and the intermediate state (also when abandoned). */
  wipe(): void {
    this.v.fill(0)
    this.x.fill(0)
    this.y.fill(0)
    this.b.fill(0)
    this.password.fill(0)
    this.v = new Int32Array(0)
  }
}

/** scrypt(password, salt, N, r, p, dkLen) in one call. */
export function scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Uint8Array {
  const job = new Scrypt(password, salt, params)
  job.step(job.total)
  return job.result()
}
