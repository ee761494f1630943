/**
 * Internal notes (docs/protocol.md §19): written and read only by holders of the bureau's private
 * key. The key is derived from the private key itself, so the server (which has only the public
 * key) can neither read a note nor make one that a workstation would accept; the case and note ids
 * are authenticated, so a note cannot be moved to another case unnoticed. node:crypto only.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { rawPrivateKey, type BureauKeyPair } from '../server/src/envelope'

export const NOTE_INFO = 'clue-report/bureau-note/v1'
export const NOTE_SCHEMA = 'clue-report/bureau-note@1'
/** Characters of note text. */
export const MAX_NOTE_TEXT = 5000

export interface NoteHeader {
  v: 1
  t: 'bureau-note'
  kid: string
  /** base64 of the 12-byte ChaCha20-Poly1305 nonce. */
  nonce: string
}

export interface NotePlaintext {
  schema: typeof NOTE_SCHEMA
  caseId: string
  noteId: string
  /** The workstation token's name. */
  author: string
  writtenAt: string
  text: string
}

export class NoteError extends Error {
  constructor(
    readonly code: 'UNKNOWN_KID' | 'BAD_MAC' | 'MALFORMED',
    message: string,
  ) {
    super(message)
  }
}

/** K_note = HKDF-SHA256(IKM = b, salt = B, info = NOTE_INFO, 32). */
export function noteKey(key: BureauKeyPair): Buffer {
  const raw = rawPrivateKey(key)
  try {
    return Buffer.from(hkdfSync('sha256', raw, key.publicKey, Buffer.from(NOTE_INFO, 'utf8'), 32))
  } finally {
    raw.fill(0)
  }
}

export function noteAad(caseId: string, noteId: string, kid: string): Buffer {
  return Buffer.from(`${NOTE_INFO}/${caseId}/${noteId}/${kid}`, 'utf8')
}

export function sealNoteWith(noteKeyBytes: Uint8Array, kid: string, nonce: Buffer, plaintext: NotePlaintext): { header: NoteHeader; object: Buffer } {
  const cipher = createCipheriv('chacha20-poly1305', noteKeyBytes, nonce, { authTagLength: 16 })
  cipher.setAAD(noteAad(plaintext.caseId, plaintext.noteId, kid), { plaintextLength: 0 })
  const ct = Buffer.concat([cipher.update(Buffer.from(JSON.stringify(plaintext), 'utf8')), cipher.final()])
  return { header: { v: 1, t: 'bureau-note', kid, nonce: nonce.toString('base64') }, object: Buffer.concat([ct, cipher.getAuthTag()]) }
}

export function sealNote(key: BureauKeyPair, plaintext: NotePlaintext): { header: NoteHeader; object: Buffer } {
  const k = noteKey(key)
  try {
    return sealNoteWith(k, key.kid, randomBytes(12), plaintext)
  } finally {
    k.fill(0)
  }
}

/** Opens a note stored for (caseId, noteId); throws NoteError. The plaintext's ids must match too. */
export function openNote(keys: readonly BureauKeyPair[], caseId: string, noteId: string, header: unknown, object: Buffer): NotePlaintext {
  const h = header as Partial<NoteHeader> | null
  if (!h || h.v !== 1 || h.t !== 'bureau-note' || typeof h.kid !== 'string' || typeof h.nonce !== 'string') throw new NoteError('MALFORMED', 'not a bureau note header')
  const key = keys.find((k) => k.kid === h.kid)
  if (!key) throw new NoteError('UNKNOWN_KID', `note encrypted to key ${h.kid}`)
  const nonce = Buffer.from(h.nonce, 'base64')
  if (nonce.length !== 12 || object.length < 16) throw new NoteError('MALFORMED', 'bad nonce or object length')
  const k = noteKey(key)
  let text: string
  try {
    const d = createDecipheriv('chacha20-poly1305', k, nonce, { authTagLength: 16 })
    d.setAAD(noteAad(caseId, noteId, h.kid), { plaintextLength: 0 })
    d.setAuthTag(object.subarray(object.length - 16))
    text = Buffer.concat([d.update(object.subarray(0, object.length - 16)), d.final()]).toString('utf8')
  } catch {
    throw new NoteError('BAD_MAC', 'the note fails authentication')
  } finally {
    k.fill(0)
  }
  let p: NotePlaintext
  try {
    p = JSON.parse(text) as NotePlaintext
  } catch {
    throw new NoteError('MALFORMED', 'the note is not JSON')
  }
  if (p?.schema !== NOTE_SCHEMA || p.caseId !== caseId || p.noteId !== noteId || typeof p.text !== 'string' || typeof p.author !== 'string' || typeof p.writtenAt !== 'string') {
    throw new NoteError('MALFORMED', 'the note plaintext is not a bureau note for this case')
  }
  return p
}
