/**
 * Generates docs/vectors/envelope-v1.json, the known-answer vectors of envelope format v1.
 *
 * Uses node:crypto only and imports nothing from src/ or server/, so the vectors do not come from
 * the code they test. Every input is derived from a fixed string, so a rerun gives the same file.
 *
 *   npx tsx scripts/make-vectors.ts           rewrite the file
 *   npx tsx scripts/make-vectors.ts --check   exit 1 if the file is not what this script makes
 */
import { createCipheriv, createHmac, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sha256, x25519PrivateKey, rawPublicKey, pattern } from './vectors/node-reference'

export const VECTORS_PATH = join(__dirname, '..', 'docs', 'vectors', 'envelope-v1.json')

const SUITE = 'x25519-hkdf-sha256-aes256cbc-hmacsha256'
const INFO_PREFIX = 'clue-report/v1/'
/** The default attachment chunk size of the client; three vectors sit on its boundary. */
const CHUNK = 256 * 1024
/** Objects up to this size are written out in full; larger ones by hash, head and tag. */
const MAX_INLINE = 4096

const seed = (name: string) => sha256(`clue-report/v1 test vectors: ${name}`)

interface AttachmentSpec {
  n: number
  length: number
  label: '截图' | '交易记录' | '其他'
  name: string
  mime: string
  note: string
}

const ATTACHMENTS: AttachmentSpec[] = [
  { n: 0, length: 0, label: '其他', name: '空文件.txt', mime: 'text/plain', note: 'empty plaintext: one block of padding' },
  { n: 1, length: 1, label: '其他', name: 'a.bin', mime: 'application/octet-stream', note: '1 byte' },
  { n: 2, length: 15, label: '其他', name: 'b.bin', mime: 'application/octet-stream', note: 'one byte short of a block' },
  { n: 3, length: 16, label: '其他', name: 'c.bin', mime: 'application/octet-stream', note: 'exactly one block: a whole block of padding follows' },
  { n: 4, length: 17, label: '交易记录', name: '转账记录.txt', mime: 'text/plain', note: 'one byte past a block (the worked example)' },
  { n: 5, length: CHUNK - 1, label: '截图', name: '聊天截图1.png', mime: 'image/png', note: 'one chunk minus one byte' },
  { n: 6, length: CHUNK, label: '截图', name: '聊天截图2.png', mime: 'image/png', note: 'exactly one chunk' },
  { n: 7, length: CHUNK + 1, label: '截图', name: '聊天截图3.jpg', mime: 'image/jpeg', note: 'one chunk plus one byte' },
]

export function buildVectors(): unknown {
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

  const header = { v: 1, suite: SUITE, kid, epk: E.toString('base64') }

  const makeObject = (label: string, plaintext: Buffer, plaintextSpec: Record<string, unknown>, extra: Record<string, unknown>) => {
    const info = INFO_PREFIX + label
    const okm = Buffer.from(hkdfSync('sha256', Z, salt, Buffer.from(info, 'utf8'), 64))
    const encKey = okm.subarray(0, 32)
    const macKey = okm.subarray(32, 64)
    const iv = seed(`iv ${label}`).subarray(0, 16)
    const cipher = createCipheriv('aes-256-cbc', encKey, iv)
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
    const tag = createHmac('sha256', macKey).update(iv).update(ciphertext).digest()
    const object = Buffer.concat([iv, ciphertext, tag])
    return {
      label,
      ...extra,
      info,
      okm: okm.toString('hex'),
      encKey: encKey.toString('hex'),
      macKey: macKey.toString('hex'),
      iv: iv.toString('hex'),
      plaintext: plaintextSpec,
      plaintextLength: plaintext.length,
      plaintextSha256: sha256(plaintext).toString('hex'),
      ...(plaintext.length <= MAX_INLINE ? { plaintextHex: plaintext.toString('hex') } : {}),
      objectLength: object.length,
      objectSha256: sha256(object).toString('hex'),
      objectHead: object.subarray(0, 64).toString('hex'),
      tag: tag.toString('hex'),
      ...(object.length <= MAX_INLINE ? { object: object.toString('hex') } : {}),
    }
  }

  const attachmentObjects = ATTACHMENTS.map((a) =>
    makeObject(`attachment/${a.n}`, pattern(a.length), { pattern: 'mod251', length: a.length }, { note: a.note }),
  )

  const report = {
    schema: 'clue-report/report@1',
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
    attachments: ATTACHMENTS.map((a, i) => ({
      n: a.n,
      label: a.label,
      name: a.name,
      mime: a.mime,
      size: a.length,
      sha256: attachmentObjects[i].plaintextSha256,
    })),
  }
  const reportText = JSON.stringify(report)
  const reportObject = makeObject('report', Buffer.from(reportText, 'utf8'), { utf8: reportText }, { note: 'UTF-8 Chinese report JSON listing the attachments below' })

  return {
    description:
      'Known-answer vectors for clue-report envelope format v1 (docs/protocol.md). Generated by scripts/make-vectors.ts with node:crypto only, not by the code under test. All values are lowercase hex unless named base64.',
    version: 1,
    suite: SUITE,
    infoPrefix: INFO_PREFIX,
    derivation: {
      seeds: 'bureau.privateKey = SHA-256("clue-report/v1 test vectors: bureau private key"); ephemeral.secret = SHA-256("clue-report/v1 test vectors: ephemeral secret"); iv of label L = first 16 bytes of SHA-256("clue-report/v1 test vectors: iv " + L)',
      plaintextPattern: 'a plaintext given as {"pattern": "mod251", "length": n} is the n bytes where byte i = i mod 251',
      largeObjects: `objects over ${MAX_INLINE} bytes are given by objectLength, objectSha256, objectHead (first 64 bytes) and tag instead of in full`,
      chunkSize: CHUNK,
    },
    bureau: { privateKey: bureauPrivate.toString('hex'), publicKey: B.toString('hex'), publicKeyBase64: B.toString('base64'), kid },
    ephemeral: { secret: e.toString('hex'), publicKey: E.toString('hex') },
    sharedSecret: Z.toString('hex'),
    hkdfSalt: salt.toString('hex'),
    hkdfPrk: prk.toString('hex'),
    header,
    objects: [reportObject, ...attachmentObjects],
    rejectedPublicKeys: [
      { hex: '0000000000000000000000000000000000000000000000000000000000000000', why: 'u = 0, order 1: Z is all zero' },
      { hex: '0100000000000000000000000000000000000000000000000000000000000000', why: 'u = 1, order 4: Z is all zero' },
      { hex: 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', why: 'order 8: Z is all zero' },
      { hex: '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157', why: 'order 8: Z is all zero' },
      { hex: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', why: 'u = p - 1, order 2: Z is all zero' },
      { hex: 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', why: 'u = p: not canonical' },
      { hex: 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', why: 'u = p + 1: not canonical' },
      { hex: B.toString('hex').slice(0, 62) + (B[31] | 0x80).toString(16).padStart(2, '0'), why: 'the bureau key with the top bit set: not canonical' },
    ],
  }
}

export function vectorsText(): string {
  return JSON.stringify(buildVectors(), null, 2) + '\n'
}

if (require.main === module) {
  const text = vectorsText()
  if (process.argv.includes('--check')) {
    const current = readFileSync(VECTORS_PATH, 'utf8')
    if (current !== text) {
      console.error(`${VECTORS_PATH} is out of date; run npx tsx scripts/make-vectors.ts`)
      process.exit(1)
    }
    console.log(`${VECTORS_PATH} is up to date`)
  } else {
    writeFileSync(VECTORS_PATH, text)
    console.log(`wrote ${VECTORS_PATH}`)
  }
}
