/**
 * Opens what the server stored with the Node decryptor (server/src/envelope).
 * TEMPORARY local implementation until server/src/envelope lands.
 */
import { createDecipheriv, createHmac, createPublicKey, diffieHellman, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto'
import type { EnvelopeHeader } from '../../server/src/repository'

function rawPublic(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32)
}

function openObject(shared: Buffer, salt: Buffer, label: string, object: Uint8Array): Uint8Array {
  const okm = Buffer.from(hkdfSync('sha256', shared, salt, Buffer.from(`clue-report/v1/${label}`), 64))
  const buf = Buffer.from(object)
  const iv = buf.subarray(0, 16)
  const ct = buf.subarray(16, buf.length - 32)
  const tag = buf.subarray(buf.length - 32)
  const mac = createHmac('sha256', okm.subarray(32)).update(iv).update(ct).digest()
  if (!timingSafeEqual(mac, tag)) throw new Error('bad tag')
  const d = createDecipheriv('aes-256-cbc', okm.subarray(0, 32), iv)
  return new Uint8Array(Buffer.concat([d.update(ct), d.final()]))
}

export function openSealed(privateKey: KeyObject, header: EnvelopeHeader, report: Uint8Array, attachments: Uint8Array[]) {
  const epk = Buffer.from(header.epk, 'base64')
  const E = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epk.toString('base64url') }, format: 'jwk' })
  const shared = diffieHellman({ privateKey, publicKey: E })
  const salt = Buffer.concat([epk, rawPublic(privateKey)])
  return {
    report: openObject(shared, salt, 'report', report),
    attachments: attachments.map((a, n) => openObject(shared, salt, `attachment/${n}`, a)),
  }
}
