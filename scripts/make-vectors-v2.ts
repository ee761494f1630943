/**
 * Generates docs/vectors/envelope-v2.json, the known-answer vectors of envelope format v2.
 *
 * Uses node:crypto (X25519, HKDF-SHA256, ChaCha20-Poly1305) and node:zlib (CRC-32) only and imports
 * nothing from src/ or server/ (shared primitives: ./vectors/node-reference.ts), so the vectors do
 * not come from the code they test. Every input is derived from a fixed string: a rerun gives the
 * same file.
 *
 *   npx tsx scripts/make-vectors-v2.ts           rewrite the file
 *   npx tsx scripts/make-vectors-v2.ts --check   exit 1 if the file is not what this script makes
 */
import { createCipheriv, createHmac, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { sha256, x25519PrivateKey, rawPublicKey, pattern, padme, chunkNonce } from './vectors/node-reference'

export const VECTORS_V2_PATH = join(__dirname, '..', 'docs', 'vectors', 'envelope-v2.json')

const SUITE = 'x25519-hkdf-sha256-chacha20poly1305-stream64k-padme'
const INFO_PREFIX = 'clue-report/v2/'
const CHUNK = 64 * 1024
/** Objects up to this size are written out in full; larger ones by hash, head and chunk tags. */
const MAX_INLINE = 4096

const seed = (name: string) => sha256(`clue-report/v2 test vectors: ${name}`)

interface AttachmentSpec {
  n: number
  length: number
  label: '截图' | '交易记录' | '其他'
  name: string
  mime: string
  note: string
}

const ATTACHMENTS: AttachmentSpec[] = [
  { n: 0, length: 0, label: '其他', name: '空文件.txt', mime: 'text/plain', note: 'empty plaintext: the framed plaintext is the 8-byte length alone' },
  { n: 1, length: 17, label: '交易记录', name: '转账记录.txt', mime: 'text/plain', note: 'the worked example: padme(25) = 26, one byte of padding' },
  { n: 2, length: 1000, label: '其他', name: 'a.bin', mime: 'application/octet-stream', note: 'padme(1008) = 1024: 16 bytes of padding' },
  { n: 3, length: CHUNK - 9, label: '截图', name: '聊天截图1.png', mime: 'image/png', note: 'framed 65535, padded to exactly one full chunk' },
  { n: 4, length: CHUNK - 8, label: '截图', name: '聊天截图2.png', mime: 'image/png', note: 'framed exactly 65536: one full chunk, no padding' },
  { n: 5, length: CHUNK - 7, label: '截图', name: '聊天截图3.png', mime: 'image/png', note: 'framed 65537, padded to 67584: a second, short last chunk' },
  { n: 6, length: 200000, label: '截图', name: '录屏.mp4', mime: 'video/mp4', note: 'four chunks, padme(200008) = 200704' },
]

export function buildVectorsV2(): unknown {
  const bureauPrivate = seed('bureau private key')
  const bureauKey = x25519PrivateKey(bureauPrivate)
  const B = rawPublicKey(bureauKey)
  const kid = sha256(B).subarray(0, 8).toString('hex')

  const e = seed('ephemeral secret')
  const ephemeralKey = x25519PrivateKey(e)
  const E = rawPublicKey(ephemeralKey)
  const Z = diffieHellman({ privateKey: ephemeralKey, publicKey: createPublicKey(bureauKey) })
  const Zcheck = diffieHellman({ privateKey: bureauKey, publicKey: createPublicKey(ephemeralKey) })
  if (!Z.equals(Zcheck)) throw new Error('X25519 disagreement')
  const salt = Buffer.concat([E, B])
  const prk = createHmac('sha256', salt).update(Z).digest()
  const header = { v: 2, suite: SUITE, kid, epk: E.toString('base64') }

  const makeObject = (label: string, plaintext: Buffer, plaintextSpec: Record<string, unknown>, extra: Record<string, unknown>) => {
    const objectNonce = seed(`object nonce ${label}`).subarray(0, 16)
    const info = Buffer.concat([Buffer.from(INFO_PREFIX + label, 'utf8'), Buffer.from([0]), objectNonce])
    const key = Buffer.from(hkdfSync('sha256', Z, salt, info, 32))
    const framedLength = padme(8 + plaintext.length)
    const framed = Buffer.alloc(framedLength)
    framed.writeBigUInt64BE(BigInt(plaintext.length), 0)
    plaintext.copy(framed, 8)
    const count = Math.ceil(framedLength / CHUNK)
    const chunks: Buffer[] = []
    const tags: string[] = []
    for (let i = 0; i < count; i++) {
      const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(i, i === count - 1), { authTagLength: 16 })
      const body = Buffer.concat([cipher.update(framed.subarray(i * CHUNK, (i + 1) * CHUNK)), cipher.final()])
      const tag = cipher.getAuthTag()
      tags.push(tag.toString('hex'))
      chunks.push(body, tag)
    }
    const object = Buffer.concat([objectNonce, ...chunks])
    return {
      label,
      ...extra,
      infoHex: info.toString('hex'),
      objectNonce: objectNonce.toString('hex'),
      key: key.toString('hex'),
      plaintext: plaintextSpec,
      plaintextLength: plaintext.length,
      plaintextSha256: sha256(plaintext).toString('hex'),
      ...(plaintext.length <= MAX_INLINE ? { plaintextHex: plaintext.toString('hex') } : {}),
      framedLength,
      ...(framedLength <= MAX_INLINE ? { framedHex: framed.toString('hex') } : {}),
      chunks: count,
      chunkTags: tags,
      objectLength: object.length,
      objectSha256: sha256(object).toString('hex'),
      objectCrc32: crc32(object).toString(16).padStart(8, '0'),
      objectHead: object.subarray(0, 64).toString('hex'),
      ...(object.length <= MAX_INLINE ? { object: object.toString('hex') } : {}),
    }
  }

  const attachmentObjects = ATTACHMENTS.map((a) =>
    makeObject(`attachment/${a.n}`, pattern(a.length), { pattern: 'mod251', length: a.length }, { note: a.note }),
  )

  const report = {
    schema: 'clue-report/report@3',
    id: 'd7f3c1a2-vector',
    createdAt: '2023-04-01T09:12:00+08:00',
    updatedAt: '2023-04-01T09:40:00+08:00',
    category: 'loan',
    branch: 'yd',
    happenedAt: '2023-03-28T21:30',
    description: '对方自称“快贷”客服，放款后以每周30%利息催收，并威胁把我的通讯录和照片发给家人。😡',
    links: ['https://example.invalid/app'],
    party: { accounts: '6222 0000 0000 0000（户名：张某）', phones: '13800000000', websites: '不清楚' },
    extra: { amount: '5000', platform: '快贷' },
    reporter: { anonymous: false, name: '李某', mobile: '13900000000', idNumber: '' },
    declaration: { truthful: true, liability: true, declaredAt: '2023-04-01T09:40:00+08:00' },
    attachments: ATTACHMENTS.map((a) => ({ n: a.n, label: a.label, name: a.name, mime: a.mime, size: a.length })),
  }
  const reportText = JSON.stringify(report)
  const reportObject = makeObject('report', Buffer.from(reportText, 'utf8'), { utf8: reportText }, { note: 'UTF-8 Chinese report JSON (schema report@3) listing the attachments below' })

  return {
    description:
      'Known-answer vectors for clue-report envelope format v2 (docs/protocol.md). Generated by scripts/make-vectors-v2.ts with node:crypto and node:zlib only, not by the code under test. All values are lowercase hex unless named base64.',
    version: 2,
    suite: SUITE,
    infoPrefix: INFO_PREFIX,
    chunkLength: CHUNK,
    derivation: {
      seeds:
        'bureau.privateKey = SHA-256("clue-report/v2 test vectors: bureau private key"); ephemeral.secret = SHA-256("clue-report/v2 test vectors: ephemeral secret"); object nonce of label L = first 16 bytes of SHA-256("clue-report/v2 test vectors: object nonce " + L)',
      plaintextPattern: 'a plaintext given as {"pattern": "mod251", "length": n} is the n bytes where byte i = i mod 251',
      largeObjects: `objects over ${MAX_INLINE} bytes are given by objectLength, objectSha256, objectCrc32, objectHead (first 64 bytes) and chunkTags instead of in full`,
    },
    bureau: { privateKey: bureauPrivate.toString('hex'), publicKey: B.toString('hex'), publicKeyBase64: B.toString('base64'), kid },
    ephemeral: { secret: e.toString('hex'), publicKey: E.toString('hex') },
    sharedSecret: Z.toString('hex'),
    hkdfSalt: salt.toString('hex'),
    hkdfPrk: prk.toString('hex'),
    header,
    objects: [reportObject, ...attachmentObjects],
    padme: [0, 1, 8, 9, 25, 1008, 2014, 65535, 65537, 200008, 1048576, 1048577, 20971528].map((length) => ({ length, padded: padme(length) })),
  }
}

export function vectorsV2Text(): string {
  return JSON.stringify(buildVectorsV2(), null, 2) + '\n'
}

if (require.main === module) {
  const text = vectorsV2Text()
  if (process.argv.includes('--check')) {
    const current = readFileSync(VECTORS_V2_PATH, 'utf8')
    if (current !== text) {
      console.error(`${VECTORS_V2_PATH} is out of date; run npx tsx scripts/make-vectors-v2.ts`)
      process.exit(1)
    }
    console.log(`${VECTORS_V2_PATH} is up to date`)
  } else {
    writeFileSync(VECTORS_V2_PATH, text)
    console.log(`wrote ${VECTORS_V2_PATH}`)
  }
}
