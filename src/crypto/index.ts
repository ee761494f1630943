/**
 * Client side of envelope format v1 (docs/protocol.md). Pure functions: keys, IVs and ephemeral
 * secrets come in as arguments (from src/platform/random), nothing here touches the platform.
 */
export type { EnvelopeHeader, ObjectKeys, Envelope, CreateEnvelopeOptions } from './envelope'
export { keyId, createEnvelope } from './envelope'
export { encryptObject, ciphertextSize, ObjectEncryptor, IV_LENGTH, TAG_LENGTH } from './object'
export type { ObjectEncryptorOptions, ObjectEncryptorResult } from './object'
export { encryptAttachment, DEFAULT_CHUNK_SIZE, yieldToEventLoop } from './stream'
export type { EncryptAttachmentOptions, EncryptAttachmentResult } from './stream'
export { sha256, sha256Hex, Sha256 } from './hash'
export { ENVELOPE_VERSION, SUITE, INFO_PREFIX, REPORT_LABEL, attachmentLabel, isValidLabel } from './labels'
export { toBase64, fromBase64, toHex, fromHex, utf8Encode, utf8Decode, concatBytes } from './bytes'
