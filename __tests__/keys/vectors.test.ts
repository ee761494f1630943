/**
 * The key list vectors (docs/vectors/key-list-v1.json, made by scripts/make-key-list-vectors.ts
 * with node:crypto only): node:crypto's Ed25519 verify is the independent judge of every signature;
 * the phone's encoder and verifier (src/keys, tweetnacl) and the Node ones (server/src/keylist)
 * must agree with it on every case.
 */
import { createPublicKey, verify } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fromBase64 } from '@/crypto'
import { verifyEd25519 } from '@/crypto/signature'
import { checkKeyList } from '@/keys/accept'
import { KeyListError, keyListSigningBytes, parseKeyList } from '@/keys/key-list'
import { KEY_LIST_VECTORS_PATH, keyListVectorsText } from '../../scripts/make-key-list-vectors'
import * as node from '../../server/src/keylist'

const ROOT = path.resolve(__dirname, '..', '..')
const vectors = JSON.parse(fs.readFileSync(KEY_LIST_VECTORS_PATH, 'utf8'))
const anchorKey = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(vectors.signingKey.publicKey, 'hex')]), format: 'der', type: 'spki' })
const trust = { anchor: { kid: vectors.signingKey.kid, publicKey: vectors.signingKey.publicKeyBase64, development: false }, release: false }

/** node:crypto's verdict on raw bytes: the independent implementation. */
function nodeVerifies(messageHex: string, signatureB64: string): boolean {
  const signature = Buffer.from(signatureB64, 'base64')
  if (signature.length !== 64) return false
  return verify(null, Buffer.from(messageHex, 'hex'), anchorKey, signature)
}

/** The client's verdict, as its error code ('valid' when accepted). */
function clientResult(list: unknown): string {
  try {
    checkKeyList(list, { trust, floor: 0 })
    return 'valid'
  } catch (e) {
    if (e instanceof KeyListError) return e.code
    throw e
  }
}

function nodeResult(list: unknown): string {
  try {
    node.verifyKeyList(node.parseKeyList(list), { kid: vectors.signingKey.kid, publicKey: Buffer.from(vectors.signingKey.publicKey, 'hex') })
    return 'valid'
  } catch (e) {
    if (e instanceof node.KeyListError) return e.code
    throw e
  }
}

describe('key list vectors', () => {
  it('the file is exactly what the generator makes (node:crypto only, reproducible)', () => {
    expect(fs.readFileSync(KEY_LIST_VECTORS_PATH, 'utf8')).toBe(keyListVectorsText())
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'make-key-list-vectors.ts'), '--check'], { cwd: ROOT, encoding: 'utf8' })
    expect(out).toContain('up to date')
  })

  it('the worked example: the message bytes, their hash, and a signature node:crypto verifies', () => {
    expect(Buffer.from(vectors.message, 'ascii').toString('hex')).toBe(vectors.messageHex)
    expect(vectors.message.split('\n')).toEqual([
      'clue-report/key-list@1',
      'sequence 7',
      'issued-at 2024-05-20T08:00:00Z',
      `signer ${vectors.signingKey.kid}`,
      'keys 2',
      `key ${vectors.encryptionKeys[1].kid} ${vectors.encryptionKeys[1].publicKey} current production`,
      `key ${vectors.encryptionKeys[0].kid} ${vectors.encryptionKeys[0].publicKey} listed production`,
      '',
    ])
    expect(nodeVerifies(vectors.messageHex, vectors.list.signature)).toBe(true)
    expect(Buffer.from(vectors.list.signature, 'base64').toString('hex')).toBe(vectors.signatureHex)
  })

  it('the phone and the Node side both produce exactly the message bytes of the vectors', () => {
    expect(Buffer.from(keyListSigningBytes(vectors.list)).toString('hex')).toBe(vectors.messageHex)
    expect(node.keyListMessage(vectors.list).toString('hex')).toBe(vectors.messageHex)
  })

  it('the phone\'s verify (tweetnacl) accepts the worked example and nothing else under another key', () => {
    const message = fromBase64(Buffer.from(vectors.messageHex, 'hex').toString('base64'))
    const signature = fromBase64(vectors.list.signature)
    expect(verifyEd25519(message, signature, fromBase64(vectors.signingKey.publicKeyBase64))).toBe(true)
    expect(verifyEd25519(message, signature, fromBase64(vectors.otherSigningKey.publicKeyBase64))).toBe(false)
  })

  describe.each<[string, any]>(vectors.cases.map((c: any) => [c.name, c]))('case %s', (_name, c) => {
    it(`is ${c.result} for the phone and for the Node side`, () => {
      expect(clientResult(c.list)).toBe(c.result)
      expect(nodeResult(c.list)).toBe(c.result)
    })

    if (c.messageHex) {
      it('the phone encodes it to the vector bytes, and node:crypto judges those bytes as the phone does', () => {
        const list = c.list
        expect(Buffer.from(keyListSigningBytes(list)).toString('hex')).toBe(c.messageHex)
        const signatureValid = c.result === 'valid' || c.result === 'BAD_KEY'
        // BAD_KEY lists are validly signed garbage; WRONG_SIGNER lists are signed by the other key.
        expect(nodeVerifies(c.messageHex, list.signature)).toBe(signatureValid)
        const tweetnacl = verifyEd25519(new Uint8Array(Buffer.from(c.messageHex, 'hex')), new Uint8Array(Buffer.from(list.signature, 'base64')), fromBase64(vectors.signingKey.publicKeyBase64))
        expect(tweetnacl).toBe(signatureValid)
      })
    }
  })

  it('parsing is strict: the phone refuses the malformed cases before any signature check', () => {
    for (const c of vectors.cases.filter((x: any) => x.result === 'MALFORMED')) {
      expect(() => parseKeyList(c.list)).toThrow(KeyListError)
    }
  })
})

describe('the OpenSSL recipe of docs/protocol.md §16', () => {
  const hasOpenssl3 = (() => {
    try {
      return /OpenSSL [3-9]\./.test(execFileSync('openssl', ['version'], { encoding: 'utf8' }))
    } catch {
      return false
    }
  })()
  const maybe = hasOpenssl3 ? it : it.skip

  maybe('verifies the worked example exactly as written, and refuses it after one byte changes', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'protocol.md'), 'utf8')
    const section = doc.slice(doc.indexOf('## 16. Worked example'), doc.indexOf('## 17.'))
    const script = /```sh\n([\s\S]*?)```/.exec(section)![1]
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'key-list-openssl-'))
    try {
      expect(execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, encoding: 'utf8' })).toContain('Signature Verified Successfully')
      expect(fs.readFileSync(path.join(dir, 'message.txt')).toString('hex')).toBe(vectors.messageHex)
      const altered = script.replace('sequence 7', 'sequence 8')
      expect(() => execFileSync('bash', ['-euo', 'pipefail', '-c', altered], { cwd: dir, encoding: 'utf8', stdio: 'pipe' })).toThrow()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
