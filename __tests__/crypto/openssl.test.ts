/**
 * A third implementation of envelope v1: the step-by-step openssl recipe of docs/protocol.md §13
 * opens the v1 vectors and objects made by node:crypto. Skipped where no OpenSSL 3 command line is installed.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromHex } from '@/crypto'
import { createEnvelopeV1 as createEnvelope, encryptObjectV1 as encryptObject } from '../support/envelope-v1'
import { hex, plaintextOf, vectorObject, vectors } from './helpers'

function opensslVersion(): number {
  try {
    const match = /OpenSSL (\d+)\./.exec(execFileSync('openssl', ['version'], { encoding: 'utf8' }))
    return match ? Number(match[1]) : 0
  } catch {
    return 0
  }
}

const maybe = opensslVersion() >= 3 ? describe : describe.skip

maybe('openssl command line, envelope v1 (docs/protocol.md §13)', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'envelope-openssl-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  const pem = (kind: string, der: Buffer) => `-----BEGIN ${kind}-----\n${der.toString('base64')}\n-----END ${kind}-----\n`

  function openWithOpenssl(header: { epk: string }, label: string, object: Uint8Array): Buffer {
    const E = Buffer.from(header.epk, 'base64')
    const B = Buffer.from(vectors.bureau.publicKey, 'hex')
    writeFileSync(join(dir, 'bureau.pem'), pem('PRIVATE KEY', Buffer.from(`302e020100300506032b656e04220420${vectors.bureau.privateKey}`, 'hex')))
    writeFileSync(join(dir, 'epk.pem'), pem('PUBLIC KEY', Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), E])))
    // Step 1: Z = X25519(b, E).
    run('pkeyutl', '-derive', '-inkey', 'bureau.pem', '-peerkey', 'epk.pem', '-out', 'z.bin')
    const Z = readFileSync(join(dir, 'z.bin'))
    // Step 2: okm = HKDF-SHA256(Z, salt E ‖ B, info "clue-report/v1/" + label, 64).
    run('kdf', '-keylen', '64', '-kdfopt', 'digest:SHA256', '-kdfopt', `hexkey:${Z.toString('hex')}`, '-kdfopt', `hexsalt:${E.toString('hex')}${B.toString('hex')}`, '-kdfopt', `info:clue-report/v1/${label}`, '-binary', '-out', 'okm.bin', 'HKDF')
    const okm = readFileSync(join(dir, 'okm.bin'))
    // Step 3: check the tag over iv ‖ ciphertext.
    const bytes = Buffer.from(object)
    writeFileSync(join(dir, 'signed.bin'), bytes.subarray(0, bytes.length - 32))
    writeFileSync(join(dir, 'ct.bin'), bytes.subarray(16, bytes.length - 32))
    run('dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${okm.subarray(32).toString('hex')}`, '-binary', '-out', 'mac.bin', 'signed.bin')
    if (!readFileSync(join(dir, 'mac.bin')).equals(bytes.subarray(bytes.length - 32))) throw new Error('tag mismatch')
    // Step 4: decrypt.
    run('enc', '-d', '-aes-256-cbc', '-K', okm.subarray(0, 32).toString('hex'), '-iv', bytes.subarray(0, 16).toString('hex'), '-in', 'ct.bin', '-out', 'plain.bin')
    return readFileSync(join(dir, 'plain.bin'))
  }

  test.each(['report', 'attachment/0', 'attachment/4'])('opens the vector object %s', (label) => {
    const object = vectorObject(label)
    expect(openWithOpenssl(vectors.header, label, fromHex(object.object!)).equals(Buffer.from(plaintextOf(object)))).toBe(true)
  })

  test('opens a v1 object made by node:crypto, and its tag check catches a swapped label', () => {
    const env = createEnvelope({ bureauPublicKey: hex(vectors.bureau.publicKey), ephemeralSecret: new Uint8Array(32).fill(9) })
    const plaintext = Buffer.from('请核实：对方账户 6222…，金额 5000 元。', 'utf8')
    const object = encryptObject(env.keysFor('attachment/2'), new Uint8Array(16).fill(3), plaintext)
    expect(openWithOpenssl(env.header, 'attachment/2', object).equals(plaintext)).toBe(true)
    expect(() => openWithOpenssl(env.header, 'attachment/3', object)).toThrow(/tag mismatch/)
  })
})
