/**
 * The signed key list the server serves (GET /api/v1/keys), read at boot and on SIGHUP. The server
 * holds no signing key: it serves the file's bytes exactly as sign-keys wrote them. In production
 * it refuses to start with a list that phones would refuse, and says why; in development it
 * serves any JSON file (tests play hostile servers with it) with a warning of what phones refuse.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import type { CampaignConfig } from '../../src/domain/types'
import { ConfigError } from './config'
import {
  currentEntry,
  isDevelopmentEntry,
  KeyListError,
  MAX_KEY_LIST_BYTES,
  parseKeyListText,
  verifyKeyList,
  type SignedKeyList,
} from './keylist'

export interface ServedKeyList {
  /** The parsed list; undefined for a malformed file served in development (phones refuse it). */
  list?: SignedKeyList
  /** The file's bytes, served as they are. */
  body: Buffer
  /** Strong ETag of the body. */
  etag: string
  /** Problems that phones will refuse the list for (development mode only; production refuses them). */
  warnings: string[]
}

function readIfPresent(file: string): Buffer | undefined {
  let bytes: Buffer
  try {
    const stat = fs.statSync(file)
    if (!stat.isFile()) throw new ConfigError(`The key list ${file} is not a file`)
    if (stat.size > MAX_KEY_LIST_BYTES) throw new ConfigError(`The key list ${file} is larger than 64 KiB: not a key list`)
    bytes = fs.readFileSync(file)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    if (e instanceof ConfigError) throw e
    throw new ConfigError(`Cannot read the key list ${file}: ${(e as Error).message}`)
  }
  return bytes
}

/**
 * Reads and checks the signed key list. Undefined when there is none (development only: phones
 * then keep the keys built into the app).
 */
export function loadKeyList(file: string, campaign: CampaignConfig, production: boolean): ServedKeyList | undefined {
  const body = readIfPresent(file)
  if (!body) {
    if (!production) return undefined
    throw new ConfigError(
      `production mode needs the signed key list ${file}: make it on the offline computer with ` +
        '`npm run bureau -- sign-keys` and copy it here (README, "For bureau staff")',
    )
  }
  try {
    JSON.parse(body.toString('utf8'))
  } catch {
    throw new ConfigError(`The key list ${file} is not JSON: make it with \`npm run bureau -- sign-keys\``)
  }
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`
  let list: SignedKeyList
  try {
    list = parseKeyListText(body.toString('utf8'))
  } catch (e) {
    if (production) throw new ConfigError(`The key list ${file} is refused in production: ${(e as Error).message}`)
    return { body, etag, warnings: [(e as Error).message] }
  }
  const problems: string[] = []
  const anchor = campaign.signingKey
  if (!anchor) {
    problems.push('the campaign configuration has no "signingKey", so the signature cannot be checked')
  } else {
    try {
      verifyKeyList(list, { kid: anchor.kid, publicKey: Buffer.from(anchor.publicKey, 'base64') })
    } catch (e) {
      if (!(e instanceof KeyListError)) throw e
      problems.push(e.message)
    }
  }
  if (production) {
    const current = currentEntry(list)
    if (isDevelopmentEntry(current)) problems.push(`its current key ${current.kid} is a development key (keys/dev/, public passphrase)`)
    const others = list.keys.filter((k) => !k.current && isDevelopmentEntry(k))
    if (others.length > 0) problems.push(`it lists the development key ${others.map((k) => k.kid).join(', ')}`)
    if (problems.length > 0) throw new ConfigError(`The key list ${file} is refused in production: ${problems.join('; ')}`)
  }
  return { list, body, etag, warnings: problems }
}
