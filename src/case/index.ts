/**
 * The case channel on the phone (docs/protocol.md §18–§21): keys from the 查询码, the message
 * header, labels, the two-recipient key agreement, the message plaintext. Pure; the KDF and every
 * X25519 run in the encryption worker (src/crypto-worker: derive, case-envelope, case-open).
 * Never import this from the home page's first load (H5 budget): it comes with the sending code.
 */
export * from './labels'
export * from './keys'
export * from './header'
export * from './envelope'
export * from './plaintext'
export * from './message'
