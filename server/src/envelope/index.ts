/** The envelope on the Node side (server and bureau tools): node:crypto only, nothing from src/. */
export { EnvelopeError, type EnvelopeErrorCode } from './errors'
export {
  parseHeader,
  checkEpk,
  checkLabel,
  selectKey,
  SUITE_V1,
  SUITE_V2,
  type EnvelopeHeader,
  type EnvelopeHeaderV1,
  type EnvelopeHeaderV2,
  type PrivateKeys,
} from './header'
export { openObject, openObjectFile, type OpenObjectOptions, type OpenObjectFileOptions } from './open'
export { deriveObjectKeysV1, INFO_PREFIX_V1, MIN_OBJECT_LENGTH_V1, type ObjectKeysV1 } from './v1'
export { deriveObjectKeyV2, layoutV2, chunkNonceV2, INFO_PREFIX_V2, MIN_OBJECT_LENGTH_V2, CHUNK_LENGTH, SEALED_CHUNK_LENGTH, type LayoutV2 } from './v2'
export { padme } from './padme'
export { openStreamObject, openStreamObjectFile, sealStreamObject } from './v2'
export {
  parseCaseHeader,
  caseLabel,
  addressedTo,
  decodeReplyKey,
  bureauObjectKey,
  openCaseObject,
  openCaseObjectFile,
  sealCaseReply,
  CASE_HEADER_TYPE,
  CASE_HEADER_VERSION,
  type CaseMessageHeader,
  type CaseRole,
  type CaseObjectKind,
  type BureauCaseReader,
  type OpenCaseObjectOptions,
  type SealReplyOptions,
  type SealedReply,
} from './case'
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
