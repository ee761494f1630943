/**
 * The trust anchor built into this build of the app: the bureau's Ed25519 signing key, taken from
 * the campaign configuration by config/trust.ts and defined as the constant CLUE_TRUST at build
 * time. The weapp code package reaches phones through WeChat's release process, so the server
 * cannot change it. Nothing the server sends replaces it.
 */
export interface BuiltInAnchor {
  kid: string
  /** base64 of the 32-byte Ed25519 public key. */
  publicKey: string
  development: boolean
}

export interface BuildTrust {
  anchor: BuiltInAnchor
  /** A release build (`taro build --mode release`): development keys are refused. */
  release: boolean
}

/** The build's trust settings; undefined when the build defined none (then no served list is accepted). */
export function buildTrust(): BuildTrust | undefined {
  // typeof: the constant is replaced at build time; jest defines it as a global (__tests__/setup).
  const trust = typeof CLUE_TRUST === 'undefined' ? undefined : CLUE_TRUST
  if (!trust || typeof trust !== 'object' || !trust.anchor || typeof trust.anchor.publicKey !== 'string' || typeof trust.anchor.kid !== 'string') {
    return undefined
  }
  return trust
}
