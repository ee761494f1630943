/**
 * Envelope v2: every alteration must be rejected with a clear EnvelopeError and release no
 * plaintext. Objects come from the client (src/crypto); the node:crypto decryptor judges them.
 * STREAM-specific attacks: reordered, dropped, duplicated and truncated chunks, a chunk moved
 * between objects, a non-final chunk presented as the last one.
 */
import { createCipheriv, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEnvelope, sealObject, toBase64, type EnvelopeHeader } from '@/crypto'
import {
  EnvelopeError,
  chunkNonceV2,
  deriveObjectKeyV2,
  generateBureauKeyPair,
  openObject,
  openObjectFile,
  parseHeader,
  type EnvelopeErrorCode,
} from '../../server/src/envelope'

const key = generateBureauKeyPair()
const other = generateBureauKeyPair()
const envelope = createEnvelope({ bureauPublicKey: new Uint8Array(key.publicKey), ephemeralSecret: new Uint8Array(randomBytes(32)) })
const header = envelope.header
const SEALED = 65536 + 16

function make(label: string, plaintext: Uint8Array): Buffer {
  const nonce = new Uint8Array(randomBytes(16))
  return Buffer.from(sealObject(envelope.objectKey(label, nonce), nonce, plaintext).bytes)
}

const small = new Uint8Array(Buffer.from('举报内容：对方威胁公开照片'))
const large = new Uint8Array(randomBytes(300_000)) // five chunks
const objects = { report: make('report', small), a0: make('attachment/0', large), a1: make('attachment/1', large) }

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

const open = (object: Uint8Array, label = 'report', h: EnvelopeHeader = header, privateKey = key) =>
  openObject({ header: parseHeader(h), privateKey, label, object })

function flip(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes)
  copy[index] ^= 0x01
  return copy
}

/** The object's chunks (sealed, tags included) after its 16-byte nonce. */
function chunksOf(object: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let at = 16; at < object.length; at += SEALED) out.push(object.subarray(at, Math.min(at + SEALED, object.length)))
  return out
}

const rebuild = (object: Buffer, chunks: Buffer[]) => Buffer.concat([object.subarray(0, 16), ...chunks])

test('the untouched objects open', () => {
  expect(open(objects.report).equals(small)).toBe(true)
  expect(open(objects.a0, 'attachment/0').equals(large)).toBe(true)
})

describe('altered bytes: BAD_MAC', () => {
  test.each([0, 15, 16, 40, 16 + SEALED - 1, 16 + SEALED, 150_000, objects.a0.length - 17, objects.a0.length - 1])('flipped byte %i of a five-chunk object', (i) => {
    expectCode('BAD_MAC', () => open(flip(objects.a0, i), 'attachment/0'))
  })

  test('every byte of the small report', () => {
    for (let i = 0; i < objects.report.length; i++) expectCode('BAD_MAC', () => open(flip(objects.report, i)))
  })
})

describe('STREAM chunk attacks', () => {
  const chunks = chunksOf(objects.a0)
  test('two chunks swapped', () => {
    expectCode('BAD_MAC', () => open(rebuild(objects.a0, [chunks[1], chunks[0], ...chunks.slice(2)]), 'attachment/0'))
  })
  test('a chunk duplicated in place of another', () => {
    expectCode('BAD_MAC', () => open(rebuild(objects.a0, [chunks[0], chunks[0], ...chunks.slice(2)]), 'attachment/0'))
  })
  test('truncated at a chunk boundary (the new last chunk was not sealed as last)', () => {
    const cut = rebuild(objects.a0, chunks.slice(0, 2))
    // Two full chunks are 131072 framed bytes, a Padmé value: the size is plausible, the tag is not.
    expectCode('BAD_MAC', () => open(cut, 'attachment/0'))
  })
  test('the first chunk dropped', () => {
    expectCode('BAD_MAC', () => open(rebuild(objects.a0, chunks.slice(1)), 'attachment/0'))
  })
  test('a chunk taken from another object of the same report', () => {
    const foreign = chunksOf(objects.a1)
    expectCode('BAD_MAC', () => open(rebuild(objects.a0, [chunks[0], foreign[1], ...chunks.slice(2)]), 'attachment/0'))
  })
  test('the object nonce of another object', () => {
    expectCode('BAD_MAC', () => open(Buffer.concat([objects.a1.subarray(0, 16), objects.a0.subarray(16)]), 'attachment/0'))
  })
})

describe('sizes no v2 object has: TRUNCATED', () => {
  test('every truncation of the report', () => {
    for (let length = 0; length < objects.report.length; length++) {
      let threw: EnvelopeError | undefined
      try {
        open(objects.report.subarray(0, length))
      } catch (e) {
        threw = e as EnvelopeError
      }
      expect(threw).toBeInstanceOf(EnvelopeError)
      expect(['TRUNCATED', 'BAD_MAC']).toContain(threw!.code)
    }
  })
  test('one byte more or less', () => {
    expectCode('TRUNCATED', () => open(Buffer.concat([objects.a0, Buffer.alloc(1)]), 'attachment/0'))
    expectCode('TRUNCATED', () => open(objects.a0.subarray(0, objects.a0.length - 1), 'attachment/0'))
  })
})

describe('binding to label, report and key', () => {
  test('an object under another label', () => {
    expectCode('BAD_MAC', () => open(objects.a0, 'attachment/1'))
    expectCode('BAD_MAC', () => open(objects.report, 'attachment/0'))
  })
  test('an object under the header of another report', () => {
    const another = createEnvelope({ bureauPublicKey: new Uint8Array(key.publicKey), ephemeralSecret: new Uint8Array(randomBytes(32)) })
    expectCode('BAD_MAC', () => open(objects.report, 'report', another.header))
  })
  test('a v2 object presented as v1, and v1 fields in a v2 header', () => {
    expectCode('BAD_HEADER', () => open(objects.report, 'report', { ...header, v: 1 } as unknown as EnvelopeHeader))
    expectCode('BAD_HEADER', () => open(objects.report, 'report', { ...header, suite: 'x25519-hkdf-sha256-aes256cbc-hmacsha256' } as unknown as EnvelopeHeader))
  })
  test('a changed epk or a different key', () => {
    const epk = toBase64(new Uint8Array(randomBytes(32)).map((b, i) => (i === 31 ? b & 0x7f : b)))
    expectCode('BAD_MAC', () => open(objects.report, 'report', { ...header, epk }))
    expectCode('WRONG_KEY', () => open(objects.report, 'report', header, other))
    expectCode('BAD_MAC', () => open(objects.report, 'report', { ...header, kid: other.kid }, other))
  })
})

describe('valid tags over a bad framing: BAD_PADDING (a broken sender)', () => {
  /** Seals `framed` as a v2 object with the real key, as a buggy phone would. */
  function sealFramed(framed: Buffer, label = 'report'): Buffer {
    const nonce = randomBytes(16)
    const k = deriveObjectKeyV2(parseHeader(header) as never, key, label, nonce)
    const count = Math.ceil(framed.length / 65536)
    const parts = [nonce]
    for (let i = 0; i < count; i++) {
      const c = createCipheriv('chacha20-poly1305', k, chunkNonceV2(i, i === count - 1), { authTagLength: 16 })
      parts.push(c.update(framed.subarray(i * 65536, (i + 1) * 65536)), c.final(), c.getAuthTag())
    }
    return Buffer.concat(parts)
  }
  const framedOf = (n: number, padded: number, fill = 0) => {
    const f = Buffer.alloc(padded, fill)
    f.writeBigUInt64BE(BigInt(n), 0)
    f.fill(0x41, 8, Math.min(padded, 8 + n))
    return f
  }
  test('the well-formed control opens', () => {
    expect(open(sealFramed(framedOf(17, 26))).toString()).toBe('A'.repeat(17))
  })
  test('non-zero padding', () => {
    const f = framedOf(17, 26)
    f[25] = 1
    expectCode('BAD_PADDING', () => open(sealFramed(f)))
  })
  test('a length prefix that does not give this padded size', () => {
    expectCode('BAD_PADDING', () => open(sealFramed(framedOf(16, 26))))
    expectCode('BAD_PADDING', () => open(sealFramed(framedOf(2 ** 40, 26))))
  })
})

describe('openObjectFile leaves nothing behind when it rejects', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'envelope-tamper-v2-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  test.each([20, 16 + SEALED + 5, 250_000])('flipped byte %i deep in the file: BAD_MAC, no output, no temporary file', async (i) => {
    writeFileSync(join(dir, 'object'), flip(objects.a0, i))
    await expect(openObjectFile({ header, privateKey: key, label: 'attachment/0', inputPath: join(dir, 'object'), outputPath: join(dir, 'out') })).rejects.toMatchObject({ code: 'BAD_MAC' })
    expect(existsSync(join(dir, 'out'))).toBe(false)
    expect(readdirSync(dir)).toEqual(['object'])
  })
})
