/**
 * The DEVELOPMENT signing key shipped in keys/dev/ (the trust anchor of development builds). Its
 * passphrase is public, so anyone can sign a key list with it: production refuses this anchor.
 */
import { join } from 'node:path'
import { DEV_KEY_PASSPHRASE } from '../envelope'
import { readSigningKeyFile, type SigningKeyPair } from './signing-key'

export const DEV_SIGNING_KEY_FILE = join(__dirname, '..', '..', '..', 'keys', 'dev', 'bureau-dev-signing.key.json')

/** kid of the development signing key, as in campaign/campaign.json "signingKey" and keys/dev/development-kids.json. */
export const DEV_SIGNING_KID = '60a745a23efcdaeb'

/** base64 of the development Ed25519 public key. */
export const DEV_SIGNING_PUBLIC_KEY = '9iUjnSKH1L9u2EstrK3hor7KH8NupoCSHKxA9rb0b1U='

export function isDevelopmentSigner(kid: string): boolean {
  return kid === DEV_SIGNING_KID
}

export function readDevSigningKey(): Promise<SigningKeyPair> {
  return readSigningKeyFile(DEV_SIGNING_KEY_FILE, DEV_KEY_PASSPHRASE)
}
