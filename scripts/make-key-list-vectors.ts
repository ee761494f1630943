/**
 * Generates docs/vectors/key-list-v1.json, the known-answer vectors of the signed key list
 * (docs/protocol.md §14–§17).
 *
 * Uses node:crypto only and imports nothing from src/ or server/: the canonical bytes are built
 * here again, straight from the specification, so the vectors do not come from the code they
 * test. Ed25519 signatures are deterministic and every key is derived from a fixed string, so a
 * rerun gives the same file.
 *
 *   npx tsx scripts/make-key-list-vectors.ts           rewrite the file
 *   npx tsx scripts/make-key-list-vectors.ts --check   exit 1 if the file is not what this script makes
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const KEY_LIST_VECTORS_PATH = join(__dirname, '..', 'docs', 'vectors', 'key-list-v1.json')

const FORMAT = 'clue-report/key-list@1'
/** The Ed25519 group order L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032), little-endian. */
const L = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex')

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest()
const seed = (name: string) => sha256(`clue-report/key-list@1 test vectors: ${name}`)
const kidOf = (publicKey: Buffer) => sha256(publicKey).subarray(0, 8).toString('hex')

function ed25519(seedBytes: Buffer): { privateKey: KeyObject; publicKey: Buffer } {
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seedBytes]), format: 'der', type: 'pkcs8' })
  return { privateKey, publicKey: Buffer.from(String(createPublicKey(privateKey).export({ format: 'jwk' }).x), 'base64url') }
}

function x25519Public(raw: Buffer): Buffer {
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), raw]), format: 'der', type: 'pkcs8' })
  return Buffer.from(String(createPublicKey(privateKey).export({ format: 'jwk' }).x), 'base64url')
}

interface Entry {
  kid: string
  publicKey: string
  current: boolean
  development?: true
}

interface List {
  format: string
  sequence: number
  issuedAt: string
  signer: string
  keys: Entry[]
  signature?: string
}

/** §15.2, written again from the specification. */
function message(list: List): Buffer {
  const lines = [FORMAT, `sequence ${list.sequence}`, `issued-at ${list.issuedAt}`, `signer ${list.signer}`, `keys ${list.keys.length}`]
  for (const k of list.keys) lines.push(`key ${k.kid} ${k.publicKey} ${k.current ? 'current' : 'listed'} ${k.development ? 'development' : 'production'}`)
  return Buffer.from(lines.map((l) => `${l}\n`).join(''), 'ascii')
}

function signed(list: List, key: KeyObject): List {
  const { signature: _ignored, ...unsigned } = list
  return { ...unsigned, signature: sign(null, message(unsigned), key).toString('base64') }
}

/** The same signature with S replaced by S + L (still < 2^256): valid for lax verifiers, refused by RFC 8032. */
function malleate(signatureB64: string): string {
  const sig = Buffer.from(signatureB64, 'base64')
  let carry = 0
  for (let i = 0; i < 32; i++) {
    const sum = sig[32 + i] + L[i] + carry
    sig[32 + i] = sum & 0xff
    carry = sum >> 8
  }
  if (carry !== 0) throw new Error('S + L overflows 256 bits')
  return sig.toString('base64')
}

type Result = 'valid' | 'MALFORMED' | 'BAD_KEY' | 'WRONG_SIGNER' | 'BAD_SIGNATURE'

interface Case {
  name: string
  why: string
  list: unknown
  /** The bytes §15.2 gives for this list, when it has the shape to give any. */
  messageHex?: string
  /** What a verifier with the vectors' signing key as its anchor must conclude. */
  result: Result
}

export function buildKeyListVectors() {
  const anchor = ed25519(seed('signing key'))
  const other = ed25519(seed('another signing key'))
  const anchorKid = kidOf(anchor.publicKey)
  const otherKid = kidOf(other.publicKey)
  const enc = [0, 1, 2].map((i) => {
    const privateKey = seed(`encryption key ${i}`)
    const publicKey = x25519Public(privateKey)
    return { privateKey: privateKey.toString('hex'), publicKey: publicKey.toString('base64'), kid: kidOf(publicKey) }
  })
  const entry = (i: number, current: boolean, development?: true): Entry => ({ kid: enc[i].kid, publicKey: enc[i].publicKey, current, ...(development ? { development } : {}) })

  const base: List = { format: FORMAT, sequence: 7, issuedAt: '2024-05-20T08:00:00Z', signer: anchorKid, keys: [entry(1, true), entry(0, false)] }
  const list = signed(base, anchor.privateKey)
  const msg = message(list)
  if (!verify(null, msg, createPublicKey(anchor.privateKey), Buffer.from(list.signature!, 'base64'))) throw new Error('Ed25519 self-check failed')

  // A point that is not canonical (p + 1 = 2^255 - 18, little-endian), with the kid it would give.
  const nonCanonical = Buffer.alloc(32, 0xff)
  nonCanonical[0] = 0xee
  nonCanonical[31] = 0x7f

  const tampered = (name: string, why: string, patch: (l: List) => List): Case => {
    const l = patch(structuredClone(list))
    return { name, why, list: l, messageHex: message(l).toString('hex'), result: 'BAD_SIGNATURE' }
  }
  const signedCase = (name: string, why: string, l: List, key: KeyObject, result: Result): Case => {
    const s = signed(l, key)
    return { name, why, list: s, messageHex: message(s).toString('hex'), result }
  }

  const cases: Case[] = [
    { name: 'valid', why: 'the list of the worked example', list, messageHex: msg.toString('hex'), result: 'valid' },
    signedCase('valid-development', 'a single development key, correctly signed (a release build still refuses it: §15.4)', { ...base, sequence: 1, keys: [entry(2, true, true)] }, anchor.privateKey, 'valid'),
    tampered('sequence-changed', 'sequence raised after signing', (l) => ({ ...l, sequence: 8 })),
    tampered('issued-at-changed', 'issue time changed after signing', (l) => ({ ...l, issuedAt: '2024-05-21T08:00:00Z' })),
    tampered('current-moved', 'the current flag moved to the other key', (l) => ({ ...l, keys: [{ ...l.keys[0], current: false }, { ...l.keys[1], current: true }] })),
    tampered('key-replaced', 'the current key replaced by another (consistent kid)', (l) => ({ ...l, keys: [entry(2, true), l.keys[1]] })),
    tampered('development-flag-added', 'a development flag added to a key', (l) => ({ ...l, keys: [{ ...l.keys[0], development: true }, l.keys[1]] })),
    tampered('keys-reordered', 'the same keys in another order', (l) => ({ ...l, keys: [l.keys[1], l.keys[0]] })),
    tampered('signer-forged', "the signer says the anchor, the signature is another key's", (l) => ({ ...l, signature: signed({ ...l, signer: anchorKid }, other.privateKey).signature })),
    tampered('signature-malleated', 'S replaced by S + L: RFC 8032 §5.1.7 requires S < L', (l) => ({ ...l, signature: malleate(l.signature!) })),
    tampered('signature-zero', '64 zero bytes', (l) => ({ ...l, signature: Buffer.alloc(64).toString('base64') })),
    signedCase('signed-by-other-key', 'validly signed, by a key that is not the anchor', { ...base, signer: otherKid }, other.privateKey, 'WRONG_SIGNER'),
    { name: 'unsigned', why: 'no signature member', list: (({ signature: _s, ...rest }) => rest)(list), result: 'MALFORMED' },
    { name: 'extra-member', why: 'a member the format does not have', list: { ...list, comment: 'x' }, result: 'MALFORMED' },
    { name: 'sequence-zero', why: 'sequence 0 is the bundled list, never signed', list: { ...list, sequence: 0 }, result: 'MALFORMED' },
    { name: 'signature-not-canonical-base64', why: 'signature without its "==" padding', list: { ...list, signature: list.signature!.replace(/=+$/, '') }, result: 'MALFORMED' },
    signedCase('kid-mismatch', 'signed, but a kid does not match its public key', { ...base, keys: [{ ...entry(1, true), kid: enc[0].kid }, entry(2, false)] }, anchor.privateKey, 'BAD_KEY'),
    signedCase('non-canonical-key', 'signed, but the current key is not a canonical X25519 point (§3)', { ...base, keys: [{ kid: kidOf(nonCanonical), publicKey: nonCanonical.toString('base64'), current: true }] }, anchor.privateKey, 'BAD_KEY'),
    signedCase('two-current', 'signed, but two keys are current', { ...base, keys: [entry(1, true), entry(0, true)] }, anchor.privateKey, 'BAD_KEY'),
  ]

  return {
    description: 'Known-answer vectors of the signed key list clue-report/key-list@1 (docs/protocol.md §14-§17). Made by scripts/make-key-list-vectors.ts with node:crypto only.',
    format: FORMAT,
    signingKey: {
      seedFrom: 'SHA-256("clue-report/key-list@1 test vectors: signing key")',
      seed: seed('signing key').toString('hex'),
      publicKey: anchor.publicKey.toString('hex'),
      publicKeyBase64: anchor.publicKey.toString('base64'),
      kid: anchorKid,
    },
    otherSigningKey: { publicKeyBase64: other.publicKey.toString('base64'), kid: otherKid },
    encryptionKeys: enc.map((k, i) => ({ privateKeyFrom: `SHA-256("clue-report/key-list@1 test vectors: encryption key ${i}")`, ...k })),
    list,
    message: msg.toString('ascii'),
    messageHex: msg.toString('hex'),
    messageSha256: sha256(msg).toString('hex'),
    signatureHex: Buffer.from(list.signature!, 'base64').toString('hex'),
    cases,
  }
}

export function keyListVectorsText(): string {
  return JSON.stringify(buildKeyListVectors(), null, 2) + '\n'
}

if (require.main === module) {
  const text = keyListVectorsText()
  if (process.argv.includes('--check')) {
    if (readFileSync(KEY_LIST_VECTORS_PATH, 'utf8') !== text) {
      console.error(`${KEY_LIST_VECTORS_PATH} is out of date; run npx tsx scripts/make-key-list-vectors.ts`)
      process.exit(1)
    }
    console.log(`${KEY_LIST_VECTORS_PATH} is up to date`)
  } else {
    writeFileSync(KEY_LIST_VECTORS_PATH, text)
    console.log(`wrote ${KEY_LIST_VECTORS_PATH}`)
  }
}
