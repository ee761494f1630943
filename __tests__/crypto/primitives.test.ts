/**
 * The client's building blocks against published vectors (RFC 7748, RFC 5869) and node:crypto:
 * byte conversions, SHA-256, HMAC-SHA256, HKDF-SHA256, X25519.
 */
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { fromBase64, fromHex, toBase64, toHex, utf8Decode, utf8Encode, Sha256, sha256Hex } from '@/crypto'
import { fromWordArray, packWords, toWordArray, unpackWords } from '@/crypto/words'
import { HashSink, SLICE_BYTES, hmacSha256 } from '@/crypto/hash'
import { hkdfSha256 } from '@/crypto/hkdf'
import { isCanonicalPoint, x25519, x25519Base } from '@/crypto/x25519'

const lengths = [0, 1, 2, 3, 4, 5, 15, 16, 17, 55, 56, 63, 64, 65, 127, 128, 1000, SLICE_BYTES - 1, SLICE_BYTES, SLICE_BYTES + 1, 3 * SLICE_BYTES + 7, 200_003]

describe('bytes', () => {
  test.each(lengths)('WordArray conversion round-trips %i bytes and matches crypto-js layout', (n) => {
    const bytes = new Uint8Array(randomBytes(n))
    const words = toWordArray(bytes)
    expect(words.sigBytes).toBe(n)
    expect(words.toString()).toBe(Buffer.from(bytes).toString('hex'))
    expect(fromWordArray(words)).toEqual(bytes)
    // Bytes past the end of the last word are zero (crypto-js hashers rely on it).
    if (n % 4) expect(words.words[words.words.length - 1] & ((1 << (8 * (4 - (n % 4)))) - 1)).toBe(0)
  })

  test('packWords / unpackWords at an offset', () => {
    const bytes = new Uint8Array(randomBytes(103))
    const words = new Array<number>(32).fill(-1)
    packWords(bytes, 5, 90, words)
    const out = new Uint8Array(100)
    unpackWords(words, 90, out, 3)
    expect(Buffer.from(out.subarray(3, 93)).equals(Buffer.from(bytes.subarray(5, 95)))).toBe(true)
  })

  test('hex', () => {
    const bytes = new Uint8Array(randomBytes(64))
    expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'))
    expect(fromHex(toHex(bytes))).toEqual(bytes)
    expect(fromHex('ABcd')).toEqual(new Uint8Array([0xab, 0xcd]))
    for (const bad of ['abc', 'zz', '0x00', ' 00', '00 ']) expect(() => fromHex(bad)).toThrow(/malformed hex/)
  })

  test.each([0, 1, 2, 3, 4, 5, 31, 32, 33, 100])('base64 of %i bytes matches Buffer', (n) => {
    const bytes = new Uint8Array(randomBytes(n))
    const b64 = Buffer.from(bytes).toString('base64')
    expect(toBase64(bytes)).toBe(b64)
    expect(fromBase64(b64)).toEqual(bytes)
  })

  test.each(['A', 'AA', 'AAA', 'AA=', 'A===', 'AA==AA==', 'AB==', 'AAB=', 'AA-_', 'AA==\n', ' AAA', 'AAA=A'])('fromBase64 rejects %j', (bad) => {
    expect(() => fromBase64(bad)).toThrow(/malformed base64/)
  })

  test('UTF-8 matches TextEncoder, including astral characters and lone surrogates', () => {
    const samples = ['', 'abc', '举报内容', '😡 emoji', 'mixed 中文 and ascii 🎉', '\u0000', '\uffff', '\ud800', 'a\udc00b', '\ud83d']
    for (const s of samples) {
      expect(utf8Encode(s)).toEqual(new TextEncoder().encode(s))
      expect(utf8Decode(utf8Encode(s))).toBe(new TextDecoder().decode(new TextEncoder().encode(s)))
    }
  })

  test.each([
    ['a stray continuation byte', [0x80]],
    ['a truncated sequence', [0xe4, 0xb8]],
    ['an overlong form', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('utf8Decode rejects %s', (_why, bytes) => {
    expect(() => utf8Decode(new Uint8Array(bytes))).toThrow(/malformed UTF-8/)
  })
})

describe('SHA-256 and HMAC-SHA256 (crypto-js) against node:crypto', () => {
  test.each(lengths)('%i bytes', (n) => {
    const bytes = new Uint8Array(randomBytes(n))
    const key = new Uint8Array(randomBytes(32))
    expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(toHex(hmacSha256(key, bytes))).toBe(createHmac('sha256', key).update(bytes).digest('hex'))
  })

  test('incremental updates of every awkward size give the same digest', () => {
    const bytes = new Uint8Array(randomBytes(100_000))
    const steps = [1, 3, 4, 7, 60, 64, 65, 1000, SLICE_BYTES + 5]
    const hasher = new Sha256()
    for (let offset = 0, i = 0; offset < bytes.length; i++) {
      const n = Math.min(steps[i % steps.length], bytes.length - offset)
      hasher.update(bytes.subarray(offset, offset + n))
      offset += n
    }
    expect(hasher.digestHex()).toBe(createHash('sha256').update(bytes).digest('hex'))
  })

  test('the direct block path and the public crypto-js update() path agree', () => {
    const data = new Uint8Array(randomBytes(4096))
    const tail = new Uint8Array([1, 2, 3])
    // Word-aligned pieces that straddle 64-byte blocks, an empty one, then an unaligned tail.
    const pieces: [number, number][] = [[0, 16], [16, 100], [116, 3980], [4096, 0]]
    const message = Buffer.concat([...pieces.map(([from, n]) => Buffer.from(data.subarray(from, from + n))), Buffer.from(tail)])
    for (const direct of [true, false]) {
      const sinks = [HashSink.sha256({ direct }), HashSink.hmacSha256(new Uint8Array(32).fill(7), { direct })]
      expect(sinks.map((s) => s.isDirect)).toEqual([direct, direct])
      for (const sink of sinks) {
        for (const [from, n] of pieces) sink.updateWords(toWordArray(data.subarray(from, from + n)).words, n)
        sink.updateWords(toWordArray(tail).words, 3)
        expect(sink.isDirect).toBe(false)
        expect(() => sink.updateWords([0], 4)).not.toThrow()
      }
      const withExtra = Buffer.concat([message, Buffer.alloc(4)])
      expect(toHex(fromWordArray(sinks[0].finalize()))).toBe(createHash('sha256').update(withExtra).digest('hex'))
      expect(toHex(fromWordArray(sinks[1].finalize()))).toBe(createHmac('sha256', Buffer.alloc(32, 7)).update(withExtra).digest('hex'))
      expect(() => sinks[0].finalize()).toThrow(/already finalized/)
      expect(() => sinks[0].updateWords([0], 4)).toThrow(/already finalized/)
    }
  })
})

describe('HKDF-SHA256', () => {
  // RFC 5869 appendix A.1 and A.3.
  test('RFC 5869 test case 1', () => {
    const okm = hkdfSha256(fromHex('0b'.repeat(22)), fromHex('000102030405060708090a0b0c'), fromHex('f0f1f2f3f4f5f6f7f8f9'), 42)
    expect(toHex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865')
  })

  test('RFC 5869 test case 3 (no salt, no info)', () => {
    const okm = hkdfSha256(fromHex('0b'.repeat(22)), new Uint8Array(0), new Uint8Array(0), 42)
    expect(toHex(okm)).toBe('8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8')
  })

  test.each([0, 1, 32, 33, 64, 100, 255 * 32])('matches node hkdfSync for %i bytes of output', (length) => {
    const ikm = randomBytes(32)
    const salt = randomBytes(64)
    const info = Buffer.from('clue-report/v1/attachment/3')
    expect(Buffer.from(hkdfSha256(ikm, salt, info, length)).equals(Buffer.from(hkdfSync('sha256', ikm, salt, info, length)))).toBe(true)
  })

  test('refuses impossible lengths', () => {
    expect(() => hkdfSha256(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), 255 * 32 + 1)).toThrow()
    expect(() => hkdfSha256(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), -1)).toThrow()
  })
})

describe('X25519 (tweetnacl)', () => {
  test('RFC 7748 §5.2 test vector 1', () => {
    const out = x25519(fromHex('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4'), fromHex('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c'))
    expect(toHex(out)).toBe('c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552')
  })

  test('RFC 7748 §6.1 Diffie-Hellman', () => {
    const a = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')
    const b = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb')
    const A = x25519Base(a)
    const B = x25519Base(b)
    expect(toHex(A)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')
    expect(toHex(B)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')
    const K = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'
    expect(toHex(x25519(a, B))).toBe(K)
    expect(toHex(x25519(b, A))).toBe(K)
  })

  test('isCanonicalPoint', () => {
    const p = fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')
    const pMinus1 = fromHex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')
    expect(isCanonicalPoint(pMinus1)).toBe(true)
    expect(isCanonicalPoint(p)).toBe(false)
    expect(isCanonicalPoint(new Uint8Array(32).fill(0xff))).toBe(false)
    expect(isCanonicalPoint(new Uint8Array(31))).toBe(false)
    expect(isCanonicalPoint(new Uint8Array(32))).toBe(true)
  })

  test('refuses inputs of the wrong length', () => {
    expect(() => x25519(new Uint8Array(31), new Uint8Array(32))).toThrow(/32 bytes/)
    expect(() => x25519Base(new Uint8Array(33))).toThrow(/32 bytes/)
  })
})
