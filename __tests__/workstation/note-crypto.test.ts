/**
 * Bureau notes: the committed vectors opened by the client's independent ChaCha20-Poly1305 and
 * HKDF (src/crypto), and every tamper case refused by bureau/note-crypto.ts.
 */
import fs from 'node:fs'
import path from 'node:path'
import { bureauKeyPairFromRaw, generateBureauKeyPair } from '../../server/src/envelope'
import { NoteError, noteKey, openNote, sealNote, sealNoteWith, type NotePlaintext } from '../../bureau/note-crypto'
import { hkdfSha256 } from '@/crypto/hkdf'
import { open as aeadOpen } from '@/crypto/chacha20poly1305'
import { fromHex, utf8Decode, utf8Encode } from '@/crypto/bytes'

const vector = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'vectors', 'bureau-note-v1.json'), 'utf8'))

test('the vector: node:crypto makes it, src/crypto opens it independently', () => {
  const key = bureauKeyPairFromRaw(Buffer.from(vector.privateKey, 'hex'))
  expect(Buffer.from(key.publicKey).toString('hex')).toBe(vector.publicKey)
  const k = hkdfSha256(fromHex(vector.privateKey), fromHex(vector.publicKey), utf8Encode('clue-report/bureau-note/v1'), 32)
  expect(Buffer.from(k).toString('hex')).toBe(vector.noteKey)
  const p = JSON.parse(vector.plaintext) as NotePlaintext
  const aad = utf8Encode(`clue-report/bureau-note/v1/${p.caseId}/${p.noteId}/${vector.kid}`)
  const opened = aeadOpen(k, Buffer.from(vector.header.nonce, 'base64'), fromHex(vector.object), aad)
  expect(opened && utf8Decode(opened)).toBe(vector.plaintext)
  // And node:crypto makes the same bytes again.
  const again = sealNoteWith(noteKey(key), key.kid, Buffer.from(vector.header.nonce, 'base64'), p)
  expect(again.object.toString('hex')).toBe(vector.object)
  expect(openNote([key], p.caseId, p.noteId, vector.header, Buffer.from(vector.object, 'hex'))).toEqual(p)
})

describe('tampering', () => {
  const key = generateBureauKeyPair()
  const p: NotePlaintext = { schema: 'clue-report/bureau-note@1', caseId: 'a'.repeat(32), noteId: 'b'.repeat(32), author: '市局', writtenAt: '2024-05-03T08:00:00.000Z', text: '备注' }
  const sealed = sealNote(key, p)
  const code = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      return (e as NoteError).code
    }
    return 'opened'
  }
  test.each([
    ['another case', () => openNote([key], 'c'.repeat(32), p.noteId, sealed.header, sealed.object), 'BAD_MAC'],
    ['another note id', () => openNote([key], p.caseId, 'd'.repeat(32), sealed.header, sealed.object), 'BAD_MAC'],
    ['a flipped bit', () => {
      const o = Buffer.from(sealed.object)
      o[3] ^= 1
      return openNote([key], p.caseId, p.noteId, sealed.header, o)
    }, 'BAD_MAC'],
    ['truncated', () => openNote([key], p.caseId, p.noteId, sealed.header, sealed.object.subarray(0, 10)), 'MALFORMED'],
    ['another bureau key with the same kid', () => openNote([{ ...generateBureauKeyPair(), kid: key.kid }], p.caseId, p.noteId, sealed.header, sealed.object), 'BAD_MAC'],
    ['a key that is not given', () => openNote([generateBureauKeyPair()], p.caseId, p.noteId, sealed.header, sealed.object), 'UNKNOWN_KID'],
    ['a note made by someone with only the public key', () => {
      // The server knows B: without b it cannot derive K; its best try is a key from public values.
      const forged = sealNoteWith(Buffer.alloc(32, 7), key.kid, Buffer.alloc(12), p)
      return openNote([key], p.caseId, p.noteId, forged.header, forged.object)
    }, 'BAD_MAC'],
  ])('%s is refused', (_name, f, expected) => {
    expect(code(f)).toBe(expected)
  })
  test('untampered opens', () => {
    expect(openNote([key], p.caseId, p.noteId, sealed.header, sealed.object)).toEqual(p)
  })
})
