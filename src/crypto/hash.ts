/**
 * SHA-256 and HMAC-SHA256 over Uint8Array with crypto-js.
 *
 * Envelope v2 hashes only small things (the bureau key for its kid, HKDF's HMACs, a queued v1
 * report's SHA-256 check). crypto-js's update() copies every message into a growing array and
 * splices it off again, so HashSink hands whole 64-byte blocks straight to crypto-js's SHA-256
 * compression function instead, and uses the public update() for the last partial block, so the
 * padding and the result are crypto-js's own. The known-answer tests pin the result.
 */
import CryptoJS from 'crypto-js/core'
import 'crypto-js/sha256'
import 'crypto-js/hmac'
import { toHex } from './bytes'
import { fromWordArray, packWords, toWordArray } from './words'

/**
 * Bytes per slice handed to crypto-js: a multiple of 64 (the SHA-256 block). Arrays
 * over 128 KiB land in V8's large-object space, which measured about 3x slower; 16 KiB slices keep
 * every word array at 32 KiB.
 */
export const SLICE_BYTES = 16 * 1024

type WordArray = CryptoJS.lib.WordArray

/** The crypto-js 4.x hasher internals HashSink uses; checked at run time, else it falls back. */
interface HasherInternals {
  _doProcessBlock(words: number[], offset: number): void
  _nDataBytes: number
  _data: { sigBytes: number }
}

function internalsOf(hasher: unknown): HasherInternals | undefined {
  const h = hasher as Partial<HasherInternals> | undefined
  const usable =
    h !== undefined &&
    typeof h._doProcessBlock === 'function' &&
    typeof h._nDataBytes === 'number' &&
    h._data !== undefined &&
    h._data.sigBytes === 0
  return usable ? (h as HasherInternals) : undefined
}

/** A crypto-js SHA-256 or HMAC-SHA256 computation fed with big-endian words. */
export class HashSink {
  /** Set while whole blocks can go to the compression function; cleared for good once not. */
  private direct: HasherInternals | undefined
  private readonly carry: number[] = new Array<number>(16).fill(0)
  private carryWords = 0
  private done = false

  private constructor(
    private readonly target: { update(data: WordArray): unknown; finalize(data?: WordArray): WordArray },
    inner: unknown,
  ) {
    this.direct = internalsOf(inner)
  }

  /** `direct: false` uses only crypto-js's public update(); tests compare both paths. */
  static sha256(options: { direct?: boolean } = {}): HashSink {
    const hasher = CryptoJS.algo.SHA256.create()
    return new HashSink(hasher, options.direct === false ? undefined : hasher)
  }

  static hmacSha256(key: Uint8Array, options: { direct?: boolean } = {}): HashSink {
    const hmac = CryptoJS.algo.HMAC.create(CryptoJS.algo.SHA256, toWordArray(key))
    // HMAC's inner hash has absorbed the 64-byte ipad block, so it is block-aligned and empty.
    const inner = (hmac as unknown as { _hasher?: unknown })._hasher
    return new HashSink(hmac, options.direct === false ? undefined : inner)
  }

  /** Whether whole blocks still go straight to the compression function. */
  get isDirect(): boolean {
    return this.direct !== undefined
  }

  /**
   * Absorbs the first `byteLength` bytes of `words`. When that is not a multiple of 4, the unused
   * bytes of the last word must be zero (crypto-js pads without clearing them), and later updates
   * take crypto-js's slower byte-wise path. Keeps nothing of `words`: the caller may reuse it.
   */
  updateWords(words: number[], byteLength: number): void {
    if (this.done) throw new Error('hash already finalized')
    const direct = this.direct
    if (direct === undefined || byteLength % 4 !== 0) {
      this.leaveDirect()
      this.target.update(CryptoJS.lib.WordArray.create(words, byteLength))
      return
    }
    const count = byteLength >>> 2
    const carry = this.carry
    let k = 0
    if (this.carryWords > 0) {
      while (this.carryWords < 16 && k < count) carry[this.carryWords++] = words[k++]
      if (this.carryWords < 16) return
      direct._doProcessBlock(carry, 0)
      direct._nDataBytes += 64
      this.carryWords = 0
    }
    const blocksStart = k
    const blocksEnd = k + ((count - k) & ~15)
    for (; k < blocksEnd; k += 16) direct._doProcessBlock(words, k)
    direct._nDataBytes += (blocksEnd - blocksStart) * 4
    while (k < count) carry[this.carryWords++] = words[k++]
  }

  update(bytes: Uint8Array): void {
    this.updateWords(toWordArray(bytes).words, bytes.length)
  }

  finalize(): WordArray {
    if (this.done) throw new Error('hash already finalized')
    this.leaveDirect()
    this.done = true
    return this.target.finalize()
  }

  /** Moves carried words into crypto-js's own buffer; from then on only the public API is used. */
  private leaveDirect(): void {
    if (this.direct === undefined) return
    this.direct = undefined
    if (this.carryWords > 0) this.target.update(CryptoJS.lib.WordArray.create(this.carry.slice(0, this.carryWords), this.carryWords * 4))
    this.carryWords = 0
  }
}

/** Incremental SHA-256 over bytes. */
export class Sha256 {
  private readonly sink = HashSink.sha256()
  private readonly words: number[] = new Array<number>(SLICE_BYTES / 4).fill(0)
  private readonly pending = new Uint8Array(4)
  private pendingLength = 0

  update(bytes: Uint8Array): this {
    let offset = 0
    if (this.pendingLength > 0) {
      offset = Math.min(4 - this.pendingLength, bytes.length)
      this.pending.set(bytes.subarray(0, offset), this.pendingLength)
      this.pendingLength += offset
      if (this.pendingLength < 4) return this
      this.feed(this.pending, 0, 4)
      this.pendingLength = 0
    }
    const aligned = offset + ((bytes.length - offset) & ~3)
    for (let s = offset; s < aligned; s += SLICE_BYTES) this.feed(bytes, s, Math.min(SLICE_BYTES, aligned - s))
    this.pending.set(bytes.subarray(aligned), 0)
    this.pendingLength = bytes.length - aligned
    return this
  }

  digest(): Uint8Array {
    if (this.pendingLength > 0) this.feed(this.pending, 0, this.pendingLength)
    this.pendingLength = 0
    return fromWordArray(this.sink.finalize())
  }

  digestHex(): string {
    return toHex(this.digest())
  }

  private feed(bytes: Uint8Array, offset: number, length: number): void {
    packWords(bytes, offset, length, this.words)
    this.sink.updateWords(this.words, length)
  }
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Sha256().update(bytes).digest()
}

export function sha256Hex(bytes: Uint8Array): string {
  return toHex(sha256(bytes))
}

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const sink = HashSink.hmacSha256(key)
  sink.update(message)
  return fromWordArray(sink.finalize())
}
