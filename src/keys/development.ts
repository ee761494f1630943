/**
 * The DEVELOPMENT keys shipped in keys/dev/ (public passphrase). A release build refuses them at
 * build time (config/trust.ts) and a phone of a release build refuses a key list whose current
 * key is one of them: they are recognized by kid, not only by their "development" flag.
 */
import kids from '../../keys/dev/development-kids.json'

export const DEV_ENCRYPTION_KID: string = kids.encryption
export const DEV_SIGNING_KID: string = kids.signing

export function isDevelopmentKey(key: { kid: string; development?: boolean }): boolean {
  return key.development === true || key.kid === DEV_ENCRYPTION_KID || key.kid === DEV_SIGNING_KID
}
