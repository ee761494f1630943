/**
 * The part of sending that needs the crypto code (crypto-js, tweetnacl, the envelope and the
 * encryption worker's client): encrypting a job and checking the encrypted copies. Loaded on first use through load-sending.ts, so that in H5 the
 * home page's first load carries no crypto (npm run size checks it).
 */
export { encryptStep } from './encrypt'
export { crc32Hex, sha256Hex, toBase64 } from '@/crypto'
export { currentEncryptionKey } from '@/keys/store'
export { refreshKeyList } from '@/services/key-list'
export { encryptMessageStep } from './message/encrypt'
