/**
 * Receipts (查询码): 16 digits the client draws from its secure random source and shows to the
 * resident. The server stores only scrypt(receipt, serverSalt): one server-wide salt, so that a
 * status lookup can find the row by its hash; slow, so that a stolen database does not give the
 * receipts back (10^16 candidates at tens of milliseconds each).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

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

export class ReceiptHasher {
  private readonly salt: Buffer
  constructor(salt: Buffer) {
    if (salt.length < 16) throw new Error('receipt salt too short')
    this.salt = salt
  }

  /** Loads the server salt from the data directory, creating it (mode 0600) on first boot. */
  static open(dataDir: string): ReceiptHasher {
    const file = path.join(dataDir, SALT_FILE)
    try {
      const salt = fs.readFileSync(file)
      if (salt.length !== 32) throw new Error(`${file} is damaged: expected 32 bytes, found ${salt.length}`)
      return new ReceiptHasher(salt)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    const salt = randomBytes(32)
    const tmp = `${file}.tmp`
    const fd = fs.openSync(tmp, 'w', 0o600)
    try {
      fs.writeSync(fd, salt)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, file)
    const dirFd = fs.openSync(dataDir, 'r')
    try {
      fs.fsyncSync(dirFd)
    } finally {
      fs.closeSync(dirFd)
    }
    return new ReceiptHasher(salt)
  }

  /** Hex scrypt hash of a receipt; runs on the libuv pool, never blocking the event loop. */
  hash(receipt: string): Promise<string> {
    return new Promise((resolve, reject) => {
      scrypt(receipt, this.salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key.toString('hex'))))
    })
  }
}

/** Constant-time comparison of two hex hashes of equal length. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && timingSafeEqual(x, y)
}
