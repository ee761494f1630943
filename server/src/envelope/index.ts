/** Envelope v1 on the Node side (server and bureau tools): node:crypto only, nothing from src/. */
export { EnvelopeError, type EnvelopeErrorCode } from './errors'
export {
  parseHeader,
  checkEpk,
  checkLabel,
  selectKey,
  deriveObjectKeys,
  openObject,
  openObjectFile,
  ENVELOPE_VERSION,
  SUITE,
  INFO_PREFIX,
  MIN_OBJECT_LENGTH,
  type EnvelopeHeader,
  type ObjectKeys,
  type PrivateKeys,
  type OpenObjectOptions,
  type OpenObjectFileOptions,
} from './open'
export {
  kidOf,
  generateBureauKeyPair,
  bureauKeyPairFromRaw,
  rawPrivateKey,
  encodePrivateKeyFile,
  decodePrivateKeyFile,
  writePrivateKeyFile,
  readPrivateKeyFile,
  sealKeyFile,
  openKeyFile,
  readKeyFileText,
  KEY_FILE_FORMAT,
  DEFAULT_SCRYPT_LOG_N,
  type BureauKeyPair,
  type KeyFileOptions,
} from './keys'
export { DEV_KEY_PASSPHRASE, DEV_KEY_FILE, DEV_KEY_KID, DEV_PUBLIC_KEY, isDevelopmentKid, readDevKey } from './dev-key'
