/**
 * The envelope v2 primitives of src/crypto, each against its standard's published vectors
 * (RFC 8439 §2.4.2, §2.5.2, §2.8.2) and against node:crypto / node:zlib on random inputs, aligned
 * and unaligned (the word paths and the byte paths), fed whole and in uneven pieces.
 */
import { createCipheriv, randomBytes, randomInt } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { Crc32, crc32Hex, equalBytes, open, padme, seal } from '@/crypto'
import { chachaKey, chachaXor } from '@/crypto/chacha20'
import { Poly1305, poly1305 } from '@/crypto/poly1305'
import { padme as serverPadme } from '../../server/src/envelope'

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'))
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const SUNSCREEN = new Uint8Array(Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."))
const SUNSCREEN_CHACHA = `6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b357
  1639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6
  b40b8eedf2785e42874d`

/** A copy of `bytes` at an odd byte offset, so no typed-array word view can be used. */
function unaligned(bytes: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(bytes.length + 1)
  buffer.set(bytes, 1)
  return buffer.subarray(1)
}

describe('ChaCha20 (RFC 8439 §2.4.2)', () => {
  const key = new Uint8Array(Array.from({ length: 32 }, (_, i) => i))
  const nonce = hex('000000000000004a00000000')
  test.each([
    ['aligned', (b: Uint8Array) => b],
    ['unaligned', unaligned],
  ])('encrypts the sunscreen text from counter 1 (%s)', (_name, place) => {
    const input = place(SUNSCREEN)
    const out = place(new Uint8Array(SUNSCREEN.length))
    chachaXor(chachaKey(key, nonce), 1, input, 0, out, 0, input.length)
    expect(toHex(out)).toBe(SUNSCREEN_CHACHA.replace(/\s+/g, ''))
  })

  test('matches node:crypto on random lengths, in place, across many blocks', () => {
    for (const length of [0, 1, 63, 64, 65, 1000, 65536 + 7, randomInt(200_000)]) {
      const k = new Uint8Array(randomBytes(32))
      const n = new Uint8Array(randomBytes(12))
      const data = new Uint8Array(randomBytes(length))
      const node = createCipheriv('chacha20', k, Buffer.concat([Buffer.from([1, 0, 0, 0]), n])).update(data)
      const copy = data.slice()
      chachaXor(chachaKey(k, n), 1, copy, 0, copy, 0, copy.length)
      expect(Buffer.from(copy).equals(node)).toBe(true)
    }
  })

  test('refuses a block counter that would wrap', () => {
    expect(() => chachaXor(chachaKey(new Uint8Array(32), new Uint8Array(12)), 2 ** 32 - 1, new Uint8Array(128), 0, new Uint8Array(128), 0, 128)).toThrow(/counter/)
  })
})

describe('Poly1305 (RFC 8439 §2.5.2)', () => {
  const key = hex('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b')
  const message = new Uint8Array(Buffer.from('Cryptographic Forum Research Group'))
  test('tags the RFC message', () => {
    expect(toHex(poly1305(key, message))).toBe('a8061dc1305136c6c22b8baf0c0127a9')
    expect(toHex(poly1305(key, unaligned(message)))).toBe('a8061dc1305136c6c22b8baf0c0127a9')
  })

  test('fed in uneven pieces gives the same tag', () => {
    const data = new Uint8Array(randomBytes(5000))
    const whole = poly1305(key, data)
    const mac = new Poly1305(key)
    for (let i = 0; i < data.length; ) {
      const n = randomInt(1, 40)
      mac.update(data.subarray(i, i + n))
      i += n
    }
    expect(equalBytes(mac.digest(), whole)).toBe(true)
  })

  test('the largest accumulator values reduce correctly (all-ones key and message)', () => {
    // r clamps to its largest value, and 0xff… blocks drive h towards p = 2^130 - 5.
    const k = new Uint8Array(32).fill(0xff)
    const m = new Uint8Array(16 * 64).fill(0xff)
    const reference = (() => {
      // Modular arithmetic with BigInt, straight from RFC 8439 §2.5.1.
      const le = (b: Uint8Array) => BigInt('0x' + Buffer.from(b).reverse().toString('hex'))
      const r = le(k.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn
      const s = le(k.subarray(16))
      const p = (1n << 130n) - 5n
      let acc = 0n
      for (let i = 0; i < m.length; i += 16) acc = ((acc + le(m.subarray(i, i + 16)) + (1n << 128n)) * r) % p
      const tag = (acc + s) & ((1n << 128n) - 1n)
      return Buffer.from(tag.toString(16).padStart(32, '0'), 'hex').reverse().toString('hex')
    })()
    expect(toHex(poly1305(k, m))).toBe(reference)
  })
})

describe('ChaCha20-Poly1305 AEAD (RFC 8439 §2.8.2)', () => {
  const key = new Uint8Array(Array.from({ length: 32 }, (_, i) => 0x80 + i))
  const nonce = hex('070000004041424344454647')
  const aad = hex('50515253c0c1c2c3c4c5c6c7')
  const expected =
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
    '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116' +
    '1ae10b594f09e26a7e902ecbd0600691'

  test('seals the RFC example and opens it again', () => {
    const sealed = seal(key, nonce, SUNSCREEN, aad)
    expect(toHex(sealed)).toBe(expected)
    expect(Buffer.from(open(key, nonce, sealed, aad)!).equals(Buffer.from(SUNSCREEN))).toBe(true)
  })

  test('open refuses any flipped bit, another nonce or other aad', () => {
    const sealed = seal(key, nonce, SUNSCREEN, aad)
    for (const i of [0, 50, sealed.length - 17, sealed.length - 1]) {
      const bad = sealed.slice()
      bad[i] ^= 1
      expect(open(key, nonce, bad, aad)).toBeUndefined()
    }
    expect(open(key, hex('070000004041424344454648'), sealed, aad)).toBeUndefined()
    expect(open(key, nonce, sealed)).toBeUndefined()
  })

  test('matches node:crypto on random inputs', () => {
    for (const length of [0, 1, 15, 16, 17, 64, 1000, 65536, randomInt(100_000)]) {
      const k = new Uint8Array(randomBytes(32))
      const n = new Uint8Array(randomBytes(12))
      const a = new Uint8Array(randomBytes(randomInt(40)))
      const p = new Uint8Array(randomBytes(length))
      const c = createCipheriv('chacha20-poly1305', k, n, { authTagLength: 16 })
      c.setAAD(a, { plaintextLength: p.length })
      const node = Buffer.concat([c.update(p), c.final(), c.getAuthTag()])
      expect(Buffer.from(seal(k, n, p, a)).equals(node)).toBe(true)
      expect(Buffer.from(seal(k, n, unaligned(p), a)).equals(node)).toBe(true)
    }
  })
})

describe('CRC-32', () => {
  test('the check value of "123456789" is cbf43926', () => {
    expect(crc32Hex(new Uint8Array(Buffer.from('123456789')))).toBe('cbf43926')
  })

  test('matches zlib.crc32, whole and in pieces, aligned or not', () => {
    for (const length of [0, 1, 3, 4, 15, 16, 17, 1000, 70_001]) {
      const data = new Uint8Array(randomBytes(length))
      const reference = crc32(data)
      const pieces = new Crc32()
      for (let i = 0; i < length; ) {
        const n = randomInt(1, 300)
        pieces.update(unaligned(data.subarray(i, i + n)))
        i += n
      }
      expect(new Crc32().update(data).value()).toBe(reference)
      expect(pieces.value()).toBe(reference)
    }
  })
})

describe('Padmé', () => {
  // From the paper's definition: E = ⌊log2 L⌋, S = ⌊log2 E⌋ + 1, round up to a multiple of 2^(E − S).
  test.each([
    [0, 0],
    [1, 1],
    [8, 8],
    [9, 10],
    [25, 26],
    [1000, 1024],
    [1025, 1088],
    [65535, 65536],
    [65537, 67584],
    [20 * 1024 * 1024 + 8, 21495808],
  ])('padme(%i) = %i, in the client and the server', (length, padded) => {
    expect(padme(length)).toBe(padded)
    expect(serverPadme(length)).toBe(padded)
  })

  test('never shrinks, is a fixed point on its own values, and costs at most 12%', () => {
    for (let i = 0; i < 2000; i++) {
      const length = randomInt(2, 2 ** 31)
      const padded = padme(length)
      expect(padded).toBeGreaterThanOrEqual(length)
      expect(padded / length).toBeLessThanOrEqual(1.12)
      expect(padme(padded)).toBe(padded)
      expect(serverPadme(length)).toBe(padded)
    }
  })
})
