/** Shared by the envelope tests: the known-answer vectors, typed, and small byte helpers. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface VectorObject {
  label: string
  note: string
  info: string
  okm: string
  encKey: string
  macKey: string
  iv: string
  plaintext: { utf8: string } | { pattern: 'mod251'; length: number }
  plaintextLength: number
  plaintextSha256: string
  plaintextHex?: string
  objectLength: number
  objectSha256: string
  objectHead: string
  tag: string
  object?: string
}

export interface Vectors {
  version: 1
  suite: string
  infoPrefix: string
  derivation: { chunkSize: number }
  bureau: { privateKey: string; publicKey: string; publicKeyBase64: string; kid: string }
  ephemeral: { secret: string; publicKey: string }
  sharedSecret: string
  hkdfSalt: string
  hkdfPrk: string
  header: { v: 1; suite: 'x25519-hkdf-sha256-aes256cbc-hmacsha256'; kid: string; epk: string }
  objects: VectorObject[]
  rejectedPublicKeys: { hex: string; why: string }[]
}

export const ROOT = join(__dirname, '..', '..')

export const vectors: Vectors = JSON.parse(readFileSync(join(ROOT, 'docs', 'vectors', 'envelope-v1.json'), 'utf8'))

export function hex(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value, 'hex'))
}

export function plaintextOf(object: VectorObject): Uint8Array {
  if ('utf8' in object.plaintext) return new Uint8Array(Buffer.from(object.plaintext.utf8, 'utf8'))
  const out = new Uint8Array(object.plaintext.length)
  for (let i = 0; i < out.length; i++) out[i] = i % 251
  return out
}

export function vectorObject(label: string): VectorObject {
  const found = vectors.objects.find((o) => o.label === label)
  if (!found) throw new Error(`no vector ${label}`)
  return found
}

/** Collects what encryptAttachment writes. */
export function collector(): { write: (bytes: Uint8Array) => Promise<void>; bytes: () => Buffer; writes: number[] } {
  const parts: Uint8Array[] = []
  const writes: number[] = []
  return {
    write: async (bytes) => {
      parts.push(bytes.slice())
      writes.push(bytes.length)
    },
    bytes: () => Buffer.concat(parts),
    writes,
  }
}

export function reader(data: Uint8Array): (offset: number, length: number) => Promise<Uint8Array> {
  return async (offset, length) => data.slice(offset, offset + length)
}

export interface VectorObjectV2 {
  label: string
  note: string
  infoHex: string
  objectNonce: string
  key: string
  plaintext: { utf8: string } | { pattern: 'mod251'; length: number }
  plaintextLength: number
  plaintextSha256: string
  plaintextHex?: string
  framedLength: number
  framedHex?: string
  chunks: number
  chunkTags: string[]
  objectLength: number
  objectSha256: string
  objectCrc32: string
  objectHead: string
  object?: string
}

export interface VectorsV2 {
  version: 2
  suite: string
  infoPrefix: string
  chunkLength: number
  bureau: { privateKey: string; publicKey: string; publicKeyBase64: string; kid: string }
  ephemeral: { secret: string; publicKey: string }
  sharedSecret: string
  hkdfSalt: string
  hkdfPrk: string
  header: { v: 2; suite: 'x25519-hkdf-sha256-chacha20poly1305-stream64k-padme'; kid: string; epk: string }
  objects: VectorObjectV2[]
  padme: { length: number; padded: number }[]
}

export const vectorsV2: VectorsV2 = JSON.parse(readFileSync(join(ROOT, 'docs', 'vectors', 'envelope-v2.json'), 'utf8'))
