import { toHex } from '@/crypto/bytes'
import { randomBytes } from '@/platform/random'

/** A random identifier (hex) from the platform's secure random source. */
export async function newId(bytes = 12): Promise<string> {
  return toHex(await randomBytes(bytes))
}
