/**
 * The receipt pepper: a secret mixed into every new receipt hash (server/src/receipts.ts) that is
 * not in the data directory, so that a copy of the data directory alone does not allow an offline
 * search of receipts. From RECEIPT_PEPPER (64+ hex digits or 44+ characters of base64) or from a
 * file named by RECEIPT_PEPPER_FILE (at least 32 bytes; hex or base64 text is decoded). Production
 * refuses to start without one; development generates one in the data directory and says so.
 */
import fs from 'node:fs'
import path from 'node:path'
import { developmentPepper } from './receipts'

export class PepperError extends Error {}

export interface Pepper {
  bytes: Buffer
  /** Where it came from, for the boot message (never the value). */
  source: 'env' | 'file' | 'development'
}

/** Hex or base64 text of at least 32 random bytes (never a typed passphrase). */
function decodeText(text: string): Buffer {
  const t = text.trim()
  if (/^(?:[0-9a-fA-F]{2}){32,}$/.test(t)) return Buffer.from(t, 'hex')
  if (/^[A-Za-z0-9+/_-]{43,}={0,2}$/.test(t)) return Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64')
  throw new PepperError('The receipt pepper must be at least 32 random bytes, written as 64+ hex digits or base64 (e.g. `head -c 32 /dev/urandom | xxd -p -c 64`)')
}

/** True when `inner` is `outer` or below it (after resolving symbolic links of existing parts). */
function within(inner: string, outer: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p)
    } catch {
      return path.resolve(p)
    }
  }
  const rel = path.relative(real(outer), real(inner))
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

export function loadPepper(env: NodeJS.ProcessEnv, dataDir: string, production: boolean): Pepper {
  const inline = env.RECEIPT_PEPPER
  const file = env.RECEIPT_PEPPER_FILE
  if (inline && file) throw new PepperError('Set RECEIPT_PEPPER or RECEIPT_PEPPER_FILE, not both')
  let bytes: Buffer | undefined
  let source: Pepper['source'] = 'env'
  if (inline) {
    bytes = decodeText(inline)
  } else if (file) {
    source = 'file'
    const resolved = path.resolve(file)
    if (within(resolved, dataDir)) {
      throw new PepperError(`RECEIPT_PEPPER_FILE ${resolved} is inside the data directory ${dataDir}: the pepper must live elsewhere, or a copy of the data directory gives it away`)
    }
    let raw: Buffer
    try {
      raw = fs.readFileSync(resolved)
    } catch (e) {
      throw new PepperError(`Cannot read RECEIPT_PEPPER_FILE ${resolved}: ${(e as Error).message}`)
    }
    bytes = /^[\x20-\x7e\s]*$/.test(raw.toString('latin1')) ? decodeText(raw.toString('latin1')) : raw
  }
  if (bytes) {
    if (bytes.length < 32) throw new PepperError(`The receipt pepper must be at least 32 bytes (64 hex digits); it has ${bytes.length}`)
    return { bytes, source }
  }
  if (production) {
    throw new PepperError(
      'Production mode needs a receipt pepper kept outside the data directory: set RECEIPT_PEPPER_FILE=/etc/clue/receipt-pepper ' +
        '(32 random bytes, e.g. `head -c 32 /dev/urandom > /etc/clue/receipt-pepper`) or RECEIPT_PEPPER=<64 hex digits>',
    )
  }
  return { bytes: developmentPepper(dataDir), source: 'development' }
}
