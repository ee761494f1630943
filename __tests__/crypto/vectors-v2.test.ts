/**
 * Envelope v2 known-answer vectors (docs/vectors/envelope-v2.json, made by
 * scripts/make-vectors-v2.ts with node:crypto): the client (src/crypto) must reproduce every
 * value, and the node:crypto decryptor (server/src/envelope) must open every object.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ObjectSealer, SUITE, INFO_PREFIX, createEnvelope, keyId, objectInfo, objectSize, padme, sealObject, toBase64, toHex } from '@/crypto'
import { hkdfSha256 } from '@/crypto/hkdf'
import { hmacSha256 } from '@/crypto/hash'
import { x25519, x25519Base } from '@/crypto/x25519'
import { bureauKeyPairFromRaw, layoutV2, openObject, openObjectFile, padme as serverPadme, parseHeader } from '../../server/src/envelope'
import { buildVectorsV2 } from '../../scripts/make-vectors-v2'
import { hex, plaintextOf, vectorsV2 as v, type VectorObjectV2 } from './helpers'

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')
const plain = (o: VectorObjectV2) => plaintextOf(o as never)
const envelope = () => createEnvelope({ bureauPublicKey: hex(v.bureau.publicKey), ephemeralSecret: hex(v.ephemeral.secret) })
const bureau = bureauKeyPairFromRaw(Buffer.from(v.bureau.privateKey, 'hex'))

function checkObject(o: VectorObjectV2, bytes: Uint8Array): void {
  expect(bytes.length).toBe(o.objectLength)
  expect(sha256(bytes)).toBe(o.objectSha256)
  expect(toHex(bytes.subarray(0, 64))).toBe(o.objectHead)
  if (o.object) expect(toHex(bytes)).toBe(o.object)
}

test('the vector file is exactly what the node:crypto generator makes', () => {
  expect(JSON.parse(JSON.stringify(buildVectorsV2()))).toEqual(v)
})

test('the vectors cover one-chunk, exactly-full and multi-chunk objects and the report', () => {
  expect(v.objects.map((o) => o.chunks)).toEqual(expect.arrayContaining([1, 2, 4]))
  expect(v.objects.some((o) => o.framedLength === v.chunkLength && o.framedLength === o.plaintextLength + 8)).toBe(true)
  expect(v.objects.some((o) => o.plaintextLength === 0)).toBe(true)
  expect(v.objects[0].label).toBe('report')
})

describe('the client reproduces the vectors', () => {
  test('suite, info prefix, kid, ephemeral key, shared secret, HKDF PRK and header', () => {
    expect(SUITE).toBe(v.suite)
    expect(INFO_PREFIX).toBe(v.infoPrefix)
    expect(keyId(hex(v.bureau.publicKey))).toBe(v.bureau.kid)
    expect(toHex(x25519Base(hex(v.ephemeral.secret)))).toBe(v.ephemeral.publicKey)
    expect(toHex(x25519(hex(v.ephemeral.secret), hex(v.bureau.publicKey)))).toBe(v.sharedSecret)
    expect(toHex(hmacSha256(hex(v.hkdfSalt), hex(v.sharedSecret)))).toBe(v.hkdfPrk)
    expect(envelope().header).toEqual(v.header)
    expect(toBase64(hex(v.bureau.publicKey))).toBe(v.bureau.publicKeyBase64)
  })

  test.each(v.objects.map((o) => [o.label, o] as const))('%s: info, key, size and object bytes', (label, o) => {
    const nonce = hex(o.objectNonce)
    expect(toHex(objectInfo(label, nonce))).toBe(o.infoHex)
    const key = envelope().objectKey(label, nonce)
    expect(toHex(key)).toBe(o.key)
    expect(toHex(hkdfSha256(hex(v.sharedSecret), hex(v.hkdfSalt), hex(o.infoHex), 32))).toBe(o.key)
    expect(objectSize(o.plaintextLength)).toBe(o.objectLength)
    const sealed = sealObject(key, nonce, plain(o))
    checkObject(o, sealed.bytes)
    expect(sealed.crc32).toBe(o.objectCrc32)
    // The tag at the end of every chunk.
    const tags = Array.from({ length: o.chunks }, (_, i) => {
      const end = Math.min(16 + (i + 1) * (v.chunkLength + 16), sealed.bytes.length)
      return toHex(sealed.bytes.subarray(end - 16, end))
    })
    expect(tags).toEqual(o.chunkTags)
  })

  test.each(v.objects.filter((o) => o.plaintextLength > 0).map((o) => [o.label, o] as const))(
    '%s: streamed in uneven pieces gives the same object',
    (label, o) => {
      const nonce = hex(o.objectNonce)
      const sealer = new ObjectSealer(envelope().objectKey(label, nonce), nonce, o.plaintextLength)
      const data = plain(o)
      const parts: Buffer[] = []
      for (let i = 0, step = 1; i < data.length; i += step, step = step * 3 + 7) parts.push(Buffer.from(sealer.update(data.subarray(i, i + step))))
      parts.push(Buffer.from(sealer.finish()))
      checkObject(o, Buffer.concat(parts))
      expect(sealer.crc32).toBe(o.objectCrc32)
    },
  )

  test('Padmé table', () => {
    for (const { length, padded } of v.padme) expect(padme(length)).toBe(padded)
  })
})

describe('the node:crypto decryptor opens the vectors', () => {
  const header = parseHeader(v.header)
  const bytesOf = (o: VectorObjectV2) => sealObject(hex(o.key), hex(o.objectNonce), plain(o)).bytes

  test.each(v.objects.map((o) => [o.label, o] as const))('%s in memory and from a file', async (label, o) => {
    const object = o.object ? hex(o.object) : bytesOf(o)
    expect(layoutV2(object.length)).toEqual({ chunks: o.chunks, framed: o.framedLength })
    const opened = openObject({ header, privateKey: bureau, label, object })
    expect(sha256(opened)).toBe(o.plaintextSha256)
    const dir = mkdtempSync(join(tmpdir(), 'vectors-v2-'))
    try {
      writeFileSync(join(dir, 'object'), object)
      const result = await openObjectFile({ header, privateKey: [bureau], label, inputPath: join(dir, 'object'), outputPath: join(dir, 'plain') })
      expect(result).toEqual({ size: o.plaintextLength, sha256: o.plaintextSha256 })
      expect(sha256(readFileSync(join(dir, 'plain')))).toBe(o.plaintextSha256)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the report lists the attachments in schema report@3, without plaintext hashes', () => {
    const report = JSON.parse(openObject({ header, privateKey: bureau, label: 'report', object: hex(v.objects[0].object!) }).toString('utf8'))
    expect(report.schema).toBe('clue-report/report@3')
    expect(report.attachments).toHaveLength(v.objects.length - 1)
    for (const a of report.attachments) expect(Object.keys(a).sort()).toEqual(['label', 'mime', 'n', 'name', 'size'])
  })

  test('Padmé table and size layout', () => {
    for (const { length, padded } of v.padme) expect(serverPadme(length)).toBe(padded)
    for (let size = 0; size < 200; size++) {
      const layout = layoutV2(size)
      if (layout) expect(objectSize(layout.framed - 8)).toBeLessThanOrEqual(size)
    }
    expect(layoutV2(41)).toBeUndefined() // framed 9 is not a Padmé value
    expect(layoutV2(42)).toEqual({ chunks: 1, framed: 10 })
  })
})
