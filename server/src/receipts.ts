/**
 * Receipts (查询码): 16 digits the client draws from its secure random source and shows to the
 * resident. The server stores only a slow, keyed hash of it, so that a status lookup can find the
 * row by its hash and a stolen data directory does not give the receipts back:
 *
 *   scheme 1 (receipts finalized before the pepper existed): hex(scrypt(receipt, serverSalt))
 *   scheme 2 (every new receipt): hex(HMAC-SHA256(pepper, scrypt(receipt, serverSalt)))
 *
 * The salt lives in the data directory; the pepper does not (environment or a file given by path),
 * so a copy of the data directory alone cannot be searched offline for scheme-2 receipts. One
 * scrypt serves both schemes, and every scrypt goes through a bounded queue (WorkQueue).
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { WorkQueue, type QueueOptions } from './work-queue'

export const RECEIPT_PATTERN = '^[0-9]{16}$'

/** Request body carrying a receipt (finalize and status): in the body, never in a URL. */
export const receiptBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['receipt'],
  properties: { receipt: { type: 'string', pattern: RECEIPT_PATTERN, description: '查询码: 16 digits' } },
} as const

/** scrypt cost: N = 2^14, r = 8 (16 MiB, ~40 ms on a laptop core). */
const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }
const SALT_FILE = 'receipt-salt'
/** The development pepper, generated on first boot when none is configured (never in production). */
export const DEV_PEPPER_FILE = 'receipt-pepper.dev'

export type ReceiptScheme = 1 | 2
export const CURRENT_SCHEME: ReceiptScheme = 2

/** The hash of one receipt under each scheme (the repository compares a row with its own scheme's). */
export type ReceiptDigests = Record<ReceiptScheme, string>

/** Writes `bytes` to `file` atomically and durably, mode 0600. */
function writeSecretFile(file: string, bytes: Buffer): void {
  const tmp = `${file}.tmp`
  const fd = fs.openSync(tmp, 'w', 0o600)
  try {
    fs.fchmodSync(fd, 0o600)
    fs.writeSync(fd, bytes)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, file)
  const dirFd = fs.openSync(path.dirname(file), 'r')
  try {
    fs.fsyncSync(dirFd)
  } finally {
    fs.closeSync(dirFd)
  }
}

/** Reads a 32-byte secret file, creating it from the secure random source when absent. */
function openSecretFile(file: string): Buffer {
  try {
    const bytes = fs.readFileSync(file)
    if (bytes.length !== 32) throw new Error(`${file} is damaged: expected 32 bytes, found ${bytes.length}`)
    return bytes
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  const bytes = randomBytes(32)
  writeSecretFile(file, bytes)
  return bytes
}

/** The development pepper of a data directory (made on first use). */
export function developmentPepper(dataDir: string): Buffer {
  return openSecretFile(path.join(dataDir, DEV_PEPPER_FILE))
}

export interface HasherOptions {
  /** The receipt pepper (≥ 32 bytes). */
  pepper: Buffer
  queue?: QueueOptions
}

export const DEFAULT_HASH_QUEUE: QueueOptions = { concurrency: 2, maxWaiting: 32, maxWaitMs: 3000 }

export class ReceiptHasher {
  private readonly salt: Buffer
  private readonly pepper: Buffer
  readonly queue: WorkQueue

  constructor(salt: Buffer, options: HasherOptions) {
    if (salt.length < 16) throw new Error('receipt salt too short')
    if (options.pepper.length < 32) throw new Error('receipt pepper too short')
    this.salt = salt
    this.pepper = options.pepper
    this.queue = new WorkQueue(options.queue ?? DEFAULT_HASH_QUEUE)
  }

  /** Loads the server salt from the data directory, creating it (mode 0600) on first boot. */
  static open(dataDir: string, options: HasherOptions): ReceiptHasher {
    return new ReceiptHasher(openSecretFile(path.join(dataDir, SALT_FILE)), options)
  }

  /**
   * The verifier of a case authenticator A (or of a legacy A' = scrypt(R, serverSalt)[0..32)):
   * hex(HMAC-SHA256(pepper, A)), i.e. scheme 2's outer step. No scrypt here: the slow part ran
   * on the phone (docs/protocol.md §18.3).
   */
  verifier(authenticator: Uint8Array): string {
    return createHmac('sha256', this.pepper).update(authenticator).digest('hex')
  }

  /** Scheme 1's hash (hex of the scrypt output) rewritten as scheme 2 (boot migration). */
  upgradeScheme1(scheme1Hex: string): string {
    return this.verifier(Buffer.from(scheme1Hex, 'hex'))
  }

  /** The server salt, published for phones opening legacy cases (GET /api/v1/case/legacy-salt). */
  get legacySalt(): Buffer {
    return Buffer.from(this.salt)
  }

  /**
   * The receipt's hash under every scheme. The scrypt runs on the libuv pool through the bounded
   * queue: rejects with QueueFullError when the queue is full or the wait too long.
   */
  async digests(receipt: string): Promise<ReceiptDigests> {
    const slow = await this.queue.run(
      () => new Promise<Buffer>((resolve, reject) => scrypt(receipt, this.salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key)))),
    )
    return { 1: slow.toString('hex'), 2: createHmac('sha256', this.pepper).update(slow).digest('hex') }
  }
}

/** Constant-time comparison of two hex hashes of equal length. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && timingSafeEqual(x, y)
}
