/**
 * One envelope object: iv ‖ AES-256-CBC(PKCS#7) ciphertext ‖ HMAC-SHA256(iv ‖ ciphertext).
 *
 * crypto-js does the cryptography: its AES block function, SHA-256 and HMAC. This file chains the
 * CBC blocks and pads itself, because crypto-js's buffered `process()` copies and splices every
 * update and its CBC mode allocates an array per 16-byte block; measured here, that made the
 * cipher about 1.3x slower and produced most of the garbage. The known-answer vectors, made with
 * node:crypto, pin the result.
 */
import CryptoJS from 'crypto-js/core'
import 'crypto-js/aes'
import { concatBytes, toHex } from './bytes'
import { fromWordArray, packWords, toWordArray, unpackWords } from './words'
import type { ObjectKeys } from './envelope'
import { HashSink, SLICE_BYTES } from './hash'

export const IV_LENGTH = 16
export const TAG_LENGTH = 32
const BLOCK = 16

/** Bytes of the object for `plaintextSize` bytes of plaintext: iv + padded ciphertext + tag. */
export function ciphertextSize(plaintextSize: number): number {
  if (!Number.isSafeInteger(plaintextSize) || plaintextSize < 0) throw new Error(`invalid plaintext size ${plaintextSize}`)
  return IV_LENGTH + (Math.floor(plaintextSize / BLOCK) + 1) * BLOCK + TAG_LENGTH
}

export interface ObjectEncryptorOptions {
  /** Also compute SHA-256 of the plaintext (evidence integrity). */
  hashPlaintext?: boolean
  /** Also compute SHA-256 of the whole object iv ‖ ciphertext ‖ tag (upload integrity). */
  hashObject?: boolean
}

export interface ObjectEncryptorResult {
  /** The last ciphertext block(s), padding included. */
  ciphertext: Uint8Array
  tag: Uint8Array
  plaintextSha256?: string
  objectSha256?: string
}

/**
 * Streaming encryptor for one object. The caller emits `iv`, then every `update()` result, then
 * `finish().ciphertext` and `finish().tag`. Holds at most one partial block between calls.
 */
export class ObjectEncryptor {
  private readonly aes: BlockFunction
  /** The previous ciphertext block (the iv at first), as four words. */
  private readonly chain: number[]
  private readonly hmac: HashSink
  private readonly plainHash?: HashSink
  private readonly objectHash?: HashSink
  /** Reused scratch space; stays below V8's large-object size (see hash.ts). */
  private readonly words: number[] = new Array<number>(SLICE_BYTES / 4).fill(0)
  private readonly pending = new Uint8Array(BLOCK)
  private pendingLength = 0
  private finished = false

  constructor(keys: ObjectKeys, iv: Uint8Array, options: ObjectEncryptorOptions = {}) {
    if (!(keys.encKey instanceof Uint8Array) || keys.encKey.length !== 32) throw new Error('encryption key must be 32 bytes')
    if (!(keys.macKey instanceof Uint8Array) || keys.macKey.length !== 32) throw new Error('MAC key must be 32 bytes')
    if (!(iv instanceof Uint8Array) || iv.length !== IV_LENGTH) throw new Error(`iv must be ${IV_LENGTH} bytes`)
    const ivWords = toWordArray(iv)
    this.aes = aesBlockFunction(keys.encKey)
    this.chain = ivWords.words.slice()
    this.hmac = HashSink.hmacSha256(keys.macKey)
    this.hmac.updateWords(ivWords.words, IV_LENGTH)
    if (options.hashPlaintext) this.plainHash = HashSink.sha256()
    if (options.hashObject) {
      this.objectHash = HashSink.sha256()
      this.objectHash.updateWords(ivWords.words, IV_LENGTH)
    }
  }

  /** Encrypts what it can of `plaintext`; returns the complete ciphertext blocks (maybe none). */
  update(plaintext: Uint8Array): Uint8Array {
    if (this.finished) throw new Error('ObjectEncryptor: update after finish')
    const total = this.pendingLength + plaintext.length
    const out = new Uint8Array(total - (total % BLOCK))
    let inOffset = 0
    let outOffset = 0
    if (this.pendingLength > 0) {
      inOffset = Math.min(BLOCK - this.pendingLength, plaintext.length)
      this.pending.set(plaintext.subarray(0, inOffset), this.pendingLength)
      this.pendingLength += inOffset
      if (this.pendingLength < BLOCK) return out
      this.encryptBlocks(this.pending, 0, BLOCK, BLOCK, out, 0)
      this.pendingLength = 0
      outOffset = BLOCK
    }
    const alignedEnd = inOffset + ((plaintext.length - inOffset) & ~(BLOCK - 1))
    for (let s = inOffset; s < alignedEnd; s += SLICE_BYTES) {
      const length = Math.min(SLICE_BYTES, alignedEnd - s)
      this.encryptBlocks(plaintext, s, length, length, out, outOffset)
      outOffset += length
    }
    this.pending.set(plaintext.subarray(alignedEnd), 0)
    this.pendingLength = plaintext.length - alignedEnd
    return out
  }

  /** Pads and encrypts the last block and computes the tag. */
  finish(): ObjectEncryptorResult {
    if (this.finished) throw new Error('ObjectEncryptor: finish called twice')
    this.finished = true
    // PKCS#7: always 1..16 bytes of value n, so a whole block of 0x10 when the input is aligned.
    const n = BLOCK - this.pendingLength
    const block = new Uint8Array(BLOCK)
    block.set(this.pending.subarray(0, this.pendingLength), 0)
    block.fill(n, this.pendingLength)
    const ciphertext = new Uint8Array(BLOCK)
    this.encryptBlocks(block, 0, BLOCK, this.pendingLength, ciphertext, 0)
    this.pending.fill(0)

    const tagWords = this.hmac.finalize()
    const tag = fromWordArray(tagWords)
    const result: ObjectEncryptorResult = { ciphertext, tag }
    if (this.plainHash) result.plaintextSha256 = toHex(fromWordArray(this.plainHash.finalize()))
    if (this.objectHash) {
      this.objectHash.updateWords(tagWords.words, TAG_LENGTH)
      result.objectSha256 = toHex(fromWordArray(this.objectHash.finalize()))
    }
    return result
  }

  /**
   * Encrypts `length` bytes (whole blocks, at most SLICE_BYTES) of `input` at `offset` into `out`.
   * Only the first `plainLength` bytes are plaintext for the plaintext hash (the rest is padding).
   */
  private encryptBlocks(input: Uint8Array, offset: number, length: number, plainLength: number, out: Uint8Array, outOffset: number): void {
    const words = this.words
    packWords(input, offset, length, words)
    // Hash before the words are encrypted in place; the sinks keep nothing of `words`.
    if (this.plainHash && plainLength === length) this.plainHash.updateWords(words, length)
    else if (this.plainHash && plainLength > 0) {
      // The last block: its padding bytes share a word with plaintext, so hash a clean copy.
      this.plainHash.updateWords(toWordArray(input.subarray(offset, offset + plainLength)).words, plainLength)
    }
    const wordCount = length >>> 2
    const aes = this.aes
    const chain = this.chain
    let c0 = chain[0]
    let c1 = chain[1]
    let c2 = chain[2]
    let c3 = chain[3]
    for (let k = 0; k < wordCount; k += 4) {
      // CBC: C_i = AES(K, P_i xor C_{i-1}), in place.
      words[k] ^= c0
      words[k + 1] ^= c1
      words[k + 2] ^= c2
      words[k + 3] ^= c3
      aes.encryptBlock(words, k)
      c0 = words[k]
      c1 = words[k + 1]
      c2 = words[k + 2]
      c3 = words[k + 3]
    }
    chain[0] = c0
    chain[1] = c1
    chain[2] = c2
    chain[3] = c3
    this.hmac.updateWords(words, length)
    if (this.objectHash) this.objectHash.updateWords(words, length)
    unpackWords(words, length, out, outOffset)
  }
}

/** crypto-js's AES block transform: encrypts the four words at `offset` of `words` in place. */
interface BlockFunction {
  encryptBlock(words: number[], offset: number): void
}

function aesBlockFunction(key: Uint8Array): BlockFunction {
  // encryptBlock is what crypto-js's own modes call; @types/crypto-js just does not declare it.
  const cipher = CryptoJS.algo.AES.createEncryptor(toWordArray(key)) as unknown as Partial<BlockFunction>
  if (typeof cipher.encryptBlock !== 'function') throw new Error('crypto-js AES has no encryptBlock (unsupported crypto-js version)')
  return cipher as BlockFunction
}

/** Encrypts a whole object in memory (the report). Returns iv ‖ ciphertext ‖ tag. */
export function encryptObject(keys: ObjectKeys, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const encryptor = new ObjectEncryptor(keys, iv)
  const body = encryptor.update(plaintext)
  const { ciphertext, tag } = encryptor.finish()
  return concatBytes(iv, body, ciphertext, tag)
}
