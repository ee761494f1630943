/**
 * Recognizes the development key pair shipped in the repository (keys/dev/), so that production
 * refuses it even when the campaign file forgot the `development` flag.
 */
export function isDevelopmentKey(publicKeyB64: string): boolean {
  return DEV_PUBLIC_KEYS.has(publicKeyB64)
}

// Filled in once keys/dev/ exists (see below).
const DEV_PUBLIC_KEYS = new Set<string>([])
