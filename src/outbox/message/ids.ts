import { toHex } from '@/crypto/bytes'
import { randomBytes } from '@/platform/random'

/** A message id: 16 bytes from the secure random source, as 32 lowercase hex (docs/protocol.md). */
export async function newMsgId(): Promise<string> {
  return toHex(await randomBytes(16))
}
