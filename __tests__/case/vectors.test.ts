/**
 * The case channel's known-answer vectors (docs/vectors/case-v1.json, made with node:crypto by
 * scripts/make-case-vectors.ts): reproduced by the phone's code (src/case, src/crypto/scrypt) and
 * by the independent node:crypto implementation the server and the bureau use (server/src/envelope).
 */
import { createHmac, scryptSync } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { fromHex, toHex, utf8Encode } from '@/crypto/bytes'
import { sealObject } from '@/crypto/object'
import { Scrypt, scrypt } from '@/crypto/scrypt'
import { pbkdf2Sha256 } from '@/crypto/pbkdf2'
import {
  CASE_KDF,
  LEGACY_KDF,
  caseSalt,
  createCaseEnvelope,
  deriveCaseSecrets,
  encodeCaseAuth,
  openCaseMessage,
  parseCaseAuth,
  parseCaseHeader,
  replyKeyPair,
} from '@/case'
import vectors from '../../docs/vectors/case-v1.json'
import { bureauKeyPairFromRaw, openCaseObject, parseCaseHeader as parseCaseHeaderNode, sealCaseReply } from '../../server/src/envelope'

const bytes = (h: string) => fromHex(h)
const ROOT = path.resolve(__dirname, '..', '..')

describe('scrypt (src/crypto/scrypt.ts)', () => {
  test.each([
    // RFC 7914 §12 (the first two; the 2^20 one is too slow for a unit test).
    ['', '', 16, 1, 1, '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906'],
    ['password', 'NaCl', 1024, 8, 16, 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640'],
  ])('RFC 7914 vector P=%j S=%j N=%i r=%i p=%i', (password, salt, N, r, p, expected) => {
    expect(toHex(scrypt(utf8Encode(password), utf8Encode(salt), { N, r, p, dkLen: 64 }))).toBe(expected)
  })

  test('agrees with node:crypto on other parameters, lengths and salts', () => {
    for (const [N, r, p, dkLen] of [[2, 1, 1, 1], [64, 2, 3, 33], [256, 8, 1, 64], [512, 3, 2, 100]]) {
      const password = utf8Encode(`pw-${N}-${r}`)
      const salt = utf8Encode(`salt ${p} ${dkLen} 查询码`)
      expect(toHex(scrypt(password, salt, { N, r, p, dkLen }))).toBe(scryptSync(password, salt, dkLen, { N, r, p }).toString('hex'))
    }
  })

  test('run in steps of any size, it gives the one-shot result and reports progress to 1', () => {
    const params = { N: 128, r: 8, p: 2, dkLen: 64 }
    const whole = toHex(scrypt(utf8Encode('1234567890123456'), utf8Encode('s'), params))
    for (const budget of [1, 7, 128, 1000]) {
      const job = new Scrypt(utf8Encode('1234567890123456'), utf8Encode('s'), params)
      let steps = 0
      let last = 0
      while (!job.step(budget)) {
        expect(job.progress).toBeGreaterThanOrEqual(last)
        last = job.progress
        steps++
      }
      expect(job.progress).toBe(1)
      expect(toHex(job.result())).toBe(whole)
      expect(steps).toBeGreaterThanOrEqual(Math.floor(job.total / budget) - 1)
    }
  })

  test('refuses parameters it does not support', () => {
    const ok = { N: 16, r: 1, p: 1, dkLen: 32 }
    for (const bad of [{ N: 15 }, { N: 1 }, { N: 1 << 21 }, { r: 0 }, { p: 0 }, { dkLen: 0 }, { dkLen: 1.5 }]) {
      expect(() => scrypt(utf8Encode('x'), utf8Encode('y'), { ...ok, ...bad })).toThrow(/scrypt/)
    }
  })

  test('PBKDF2-HMAC-SHA256 matches RFC 7914 §11 and node:crypto with several iterations', () => {
    expect(toHex(pbkdf2Sha256(utf8Encode('passwd'), utf8Encode('salt'), 1, 64))).toBe(
      '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
    )
    const { pbkdf2Sync } = jest.requireActual<typeof import('node:crypto')>('node:crypto')
    expect(toHex(pbkdf2Sha256(utf8Encode('k'), utf8Encode('s'), 3, 70))).toBe(pbkdf2Sync('k', 's', 3, 70, 'sha256').toString('hex'))
  })
})

describe('keys from the 查询码 (phone)', () => {
  const k = vectors.kdf
  test('the campaign salt, the KDF output split into A and seed, d, D and rkid', () => {
    expect(CASE_KDF).toEqual({ N: k.N, r: k.r, p: k.p, dkLen: k.dkLen })
    const salt = caseSalt(k.campaignId)
    expect(toHex(salt)).toBe(k.saltHex)
    const secrets = deriveCaseSecrets(k.receipt, salt)
    expect(toHex(secrets.authenticator)).toBe(k.authenticator)
    expect(toHex(secrets.seed)).toBe(k.seed)
    const reply = replyKeyPair(secrets.seed)
    expect(toHex(reply.privateKey)).toBe(k.replyPrivateKey)
    expect(toHex(reply.publicKey)).toBe(k.replyPublicKey)
    expect(reply.kid).toBe(k.rkid)
    expect(encodeCaseAuth(secrets.authenticator)).toBe(k.caseAuth)
  })

  test('the legacy path: the server salt gives A′ whose verifier is what scheme 2 stored', () => {
    const l = vectors.legacy
    expect(LEGACY_KDF).toEqual(CASE_KDF)
    const secrets = deriveCaseSecrets(k.receipt, bytes(l.serverSalt), LEGACY_KDF)
    expect(toHex(secrets.authenticator)).toBe(l.authenticator)
    expect(toHex(secrets.authenticator)).toBe(l.scheme1Hash)
    expect(createHmac('sha256', Buffer.from(vectors.verifier.pepper, 'hex')).update(secrets.authenticator).digest('hex')).toBe(l.scheme2Hash)
    expect(replyKeyPair(secrets.seed).kid).toBe(l.rkid)
  })

  test('Case-Auth is parsed strictly: the canonical 43 characters only', () => {
    expect(toHex(parseCaseAuth(k.caseAuth))).toBe(k.authenticator)
    const bad = [
      `${k.caseAuth}=`, // padding
      k.caseAuth.slice(0, 42), // short
      `${k.caseAuth}A`, // long
      k.caseAuth.replace(/_/g, '/'), // standard alphabet
      `${k.caseAuth.slice(0, 42)}t`, // non-zero trailing bits
      ` ${k.caseAuth.slice(1)}`,
    ]
    for (const value of bad) expect(() => parseCaseAuth(value)).toThrow(/Case-Auth/)
  })

  test('a malformed 查询码 or campaign id is refused before any work', () => {
    expect(() => deriveCaseSecrets('123456789012345', caseSalt('datong-2023'))).toThrow(/16 digits/)
    expect(() => deriveCaseSecrets('１２３４５６７８９０１２３４５６', caseSalt('datong-2023'))).toThrow(/16 digits/)
    expect(() => caseSalt('Datong 2023')).toThrow(/campaign id/)
  })
})

describe('messages: the phone reproduces and opens them', () => {
  const k = vectors.kdf
  const d = bytes(k.replyPrivateKey)
  const D = bytes(k.replyPublicKey)
  const b = bytes(vectors.bureau.privateKey)
  const B = bytes(vectors.bureau.publicKey)

  test.each(vectors.messages.map((m) => [m.from, m] as const))('%s message: header, every object key and object', (_from, m) => {
    const envelope = createCaseEnvelope({
      from: m.from as 'resident' | 'bureau',
      caseId: m.caseId,
      msgId: m.msgId,
      bureauPublicKey: B,
      replyPublicKey: D,
      senderSecret: m.from === 'resident' ? d : b,
      ephemeralSecret: bytes(m.ephemeralSecret),
    })
    expect(envelope.header).toEqual(m.header)
    expect(parseCaseHeader(JSON.stringify(m.header))).toEqual(m.header)
    for (const o of m.objects) {
      const nonce = bytes(o.objectNonce)
      const key = envelope.objectKey(o.label, nonce)
      expect(toHex(key)).toBe(o.key)
      const plaintext = 'file' in o ? bytes(o.file as string) : utf8Encode(m.plaintext)
      const sealed = sealObject(key, nonce, plaintext)
      expect(toHex(sealed.bytes)).toBe(o.object)
      expect(sealed.crc32).toBe(o.objectCrc32)
    }
  })

  test('the resident opens the bureau reply and its own copy (and reads requestsMaterial)', () => {
    const reader = { role: 'resident' as const, secret: d, peerPublicKey: B }
    for (const m of vectors.messages) {
      const addressed = m.objects.find((o) => o.recipient === 'resident')!
      const plain = openCaseMessage({ header: m.header, reader, object: bytes(addressed.object), caseId: m.caseId, msgId: m.msgId, from: m.from as 'resident' | 'bureau' })
      expect(plain).toEqual(JSON.parse(m.plaintext))
    }
    expect(JSON.parse(vectors.messages[0].plaintext).requestsMaterial).toBe(true)
  })
})

describe('messages: the node:crypto implementation (server/src/envelope) reproduces and opens them', () => {
  const bureau = bureauKeyPairFromRaw(Buffer.from(vectors.bureau.privateKey, 'hex'))
  const reader = { keys: bureau, replyPublicKey: Buffer.from(vectors.kdf.replyPublicKey, 'hex') }

  test('the bureau key and both headers', () => {
    expect(bureau.kid).toBe(vectors.bureau.kid)
    for (const m of vectors.messages) expect(parseCaseHeaderNode(m.header)).toEqual(m.header)
  })

  test('the bureau opens the resident message, its file and its own reply copy', () => {
    for (const m of vectors.messages) {
      for (const o of m.objects.filter((x) => x.recipient === 'bureau')) {
        const kind = o.label.endsWith('/copy') ? 'copy' : o.label.includes('/attachment/') ? 'attachment' : 'message'
        const plain = openCaseObject({ header: m.header, reader, caseId: m.caseId, msgId: m.msgId, from: m.from as 'resident' | 'bureau', kind, n: kind === 'attachment' ? Number(o.label.split('/').pop()) : undefined, object: Buffer.from(o.object, 'hex') })
        expect(plain.toString('hex')).toBe('file' in o ? o.file : Buffer.from(m.plaintext, 'utf8').toString('hex'))
      }
    }
  })

  test('sealCaseReply with the vectors e and nonces makes exactly the bureau message', () => {
    const m = vectors.messages.find((x) => x.from === 'bureau')!
    const [message, copy] = m.objects
    const sealed = sealCaseReply({
      caseId: m.caseId,
      msgId: m.msgId,
      bureauKey: bureau,
      replyPublicKey: reader.replyPublicKey,
      plaintext: Buffer.from(m.plaintext, 'utf8'),
      ephemeralSecret: Buffer.from(m.ephemeralSecret, 'hex'),
      nonces: { message: Buffer.from(message.objectNonce, 'hex'), copy: Buffer.from(copy.objectNonce, 'hex') },
    })
    expect(sealed.header).toEqual(m.header)
    expect(sealed.message.toString('hex')).toBe(message.object)
    expect(sealed.copy.toString('hex')).toBe(copy.object)
  })
})

test('the vector file is exactly what scripts/make-case-vectors.ts makes (node:crypto only)', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'make-case-vectors.ts'), '--check'], { cwd: ROOT, encoding: 'utf8' })
  expect(out).toMatch(/up to date/)
})
