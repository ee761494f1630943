/**
 * The client code (src/crypto: crypto-js + tweetnacl) must reproduce the known-answer vectors,
 * which scripts/make-vectors.ts derived with node:crypto.
 */
import { createHash } from 'node:crypto'
import {
  INFO_PREFIX,
  ObjectEncryptor,
  REPORT_LABEL,
  SUITE,
  attachmentLabel,
  ciphertextSize,
  createEnvelope,
  encryptAttachment,
  encryptObject,
  keyId,
  toBase64,
  toHex,
} from '@/crypto'
import { x25519, x25519Base } from '@/crypto/x25519'
import { collector, hex, plaintextOf, reader, vectors, type VectorObject } from './helpers'
import { buildVectors } from '../../scripts/make-vectors'

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')
const envelope = () => createEnvelope({ bureauPublicKey: hex(vectors.bureau.publicKey), ephemeralSecret: hex(vectors.ephemeral.secret) })

function checkObject(object: VectorObject, bytes: Uint8Array): void {
  expect(bytes.length).toBe(object.objectLength)
  expect(sha256(bytes)).toBe(object.objectSha256)
  expect(toHex(bytes.subarray(0, 64))).toBe(object.objectHead)
  expect(toHex(bytes.subarray(bytes.length - 32))).toBe(object.tag)
  if (object.object) expect(toHex(bytes)).toBe(object.object)
}

describe('vector file', () => {
  test('is exactly what the node:crypto generator produces', () => {
    expect(JSON.parse(JSON.stringify(buildVectors()))).toEqual(vectors)
  })

  test('covers the sizes the format must get right', () => {
    const lengths = vectors.objects.map((o) => o.plaintextLength)
    const chunk = vectors.derivation.chunkSize
    expect(lengths).toEqual(expect.arrayContaining([0, 1, 15, 16, 17, chunk - 1, chunk, chunk + 1]))
    expect(vectors.objects[0].label).toBe('report')
  })
})

describe('key agreement', () => {
  test('kid, E and the header', () => {
    const env = envelope()
    expect(keyId(hex(vectors.bureau.publicKey))).toBe(vectors.bureau.kid)
    expect(toHex(x25519Base(hex(vectors.ephemeral.secret)))).toBe(vectors.ephemeral.publicKey)
    expect(toHex(x25519Base(hex(vectors.bureau.privateKey)))).toBe(vectors.bureau.publicKey)
    expect(env.header).toEqual(vectors.header)
    expect(env.header).toEqual({ v: 1, suite: SUITE, kid: vectors.bureau.kid, epk: toBase64(hex(vectors.ephemeral.publicKey)) })
  })

  test('Z from both sides', () => {
    expect(toHex(x25519(hex(vectors.ephemeral.secret), hex(vectors.bureau.publicKey)))).toBe(vectors.sharedSecret)
    expect(toHex(x25519(hex(vectors.bureau.privateKey), hex(vectors.ephemeral.publicKey)))).toBe(vectors.sharedSecret)
  })

  test.each(vectors.objects.map((o) => [o.label, o] as const))('keys for %s', (label, object) => {
    expect(object.info).toBe(INFO_PREFIX + label)
    const keys = envelope().keysFor(label)
    expect(toHex(keys.encKey)).toBe(object.encKey)
    expect(toHex(keys.macKey)).toBe(object.macKey)
    expect(keys.label).toBe(label)
  })

  test('label helpers', () => {
    expect(REPORT_LABEL).toBe('report')
    expect(attachmentLabel(0)).toBe('attachment/0')
    expect(attachmentLabel(19)).toBe('attachment/19')
    for (const bad of [-1, 1.5, NaN, Number.MAX_SAFE_INTEGER + 1]) expect(() => attachmentLabel(bad)).toThrow()
  })

  test.each(['', 'Report', 'attachment/', 'attachment/01', 'attachment/-1', 'attachment/1 ', 'attachments/1', 'attachment/1/2', 'attachment/1e3'])(
    'keysFor refuses the label %j',
    (label) => {
      expect(() => envelope().keysFor(label)).toThrow(/invalid object label/)
    },
  )

  test.each(vectors.rejectedPublicKeys.map((k) => [k.why, k.hex] as const))('refuses bureau key: %s', (_why, key) => {
    expect(() => createEnvelope({ bureauPublicKey: hex(key), ephemeralSecret: hex(vectors.ephemeral.secret) })).toThrow(
      /all zero|canonical/,
    )
  })

  test('refuses malformed inputs and a kid that does not match', () => {
    const B = hex(vectors.bureau.publicKey)
    const e = hex(vectors.ephemeral.secret)
    expect(() => createEnvelope({ bureauPublicKey: B.subarray(0, 31), ephemeralSecret: e })).toThrow(/32-byte/)
    expect(() => createEnvelope({ bureauPublicKey: B, ephemeralSecret: e.subarray(1) })).toThrow(/32 bytes/)
    expect(() => createEnvelope({ bureauPublicKey: B, ephemeralSecret: new Uint8Array(32) })).toThrow(/random source/)
    expect(() => createEnvelope({ bureauPublicKey: B, ephemeralSecret: e, expectedKid: '0000000000000000' })).toThrow(/mismatch/)
    expect(createEnvelope({ bureauPublicKey: B, ephemeralSecret: e, expectedKid: vectors.bureau.kid }).header.kid).toBe(vectors.bureau.kid)
  })
})

describe('objects', () => {
  const all = vectors.objects.map((o) => [o.label, o.plaintextLength, o] as const)

  test.each(all)('encryptObject %s (%i bytes)', (label, _n, object) => {
    const bytes = encryptObject(envelope().keysFor(label), hex(object.iv), plaintextOf(object))
    checkObject(object, bytes)
    expect(bytes.length).toBe(ciphertextSize(object.plaintextLength))
  })

  test.each(all)('encryptAttachment %s (%i bytes), default chunks', async (label, _n, object) => {
    const plaintext = plaintextOf(object)
    const out = collector()
    const result = await encryptAttachment({ keys: envelope().keysFor(label), iv: hex(object.iv), size: plaintext.length, read: reader(plaintext), write: out.write })
    checkObject(object, out.bytes())
    expect(result).toEqual({ plaintextSha256: object.plaintextSha256, ciphertextSha256: object.objectSha256, ciphertextSize: object.objectLength })
  })

  test.each([1, 3, 16, 17, 1000, 65536, 100_003])('encryptAttachment with chunk size %i gives the same objects', async (chunkSize) => {
    for (const object of vectors.objects) {
      // Tiny chunks on the small objects only, to keep the suite fast.
      if (chunkSize < 1000 && object.plaintextLength > 4096) continue
      const plaintext = plaintextOf(object)
      const out = collector()
      const result = await encryptAttachment({
        keys: envelope().keysFor(object.label),
        iv: hex(object.iv),
        size: plaintext.length,
        read: reader(plaintext),
        write: out.write,
        chunkSize,
      })
      checkObject(object, out.bytes())
      expect(result.plaintextSha256).toBe(object.plaintextSha256)
    }
  })

  test('ObjectEncryptor with irregular updates', () => {
    for (const object of vectors.objects) {
      const plaintext = plaintextOf(object)
      const encryptor = new ObjectEncryptor(envelope().keysFor(object.label), hex(object.iv), { hashPlaintext: true, hashObject: true })
      const parts: Uint8Array[] = [hex(object.iv)]
      const steps = [1, 2, 5, 16, 33, 4099, 16384, 70001]
      for (let offset = 0, i = 0; offset < plaintext.length; i++) {
        const length = Math.min(steps[i % steps.length], plaintext.length - offset)
        parts.push(encryptor.update(plaintext.subarray(offset, offset + length)))
        offset += length
      }
      parts.push(encryptor.update(new Uint8Array(0)))
      const { ciphertext, tag, plaintextSha256, objectSha256 } = encryptor.finish()
      checkObject(object, Buffer.concat([...parts, ciphertext, tag]))
      expect(plaintextSha256).toBe(object.plaintextSha256)
      expect(objectSha256).toBe(object.objectSha256)
      expect(() => encryptor.update(new Uint8Array(1))).toThrow(/after finish/)
      expect(() => encryptor.finish()).toThrow(/twice/)
    }
  })

  test('the report vector is UTF-8 Chinese JSON with the attachment hashes', () => {
    const report = vectors.objects[0]
    const parsed = JSON.parse('utf8' in report.plaintext ? report.plaintext.utf8 : '')
    expect(parsed.schema).toBe('clue-report/report@1')
    expect(parsed.description).toMatch(/快贷/)
    expect(parsed.attachments.map((a: { sha256: string }) => a.sha256)).toEqual(vectors.objects.slice(1).map((o) => o.plaintextSha256))
  })

  test('ciphertextSize', () => {
    expect([0, 1, 15, 16, 17, 31, 32].map(ciphertextSize)).toEqual([64, 64, 64, 80, 80, 80, 96])
    expect(() => ciphertextSize(-1)).toThrow()
    expect(() => ciphertextSize(0.5)).toThrow()
  })

  test('rejects bad keys and IVs', () => {
    const keys = envelope().keysFor('report')
    expect(() => encryptObject(keys, new Uint8Array(15), new Uint8Array(1))).toThrow(/iv/)
    expect(() => encryptObject({ ...keys, encKey: keys.encKey.subarray(1) }, new Uint8Array(16), new Uint8Array(1))).toThrow(/encryption key/)
    expect(() => encryptObject({ ...keys, macKey: new Uint8Array(31) }, new Uint8Array(16), new Uint8Array(1))).toThrow(/MAC key/)
  })
})
