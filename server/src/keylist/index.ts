/** Signed key lists and the bureau's signing key on the Node side (docs/protocol.md §14–§17). */
export {
  KEY_LIST_FORMAT,
  MAX_KEY_LIST_BYTES,
  KeyListError,
  keyListMessage,
  formatKeyList,
  parseKeyList,
  parseKeyListText,
  currentEntry,
  isIssuedAt,
  type KeyListErrorCode,
  type KeyListEntry,
  type SignedKeyList,
  type UnsignedKeyList,
} from './format'
export { verifyKeyList, signKeyList, isDevelopmentEntry, currentIsDevelopment, type Anchor, type KeyListContent } from './verify'
export {
  SIGNING_KEY_FILE_FORMAT,
  generateSigningKeyPair,
  signingKeyPairFromSeed,
  ed25519PublicKey,
  encodeSigningKeyFile,
  decodeSigningKeyFile,
  writeSigningKeyFile,
  readSigningKeyFile,
  type SigningKeyPair,
} from './signing-key'
export { DEV_SIGNING_KEY_FILE, DEV_SIGNING_KID, DEV_SIGNING_PUBLIC_KEY, isDevelopmentSigner, readDevSigningKey } from './dev-signing-key'
