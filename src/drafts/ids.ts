import { randomBytes } from '@/platform/random'

/** A random identifier (hex) from the platform's secure random source. */
export async function newId(bytes = 12): Promise<string> {
  const raw = await randomBytes(bytes)
  return Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join('')
}
