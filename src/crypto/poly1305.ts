/**
 * Poly1305 (RFC 8439 §2.5): the one-time authenticator of ChaCha20-Poly1305.
 *
 * Arithmetic modulo 2^130 - 5 on ten 13-bit limbs (the layout of poly1305-donna-16), so every
 * product and partial sum fits a 32-bit integer: engines without a JIT keep them unboxed. Unlike
 * a block-at-a-time implementation, `update` keeps the accumulator and the key in local variables
 * across all the blocks it is given and reads the message as 16-bit words, which is what makes it
 * fast in an interpreter. RFC 8439's vectors and node:crypto pin the result.
 */

export const POLY1305_KEY_LENGTH = 32
export const POLY1305_TAG_LENGTH = 16

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

export class Poly1305 {
  /** r, clamped, in 13-bit limbs. */
  private readonly r = new Int32Array(10)
  /** The accumulator h in 13-bit limbs (the top limb may exceed 13 bits between blocks). */
  private readonly h = new Int32Array(10)
  /** s, the second half of the key, as eight little-endian 16-bit words. */
  private readonly pad = new Int32Array(8)
  private readonly buffer = new Uint8Array(16)
  private buffered = 0
  private finished = false

  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.length !== POLY1305_KEY_LENGTH) throw new Error('Poly1305 key must be 32 bytes')
    const t = (i: number) => key[i] | (key[i + 1] << 8)
    const t0 = t(0), t1 = t(2), t2 = t(4), t3 = t(6), t4 = t(8), t5 = t(10), t6 = t(12), t7 = t(14)
    // The clamping of RFC 8439 §2.5.1, applied while splitting into limbs.
    const r = this.r
    r[0] = t0 & 0x1fff
    r[1] = ((t0 >>> 13) | (t1 << 3)) & 0x1fff
    r[2] = ((t1 >>> 10) | (t2 << 6)) & 0x1f03
    r[3] = ((t2 >>> 7) | (t3 << 9)) & 0x1fff
    r[4] = ((t3 >>> 4) | (t4 << 12)) & 0x00ff
    r[5] = (t4 >>> 1) & 0x1ffe
    r[6] = ((t4 >>> 14) | (t5 << 2)) & 0x1fff
    r[7] = ((t5 >>> 11) | (t6 << 5)) & 0x1f81
    r[8] = ((t6 >>> 8) | (t7 << 8)) & 0x1fff
    r[9] = (t7 >>> 5) & 0x007f
    for (let i = 0; i < 8; i++) this.pad[i] = t(16 + 2 * i)
  }

  update(data: Uint8Array): this {
    if (this.finished) throw new Error('Poly1305: update after digest')
    let offset = 0
    const length = data.length
    if (this.buffered > 0) {
      const take = Math.min(16 - this.buffered, length)
      this.buffer.set(data.subarray(0, take), this.buffered)
      this.buffered += take
      offset = take
      if (this.buffered < 16) return this
      this.blocks(this.buffer, 0, 16, 1 << 11)
      this.buffered = 0
    }
    const whole = offset + ((length - offset) & ~15)
    if (whole > offset) this.blocks(data, offset, whole - offset, 1 << 11)
    if (whole < length) {
      this.buffer.set(data.subarray(whole), 0)
      this.buffered = length - whole
    }
    return this
  }

  /** The 16-byte tag. The object cannot be used afterwards. */
  digest(): Uint8Array {
    if (this.finished) throw new Error('Poly1305: digest called twice')
    this.finished = true
    if (this.buffered > 0) {
      // The last partial block gets its 1 byte here and no 2^128 bit.
      const block = this.buffer
      block[this.buffered] = 1
      block.fill(0, this.buffered + 1)
      this.blocks(block, 0, 16, 0)
    }
    const h = this.h
    // Full carry, then h mod p, then + s (RFC 8439 §2.5.1), as in poly1305-donna-16.
    let c = h[1] >>> 13
    h[1] &= 0x1fff
    for (let i = 2; i < 10; i++) {
      h[i] += c
      c = h[i] >>> 13
      h[i] &= 0x1fff
    }
    h[0] += c * 5
    c = h[0] >>> 13
    h[0] &= 0x1fff
    h[1] += c
    c = h[1] >>> 13
    h[1] &= 0x1fff
    h[2] += c
    const g = new Int32Array(10)
    g[0] = h[0] + 5
    c = g[0] >>> 13
    g[0] &= 0x1fff
    for (let i = 1; i < 10; i++) {
      g[i] = h[i] + c
      c = g[i] >>> 13
      g[i] &= 0x1fff
    }
    g[9] -= 1 << 13
    // Constant-time select: g when h >= p (no borrow), else h.
    let mask = (c ^ 1) - 1
    for (let i = 0; i < 10; i++) g[i] &= mask
    mask = ~mask
    for (let i = 0; i < 10; i++) h[i] = (h[i] & mask) | g[i]
    const w = new Int32Array(8)
    w[0] = (h[0] | (h[1] << 13)) & 0xffff
    w[1] = ((h[1] >>> 3) | (h[2] << 10)) & 0xffff
    w[2] = ((h[2] >>> 6) | (h[3] << 7)) & 0xffff
    w[3] = ((h[3] >>> 9) | (h[4] << 4)) & 0xffff
    w[4] = ((h[4] >>> 12) | (h[5] << 1) | (h[6] << 14)) & 0xffff
    w[5] = ((h[6] >>> 2) | (h[7] << 11)) & 0xffff
    w[6] = ((h[7] >>> 5) | (h[8] << 8)) & 0xffff
    w[7] = ((h[8] >>> 8) | (h[9] << 5)) & 0xffff
    const tag = new Uint8Array(16)
    let f = 0
    for (let i = 0; i < 8; i++) {
      f = w[i] + this.pad[i] + (f >>> 16)
      tag[2 * i] = f & 0xff
      tag[2 * i + 1] = (f >>> 8) & 0xff
    }
    this.r.fill(0)
    this.h.fill(0)
    this.pad.fill(0)
    g.fill(0)
    w.fill(0)
    this.buffer.fill(0)
    return tag
  }

  /** Absorbs `length` bytes (a multiple of 16) at `offset`; `hibit` is 2^128 in limb 9's units. */
  // prettier-ignore
  private blocks(data: Uint8Array, offset: number, length: number, hibit: number): void {
    const r = this.r
    const h = this.h
    const r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5], r6 = r[6], r7 = r[7], r8 = r[8], r9 = r[9]
    const s1 = 5 * r1, s2 = 5 * r2, s3 = 5 * r3, s4 = 5 * r4, s5 = 5 * r5, s6 = 5 * r6, s7 = 5 * r7, s8 = 5 * r8, s9 = 5 * r9
    let h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7], h8 = h[8], h9 = h[9]
    const at = data.byteOffset + offset
    const u16 = LITTLE_ENDIAN && (at & 1) === 0 ? new Uint16Array(data.buffer, at, length >>> 1) : undefined
    let c = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0, d7 = 0, d8 = 0, d9 = 0
    let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0
    for (let p = 0; p < length; p += 16) {
      if (u16 !== undefined) {
        const q = p >>> 1
        t0 = u16[q]; t1 = u16[q + 1]; t2 = u16[q + 2]; t3 = u16[q + 3]
        t4 = u16[q + 4]; t5 = u16[q + 5]; t6 = u16[q + 6]; t7 = u16[q + 7]
      } else {
        const i = offset + p
        t0 = data[i] | (data[i + 1] << 8); t1 = data[i + 2] | (data[i + 3] << 8)
        t2 = data[i + 4] | (data[i + 5] << 8); t3 = data[i + 6] | (data[i + 7] << 8)
        t4 = data[i + 8] | (data[i + 9] << 8); t5 = data[i + 10] | (data[i + 11] << 8)
        t6 = data[i + 12] | (data[i + 13] << 8); t7 = data[i + 14] | (data[i + 15] << 8)
      }
      h0 += t0 & 0x1fff
      h1 += ((t0 >>> 13) | (t1 << 3)) & 0x1fff
      h2 += ((t1 >>> 10) | (t2 << 6)) & 0x1fff
      h3 += ((t2 >>> 7) | (t3 << 9)) & 0x1fff
      h4 += ((t3 >>> 4) | (t4 << 12)) & 0x1fff
      h5 += (t4 >>> 1) & 0x1fff
      h6 += ((t4 >>> 14) | (t5 << 2)) & 0x1fff
      h7 += ((t5 >>> 11) | (t6 << 5)) & 0x1fff
      h8 += ((t6 >>> 8) | (t7 << 8)) & 0x1fff
      h9 += (t7 >>> 5) | hibit

      // h *= r mod 2^130 - 5. Each sum is split in two so it stays below 2^31.
      d0 = h0 * r0 + h1 * s9 + h2 * s8 + h3 * s7 + h4 * s6
      c = d0 >>> 13; d0 &= 0x1fff
      d0 += h5 * s5 + h6 * s4 + h7 * s3 + h8 * s2 + h9 * s1
      c += d0 >>> 13; d0 &= 0x1fff
      d1 = c + h0 * r1 + h1 * r0 + h2 * s9 + h3 * s8 + h4 * s7
      c = d1 >>> 13; d1 &= 0x1fff
      d1 += h5 * s6 + h6 * s5 + h7 * s4 + h8 * s3 + h9 * s2
      c += d1 >>> 13; d1 &= 0x1fff
      d2 = c + h0 * r2 + h1 * r1 + h2 * r0 + h3 * s9 + h4 * s8
      c = d2 >>> 13; d2 &= 0x1fff
      d2 += h5 * s7 + h6 * s6 + h7 * s5 + h8 * s4 + h9 * s3
      c += d2 >>> 13; d2 &= 0x1fff
      d3 = c + h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s9
      c = d3 >>> 13; d3 &= 0x1fff
      d3 += h5 * s8 + h6 * s7 + h7 * s6 + h8 * s5 + h9 * s4
      c += d3 >>> 13; d3 &= 0x1fff
      d4 = c + h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0
      c = d4 >>> 13; d4 &= 0x1fff
      d4 += h5 * s9 + h6 * s8 + h7 * s7 + h8 * s6 + h9 * s5
      c += d4 >>> 13; d4 &= 0x1fff
      d5 = c + h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1
      c = d5 >>> 13; d5 &= 0x1fff
      d5 += h5 * r0 + h6 * s9 + h7 * s8 + h8 * s7 + h9 * s6
      c += d5 >>> 13; d5 &= 0x1fff
      d6 = c + h0 * r6 + h1 * r5 + h2 * r4 + h3 * r3 + h4 * r2
      c = d6 >>> 13; d6 &= 0x1fff
      d6 += h5 * r1 + h6 * r0 + h7 * s9 + h8 * s8 + h9 * s7
      c += d6 >>> 13; d6 &= 0x1fff
      d7 = c + h0 * r7 + h1 * r6 + h2 * r5 + h3 * r4 + h4 * r3
      c = d7 >>> 13; d7 &= 0x1fff
      d7 += h5 * r2 + h6 * r1 + h7 * r0 + h8 * s9 + h9 * s8
      c += d7 >>> 13; d7 &= 0x1fff
      d8 = c + h0 * r8 + h1 * r7 + h2 * r6 + h3 * r5 + h4 * r4
      c = d8 >>> 13; d8 &= 0x1fff
      d8 += h5 * r3 + h6 * r2 + h7 * r1 + h8 * r0 + h9 * s9
      c += d8 >>> 13; d8 &= 0x1fff
      d9 = c + h0 * r9 + h1 * r8 + h2 * r7 + h3 * r6 + h4 * r5
      c = d9 >>> 13; d9 &= 0x1fff
      d9 += h5 * r4 + h6 * r3 + h7 * r2 + h8 * r1 + h9 * r0
      c += d9 >>> 13; d9 &= 0x1fff
      c = ((c << 2) + c) | 0
      c = (c + d0) | 0
      d0 = c & 0x1fff
      c = c >>> 13
      d1 += c
      h0 = d0; h1 = d1; h2 = d2; h3 = d3; h4 = d4; h5 = d5; h6 = d6; h7 = d7; h8 = d8; h9 = d9
    }
    h[0] = h0; h[1] = h1; h[2] = h2; h[3] = h3; h[4] = h4; h[5] = h5; h[6] = h6; h[7] = h7; h[8] = h8; h[9] = h9
  }
}

export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  return new Poly1305(key).update(message).digest()
}
