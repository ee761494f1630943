/**
 * Client side of envelope format v2 (docs/protocol.md). Pure functions: keys, nonces and ephemeral
 * secrets come in as arguments (from src/platform/random), nothing here touches the platform.
 * Each primitive is its own module (chacha20, poly1305, chacha20poly1305, crc32, padme, hkdf,
 * hash, x25519) so that other protocols can reuse them.
 */
export type { EnvelopeHeader, EnvelopeHeaderV1, AnyEnvelopeHeader, Envelope, CreateEnvelopeOptions } from './envelope'
export { keyId, createEnvelope, objectInfo } from './envelope'
export { ObjectSealer, sealObject, objectSize, framedLength, chunkNonce, CHUNK_LENGTH, SEALED_CHUNK_LENGTH, LENGTH_PREFIX, OBJECT_NONCE_LENGTH } from './object'
export type { SealedObject } from './object'
export { seal, sealInto, open, equalBytes, AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH } from './chacha20poly1305'
export { Crc32, crc32Hex } from './crc32'
export { padme } from './padme'
export { sha256, sha256Hex, Sha256 } from './hash'
export { ENVELOPE_VERSION, SUITE, INFO_PREFIX, ENVELOPE_VERSION_1, SUITE_V1, REPORT_LABEL, attachmentLabel, isValidLabel } from './labels'
export { toBase64, fromBase64, toHex, fromHex, utf8Encode, utf8Decode, concatBytes } from './bytes'
