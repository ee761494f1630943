/**
 * The DEVELOPMENT key pair shipped in keys/dev/ for tests and local runs. Its passphrase is
 * public, so anything encrypted to it is readable by anyone: production refuses this kid.
 */
import { join } from 'node:path'
import { readPrivateKeyFile, type BureauKeyPair } from './keys'

export const DEV_KEY_PASSPHRASE = 'dev-only-not-secret'

export const DEV_KEY_FILE = join(__dirname, '..', '..', '..', 'keys', 'dev', 'bureau-dev.key.json')

/** kid of the development key, as in campaign/campaign.json. */
export const DEV_KEY_KID = '1a25be3e6b4b9a7b'

/** base64 of the development public key, as in campaign/campaign.json. */
export const DEV_PUBLIC_KEY = '3qN08rjf494XW9z20KFbsZSZiqLFDeYGss5MHunTjwg='

export function isDevelopmentKid(kid: string): boolean {
  return kid === DEV_KEY_KID
}

export function readDevKey(): Promise<BureauKeyPair> {
  return readPrivateKeyFile(DEV_KEY_FILE, DEV_KEY_PASSPHRASE)
}
