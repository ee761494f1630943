/**
 * The node:crypto decryptor (server/src/envelope) must open every known-answer vector, and parse
 * headers strictly.
 */
import { createCipheriv, createHash, createHmac } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EnvelopeError, bureauKeyPairFromRaw, deriveObjectKeysV1, kidOf, openObject, openObjectFile, parseHeader } from '../../server/src/envelope'
import { plaintextOf, vectors, type VectorObject } from './helpers'

const key = bureauKeyPairFromRaw(Buffer.from(vectors.bureau.privateKey, 'hex'))
const header = vectors.header

/** The object bytes: inline in the vector, or rebuilt with node:crypto and checked against its hash. */
function objectBytes(object: VectorObject): Buffer {
  if (object.object) return Buffer.from(object.object, 'hex')
  const iv = Buffer.from(object.iv, 'hex')
  const cipher = createCipheriv('aes-256-cbc', Buffer.from(object.encKey, 'hex'), iv)
  const ciphertext = Buffer.concat([cipher.update(plaintextOf(object)), cipher.final()])
  const tag = createHmac('sha256', Buffer.from(object.macKey, 'hex')).update(iv).update(ciphertext).digest()
  const bytes = Buffer.concat([iv, ciphertext, tag])
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(object.objectSha256)
  return bytes
}

test('key pair and kid from the raw private key', () => {
  expect(key.publicKey.toString('hex')).toBe(vectors.bureau.publicKey)
  expect(key.kid).toBe(vectors.bureau.kid)
  expect(kidOf(key.publicKey)).toBe(vectors.bureau.kid)
})

describe.each(vectors.objects.map((o) => [o.label, o.plaintextLength, o] as const))('%s (%i bytes)', (label, _n, object) => {
  test('derives the vector keys', () => {
    const keys = deriveObjectKeysV1(header, key, label)
    expect(keys.encKey.toString('hex')).toBe(object.encKey)
    expect(keys.macKey.toString('hex')).toBe(object.macKey)
  })

  test('openObject returns the plaintext', () => {
    const plaintext = openObject({ header, privateKey: key, label, object: objectBytes(object) })
    expect(plaintext.equals(Buffer.from(plaintextOf(object)))).toBe(true)
    expect(createHash('sha256').update(plaintext).digest('hex')).toBe(object.plaintextSha256)
  })

  test('openObjectFile writes the plaintext', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envelope-vec-'))
    try {
      writeFileSync(join(dir, 'object'), objectBytes(object))
      const result = await openObjectFile({ header, privateKey: [key], label, inputPath: join(dir, 'object'), outputPath: join(dir, 'plain') })
      expect(result).toEqual({ size: object.plaintextLength, sha256: object.plaintextSha256 })
      expect(readFileSync(join(dir, 'plain')).equals(Buffer.from(plaintextOf(object)))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

test('the report vector parses as the report schema', () => {
  const report = JSON.parse(openObject({ header, privateKey: key, label: 'report', object: objectBytes(vectors.objects[0]) }).toString('utf8'))
  expect(report.schema).toBe('clue-report/report@1')
  expect(report.attachments).toHaveLength(vectors.objects.length - 1)
})

describe('parseHeader', () => {
  test('accepts the vector header, as an object or JSON text', () => {
    expect(parseHeader(header)).toEqual(header)
    expect(parseHeader(JSON.stringify(header))).toEqual(header)
  })

  const bad: [string, unknown][] = [
    ['not JSON', '{"v":1'],
    ['null', null],
    ['an array', [header]],
    ['a missing field', { v: 1, suite: header.suite, kid: header.kid }],
    ['an extra field', { ...header, alg: 'none' }],
    ['version 2', { ...header, v: 2 }],
    ['version "1"', { ...header, v: '1' }],
    ['another suite', { ...header, suite: 'x25519-hkdf-sha256-aes256gcm' }],
    ['an uppercase kid', { ...header, kid: header.kid.toUpperCase() }],
    ['a short kid', { ...header, kid: header.kid.slice(1) }],
    ['epk as hex', { ...header, epk: vectors.ephemeral.publicKey }],
    ['epk base64url', { ...header, epk: Buffer.from(vectors.ephemeral.publicKey, 'hex').toString('base64url') }],
    ['epk without padding', { ...header, epk: header.epk.replace(/=+$/, '') }],
    ['epk with whitespace', { ...header, epk: ` ${header.epk}` }],
    ['epk of 31 bytes', { ...header, epk: Buffer.alloc(31, 1).toString('base64') }],
    ...vectors.rejectedPublicKeys
      .filter((k) => /canonical/.test(k.why))
      .map((k): [string, unknown] => [`epk ${k.why}`, { ...header, epk: Buffer.from(k.hex, 'hex').toString('base64') }]),
  ]
  test.each(bad)('rejects %s', (_why, value) => {
    expect(() => parseHeader(value)).toThrow(EnvelopeError)
    try {
      parseHeader(value)
    } catch (error) {
      expect((error as EnvelopeError).code).toBe('BAD_HEADER')
    }
  })

  test.each(vectors.rejectedPublicKeys.filter((k) => /all zero/.test(k.why)).map((k) => [k.why, k.hex] as const))(
    'a low-order epk (%s) is refused before any decryption',
    (_why, point) => {
      const forged = { ...header, epk: Buffer.from(point, 'hex').toString('base64') }
      expect(() => deriveObjectKeysV1(forged, key, 'report')).toThrow(/low-order/)
    },
  )
})
