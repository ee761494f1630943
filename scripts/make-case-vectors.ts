/**
 * Generates docs/vectors/case-v1.json, the known-answer vectors of the case channel
 * (docs/protocol.md §18–§21): keys from the 查询码, the server's verifier, a legacy case, and one
 * message each way with every object.
 *
 * node:crypto only (scrypt, HMAC, HKDF, X25519, ChaCha20-Poly1305); imports nothing from src/ or
 * server/, so the vectors do not come from the code they test. Every input is derived from a fixed
 * string: a rerun gives the same file.
 *
 *   npx tsx scripts/make-case-vectors.ts           rewrite the file
 *   npx tsx scripts/make-case-vectors.ts --check   exit 1 if the file is not what this script makes
 */
import { createCipheriv, createHmac, hkdfSync, scryptSync } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { sha256, x25519PrivateKey, rawPublicKey, x25519, padme, chunkNonce } from './vectors/node-reference'

export const CASE_VECTORS_PATH = join(__dirname, '..', 'docs', 'vectors', 'case-v1.json')

const SUITE = 'x25519-hkdf-sha256-chacha20poly1305-stream64k-padme'
const CHUNK = 64 * 1024
const KDF = { N: 16384, r: 8, p: 1, dkLen: 64 }

const fixed = (name: string) => sha256(`clue-report/case/v1 test vectors: ${name}`)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')
const kid = (publicKey: Uint8Array) => hex(sha256(publicKey).subarray(0, 8))

const publicOf = (raw: Buffer) => rawPublicKey(x25519PrivateKey(raw))

/** nonce ‖ ChaCha20-Poly1305 STREAM over u64be(n) ‖ P ‖ zeros (docs/protocol.md §5). */
function sealObject(key: Buffer, nonce: Buffer, plaintext: Buffer): { object: Buffer; chunkTags: string[] } {
  const framed = Buffer.alloc(padme(8 + plaintext.length))
  framed.writeBigUInt64BE(BigInt(plaintext.length))
  plaintext.copy(framed, 8)
  const count = Math.ceil(framed.length / CHUNK)
  const parts = [nonce]
  const chunkTags: string[] = []
  for (let i = 0; i < count; i++) {
    const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(i, i === count - 1), { authTagLength: 16 })
    parts.push(cipher.update(framed.subarray(i * CHUNK, (i + 1) * CHUNK)))
    cipher.final()
    const tag = cipher.getAuthTag()
    parts.push(tag)
    chunkTags.push(hex(tag))
  }
  return { object: Buffer.concat(parts), chunkTags }
}

function kdf(receipt: string, salt: Buffer) {
  const out = scryptSync(Buffer.from(receipt, 'ascii'), salt, KDF.dkLen, { N: KDF.N, r: KDF.r, p: KDF.p, maxmem: 64 * 1024 * 1024 })
  const authenticator = out.subarray(0, 32)
  const seed = out.subarray(32, 64)
  const replyPrivate = Buffer.from(hkdfSync('sha256', seed, Buffer.alloc(0), Buffer.from('clue-report/case/v1/reply-key'), 32))
  const replyPublic = publicOf(replyPrivate)
  return {
    out: hex(out),
    authenticator: hex(authenticator),
    caseAuth: authenticator.toString('base64url'),
    seed: hex(seed),
    replyPrivateKey: hex(replyPrivate),
    replyPublicKey: hex(replyPublic),
    replyPublicKeyBase64: b64(replyPublic),
    rkid: kid(replyPublic),
  }
}

interface ObjectVector {
  label: string
  recipient: 'bureau' | 'resident'
  objectNonce: string
  es: string
  infoHex: string
  key: string
  plaintextLength: number
  objectLength: number
  chunkTags: string[]
  objectCrc32: string
  object: string
}

function makeMessage(opts: {
  from: 'resident' | 'bureau'
  caseId: string
  msgId: string
  ephemeral: Buffer
  bureauPrivate: Buffer
  replyPrivate: Buffer
  plaintext: Buffer
  files: Buffer[]
}) {
  const B = publicOf(opts.bureauPrivate)
  const D = publicOf(opts.replyPrivate)
  const E = publicOf(opts.ephemeral)
  const ss = opts.from === 'resident' ? x25519(opts.replyPrivate, B) : x25519(opts.bureauPrivate, D)
  const ssOther = opts.from === 'resident' ? x25519(opts.bureauPrivate, D) : x25519(opts.replyPrivate, B)
  if (!ss.equals(ssOther)) throw new Error('ss differs')
  const salt = Buffer.concat([E, B, D])
  const header = { t: 'case-message', v: 1, suite: SUITE, kid: kid(B), rkid: kid(D), epk: b64(E) }
  const base = `case/${opts.caseId}/message/${opts.msgId}`
  const one = (label: string, recipient: 'bureau' | 'resident', plaintext: Buffer): ObjectVector => {
    const nonce = fixed(`object nonce ${label}`).subarray(0, 16)
    const es = x25519(opts.ephemeral, recipient === 'bureau' ? B : D)
    const info = Buffer.concat([Buffer.from(`clue-report/v2/${label}`, 'utf8'), Buffer.from([0]), nonce])
    const key = Buffer.from(hkdfSync('sha256', Buffer.concat([es, ss]), salt, info, 32))
    const { object, chunkTags } = sealObject(key, nonce, plaintext)
    return {
      label,
      recipient,
      objectNonce: hex(nonce),
      es: hex(es),
      infoHex: hex(info),
      key: hex(key),
      plaintextLength: plaintext.length,
      objectLength: object.length,
      chunkTags,
      objectCrc32: crc32(object).toString(16).padStart(8, '0'),
      object: hex(object),
    }
  }
  const other = opts.from === 'resident' ? 'bureau' : 'resident'
  return {
    from: opts.from,
    caseId: opts.caseId,
    msgId: opts.msgId,
    ephemeralSecret: hex(opts.ephemeral),
    E: hex(E),
    ss: hex(ss),
    hkdfSalt: hex(salt),
    header,
    plaintext: opts.plaintext.toString('utf8'),
    objects: [
      one(base, other, opts.plaintext),
      one(`${base}/copy`, opts.from, opts.plaintext),
      ...opts.files.map((file, n) => ({ ...one(`${base}/attachment/${n}`, 'bureau', file), file: hex(file) })),
    ],
  }
}

export function makeCaseVectors() {
  const receipt = '8302194755160038'
  const campaignId = 'datong-2023'
  const caseSalt = Buffer.from(`clue-report/case/v1/${campaignId}`, 'utf8')
  const pepper = fixed('receipt pepper')
  const serverSalt = fixed('server receipt salt')
  const fresh = kdf(receipt, caseSalt)
  const legacy = kdf(receipt, serverSalt)
  // What the pre-change server stored: scheme 1 hex(scrypt(R, salt, 32)), scheme 2 HMAC(pepper, that).
  const scheme1 = scryptSync(receipt, serverSalt, 32, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
  const bureauPrivate = fixed('bureau private key')
  const B = publicOf(bureauPrivate)
  const caseId = hex(fixed('case id').subarray(0, 16))
  const residentMsgId = hex(fixed('resident message id').subarray(0, 16))
  const bureauMsgId = hex(fixed('bureau message id').subarray(0, 16))
  const replyPrivate = Buffer.from(fresh.replyPrivateKey, 'hex')
  const file = Buffer.from('转账记录：2023-05-30 21:14 向对方账户转账 3000.00 元\n', 'utf8')
  const bureauText = JSON.stringify({
    schema: 'clue-report/case-message@1',
    caseId,
    msgId: bureauMsgId,
    from: 'bureau',
    writtenAt: '2023-06-02T10:15+08:00',
    text: '您好，请补充对方收款账户的截图或转账记录。',
    requestsMaterial: true,
    inReplyTo: null,
    attachments: [],
  })
  const residentText = JSON.stringify({
    schema: 'clue-report/case-message@1',
    caseId,
    msgId: residentMsgId,
    from: 'resident',
    writtenAt: '2023-06-02T20:41+08:00',
    text: '收款账户是对方提供的，转账记录见附件。',
    requestsMaterial: false,
    inReplyTo: bureauMsgId,
    attachments: [{ n: 0, label: '交易记录', name: '转账记录.txt', mime: 'text/plain', size: file.length, detectedType: 'text' }],
  })
  return {
    description:
      'Known-answer vectors of the case channel (docs/protocol.md §18-§21), made with node:crypto only by scripts/make-case-vectors.ts. ' +
      'Every secret is SHA-256("clue-report/case/v1 test vectors: " + name).',
    kdf: { name: 'scrypt', ...KDF, receipt, campaignId, salt: caseSalt.toString('utf8'), saltHex: hex(caseSalt), ...fresh },
    verifier: {
      pepper: hex(pepper),
      V: createHmac('sha256', pepper).update(Buffer.from(fresh.authenticator, 'hex')).digest('hex'),
    },
    legacy: {
      serverSalt: hex(serverSalt),
      serverSaltBase64: b64(serverSalt),
      ...legacy,
      scheme1Hash: hex(scheme1),
      scheme2Hash: createHmac('sha256', pepper).update(scheme1).digest('hex'),
      V: createHmac('sha256', pepper).update(Buffer.from(legacy.authenticator, 'hex')).digest('hex'),
      note: "scrypt(..., 64)[0..32) = scrypt(..., 32): a legacy row's scheme-2 hash is HMAC(pepper, A'), the verifier of A'",
    },
    bureau: { privateKey: hex(bureauPrivate), publicKey: hex(B), publicKeyBase64: b64(B), kid: kid(B) },
    caseId,
    messages: [
      makeMessage({ from: 'bureau', caseId, msgId: bureauMsgId, ephemeral: fixed('bureau message ephemeral secret'), bureauPrivate, replyPrivate, plaintext: Buffer.from(bureauText, 'utf8'), files: [] }),
      makeMessage({ from: 'resident', caseId, msgId: residentMsgId, ephemeral: fixed('resident message ephemeral secret'), bureauPrivate, replyPrivate, plaintext: Buffer.from(residentText, 'utf8'), files: [file] }),
    ],
  }
}

function main(): void {
  const text = `${JSON.stringify(makeCaseVectors(), null, 2)}\n`
  if (process.argv.includes('--check')) {
    const current = readFileSync(CASE_VECTORS_PATH, 'utf8')
    if (current !== text) {
      console.error(`${CASE_VECTORS_PATH} is not what scripts/make-case-vectors.ts makes`)
      process.exit(1)
    }
    console.log(`${CASE_VECTORS_PATH} is up to date`)
    return
  }
  writeFileSync(CASE_VECTORS_PATH, text)
  console.log(`wrote ${CASE_VECTORS_PATH}`)
}

if (require.main === module) main()
