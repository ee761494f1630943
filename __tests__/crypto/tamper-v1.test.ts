/**
 * Every alteration of an envelope must be rejected with a clear EnvelopeError and release no
 * plaintext: flipped bytes, swapped objects, changed epk or kid, truncation, the wrong key.
 * Envelope v1 (reports made before v2); objects come from the node:crypto v1 encryptor in
 * __tests__/support and the decryptor judges them.
 */
import { createCipheriv, createHmac, randomBytes as nodeRandomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toBase64 } from '@/crypto'
import { createEnvelopeV1 as createEnvelope, encryptObjectV1 as encryptObject } from '../support/envelope-v1'
import {
  EnvelopeError,
  bureauKeyPairFromRaw,
  deriveObjectKeysV1,
  generateBureauKeyPair,
  openObject,
  openObjectFile,
  type BureauKeyPair,
  type EnvelopeErrorCode,
  type EnvelopeHeader,
} from '../../server/src/envelope'
import { hex, vectors } from './helpers'

const key = bureauKeyPairFromRaw(Buffer.from(vectors.bureau.privateKey, 'hex'))
const other = generateBureauKeyPair()
const envelope = createEnvelope({ bureauPublicKey: new Uint8Array(key.publicKey), ephemeralSecret: new Uint8Array(nodeRandomBytes(32)) })
const header = envelope.header

const small = Buffer.from('举报内容 17 bytes', 'utf8').subarray(0, 17)
const large = nodeRandomBytes(300_000)
const objects = {
  report: Buffer.from(encryptObject(envelope.keysFor('report'), new Uint8Array(nodeRandomBytes(16)), small)),
  a0: Buffer.from(encryptObject(envelope.keysFor('attachment/0'), new Uint8Array(nodeRandomBytes(16)), small)),
  a1: Buffer.from(encryptObject(envelope.keysFor('attachment/1'), new Uint8Array(nodeRandomBytes(16)), large)),
}

function expectCode(code: EnvelopeErrorCode, run: () => unknown): void {
  let result: unknown
  try {
    result = run()
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError)
    expect((error as EnvelopeError).code).toBe(code)
    expect((error as Error).message).toMatch(new RegExp(`^${code}: .{10,}`))
    return
  }
  throw new Error(`expected ${code}, but it returned ${result instanceof Buffer ? `${result.length} bytes of plaintext` : String(result)}`)
}

function open(object: Uint8Array, label = 'report', h: EnvelopeHeader = header, privateKey: BureauKeyPair | BureauKeyPair[] = key): Buffer {
  return openObject({ header: h, privateKey, label, object })
}

function flip(bytes: Buffer, index: number, mask = 0x01): Buffer {
  const copy = Buffer.from(bytes)
  copy[index] ^= mask
  return copy
}

test('the untouched objects open', () => {
  expect(open(objects.report).equals(small)).toBe(true)
  expect(open(objects.a0, 'attachment/0').equals(small)).toBe(true)
  expect(open(objects.a1, 'attachment/1').equals(large)).toBe(true)
})

test('flipping any single bit of any byte (iv, ciphertext, tag) of a small object: BAD_MAC', () => {
  for (let i = 0; i < objects.report.length; i++) {
    for (const mask of [0x01, 0x80]) expectCode('BAD_MAC', () => open(flip(objects.report, i, mask)))
  }
})

test.each([
  ['first iv byte', 0],
  ['last iv byte', 15],
  ['first ciphertext byte', 16],
  ['middle of the ciphertext', 150_000],
  ['last ciphertext byte', objects.a1.length - 33],
  ['first tag byte', objects.a1.length - 32],
  ['last tag byte', objects.a1.length - 1],
])('flipping the %s of a 300 kB object: BAD_MAC', (_where, index) => {
  expectCode('BAD_MAC', () => open(flip(objects.a1, index), 'attachment/1'))
})

test('objects swapped between labels: BAD_MAC', () => {
  expectCode('BAD_MAC', () => open(objects.a0, 'attachment/1'))
  expectCode('BAD_MAC', () => open(objects.a1, 'attachment/0'))
  expectCode('BAD_MAC', () => open(objects.a0, 'report'))
  expectCode('BAD_MAC', () => open(objects.report, 'attachment/0'))
})

test('an object from another envelope to the same key: BAD_MAC', () => {
  const second = createEnvelope({ bureauPublicKey: new Uint8Array(key.publicKey), ephemeralSecret: new Uint8Array(nodeRandomBytes(32)) })
  const foreign = encryptObject(second.keysFor('report'), new Uint8Array(16), small)
  expectCode('BAD_MAC', () => open(foreign))
  expect(open(foreign, 'report', second.header).equals(small)).toBe(true)
})

describe('header changes', () => {
  const epk = Buffer.from(header.epk, 'base64')

  test('another valid epk: BAD_MAC', () => {
    expectCode('BAD_MAC', () => open(objects.report, 'report', { ...header, epk: other.publicKey.toString('base64') }))
  })

  test('epk with a flipped low bit: BAD_MAC', () => {
    expectCode('BAD_MAC', () => open(objects.report, 'report', { ...header, epk: flip(epk, 0).toString('base64') }))
  })

  test('epk with the top bit set (same point for X25519): BAD_HEADER', () => {
    expectCode('BAD_HEADER', () => open(objects.report, 'report', { ...header, epk: flip(epk, 31, 0x80).toString('base64') }))
  })

  test('low-order epk: BAD_HEADER', () => {
    expectCode('BAD_HEADER', () => open(objects.report, 'report', { ...header, epk: toBase64(new Uint8Array(32)) }))
    expectCode('BAD_HEADER', () => open(objects.report, 'report', { ...header, epk: toBase64(hex(vectors.rejectedPublicKeys[2].hex)) }))
  })

  test('a kid of another key: WRONG_KEY with one key, UNKNOWN_KID with a key ring', () => {
    const forged = { ...header, kid: other.kid }
    expectCode('WRONG_KEY', () => open(objects.report, 'report', forged))
    expectCode('UNKNOWN_KID', () => open(objects.report, 'report', forged, [key]))
  })

  test('a malformed kid: BAD_HEADER', () => {
    expectCode('BAD_HEADER', () => open(objects.report, 'report', { ...header, kid: 'ffffffffffffffff0' }))
  })

  test('a different version or suite: BAD_HEADER', () => {
    expectCode('BAD_HEADER', () => open(objects.report, 'report', { ...header, v: 2 } as unknown as EnvelopeHeader))
    expectCode('BAD_HEADER', () => open(objects.report, 'report', { ...header, suite: 'none' } as unknown as EnvelopeHeader))
  })

  test('an invalid label: BAD_LABEL', () => {
    expectCode('BAD_LABEL', () => open(objects.report, 'attachment/01'))
    expectCode('BAD_LABEL', () => open(objects.report, 'Report'))
  })
})

describe('length changes', () => {
  test('every truncation of a small object is rejected', () => {
    for (let length = 0; length < objects.report.length; length++) {
      const cut = objects.report.subarray(0, length)
      const code = length >= 64 && (length - 48) % 16 === 0 ? 'BAD_MAC' : 'TRUNCATED'
      expectCode(code, () => open(cut))
    }
  })

  test('truncating a large object by a block, or dropping its first block: BAD_MAC', () => {
    expectCode('BAD_MAC', () => open(objects.a1.subarray(0, objects.a1.length - 16), 'attachment/1'))
    expectCode('BAD_MAC', () => open(objects.a1.subarray(16), 'attachment/1'))
  })

  test('extending by a block or a byte is rejected', () => {
    expectCode('BAD_MAC', () => open(Buffer.concat([objects.report, Buffer.alloc(16)])))
    expectCode('TRUNCATED', () => open(Buffer.concat([objects.report, Buffer.alloc(1)])))
  })
})

describe('wrong private key', () => {
  test('a different key: WRONG_KEY; a key ring without it: UNKNOWN_KID', () => {
    expectCode('WRONG_KEY', () => open(objects.report, 'report', header, other))
    expectCode('UNKNOWN_KID', () => open(objects.report, 'report', header, [other]))
  })

  test('a different key with the kid forged to match it: BAD_MAC', () => {
    expectCode('BAD_MAC', () => open(objects.report, 'report', { ...header, kid: other.kid }, other))
  })
})

test('a valid tag over bad padding: BAD_PADDING (a broken sender, distinguished from tampering)', () => {
  const { encKey, macKey } = deriveObjectKeysV1(header, key, 'report')
  const iv = nodeRandomBytes(16)
  const cipher = createCipheriv('aes-256-cbc', encKey, iv).setAutoPadding(false)
  const ciphertext = Buffer.concat([cipher.update(Buffer.alloc(32, 0x41)), cipher.final()])
  const tag = createHmac('sha256', macKey).update(iv).update(ciphertext).digest()
  expectCode('BAD_PADDING', () => open(Buffer.concat([iv, ciphertext, tag])))
})

describe('openObjectFile leaves nothing behind when it rejects', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'envelope-tamper-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  async function expectFileCode(code: EnvelopeErrorCode, bytes: Buffer, label: string, h: EnvelopeHeader = header, privateKey: BureauKeyPair = key) {
    writeFileSync(join(dir, 'object'), bytes)
    const outputPath = join(dir, 'plain')
    await expect(openObjectFile({ header: h, privateKey, label, inputPath: join(dir, 'object'), outputPath })).rejects.toMatchObject({ code })
    expect(existsSync(outputPath)).toBe(false)
    expect(readdirSync(dir)).toEqual(['object'])
  }

  test.each([0, 16, 150_000, objects.a1.length - 33, objects.a1.length - 1])('flipped byte %i: BAD_MAC', async (index) => {
    await expectFileCode('BAD_MAC', flip(objects.a1, index), 'attachment/1')
  })

  test('swapped label, wrong key, truncation', async () => {
    await expectFileCode('BAD_MAC', objects.a1, 'attachment/0')
    await expectFileCode('WRONG_KEY', objects.a1, 'attachment/1', header, other)
    await expectFileCode('TRUNCATED', objects.a1.subarray(0, objects.a1.length - 1), 'attachment/1')
    await expectFileCode('BAD_MAC', objects.a1.subarray(0, objects.a1.length - 16), 'attachment/1')
    await expectFileCode('TRUNCATED', Buffer.alloc(0), 'attachment/1')
  })

  test('refuses to overwrite an existing output', async () => {
    writeFileSync(join(dir, 'object'), objects.a1)
    writeFileSync(join(dir, 'plain'), 'keep me')
    await expect(openObjectFile({ header, privateKey: key, label: 'attachment/1', inputPath: join(dir, 'object'), outputPath: join(dir, 'plain') })).rejects.toThrow(
      /already exists/,
    )
  })
})
