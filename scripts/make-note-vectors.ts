/**
 * Known-answer vectors for bureau notes (docs/protocol.md §19): `npx tsx scripts/make-note-vectors.ts`
 * writes docs/vectors/bureau-note-v1.json with node:crypto (bureau/note-crypto.ts). The tests open
 * them with the client's independent ChaCha20-Poly1305 and HKDF (src/crypto).
 */
import fs from 'node:fs'
import path from 'node:path'
import { bureauKeyPairFromRaw } from '../server/src/envelope'
import { noteKey, sealNoteWith, type NotePlaintext } from '../bureau/note-crypto'

const raw = Buffer.from('0f'.repeat(32), 'hex')
const key = bureauKeyPairFromRaw(raw)
const nonce = Buffer.from('000102030405060708090a0b', 'hex')
const plaintext: NotePlaintext = {
  schema: 'clue-report/bureau-note@1',
  caseId: '0123456789abcdef0123456789abcdef',
  noteId: 'fedcba9876543210fedcba9876543210',
  author: '御东分局工作站',
  writtenAt: '2024-05-03T08:00:00.000Z',
  text: '已电话联系银行核实账户。',
}
const sealed = sealNoteWith(noteKey(key), key.kid, nonce, plaintext)
const out = {
  description: 'Bureau note v1: K = HKDF-SHA256(b, B, "clue-report/bureau-note/v1", 32); ChaCha20-Poly1305 with AAD "clue-report/bureau-note/v1/<caseId>/<noteId>/<kid>"',
  privateKey: raw.toString('hex'),
  publicKey: Buffer.from(key.publicKey).toString('hex'),
  kid: key.kid,
  noteKey: noteKey(key).toString('hex'),
  plaintext: JSON.stringify(plaintext),
  header: sealed.header,
  object: sealed.object.toString('hex'),
}
fs.writeFileSync(path.join(__dirname, '..', 'docs', 'vectors', 'bureau-note-v1.json'), `${JSON.stringify(out, null, 2)}\n`)
console.log('wrote docs/vectors/bureau-note-v1.json')
