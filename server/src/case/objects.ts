/**
 * The checks of a posted case message's header.epk and of its two objects, the same for a
 * resident's message (routes/case.ts) and a workstation's reply (bureau-api/routes/messages.ts):
 * their answers (codes, messages, fields) are part of both APIs and are the same in both.
 */
import { EnvelopeError } from '../envelope'
import { ApiError } from '../errors'
import { LIMITS, isCiphertextSize } from '../limits'
import { decodeBase64 } from '../routes/submissions'

/**
 * Runs `checkHeader`, the route's checks of the header (an EnvelopeError it throws becomes 400
 * INVALID_EPK on /header/epk; anything else passes through), then decodes `message` and `copy` in
 * that order: each canonical base64 (INVALID_BASE64), at most LIMITS.maxCaseObjectBytes
 * (MESSAGE_TOO_LARGE) and of a v2 object's size (INVALID_MESSAGE_SIZE), the error naming its field.
 * Returns what `checkHeader` returned, and the objects' bytes.
 */
export function checkCaseMessage<H>(body: { message: string; copy: string }, checkHeader: () => H): { header: H; message: Buffer; copy: Buffer } {
  let header: H
  try {
    header = checkHeader()
  } catch (e) {
    if (e instanceof EnvelopeError) throw new ApiError('INVALID_EPK', `header.epk: ${e.message}`, { field: '/header/epk' })
    throw e
  }
  const object = (name: 'message' | 'copy'): Buffer => {
    const bytes = decodeBase64(body[name])
    if (!bytes) throw new ApiError('INVALID_BASE64', `${name} is not canonical base64`, { field: `/${name}` })
    if (bytes.length > LIMITS.maxCaseObjectBytes) throw new ApiError('MESSAGE_TOO_LARGE', 'A message object is at most 64 KiB of plaintext', { field: `/${name}` })
    if (!isCiphertextSize(bytes.length, 2)) throw new ApiError('INVALID_MESSAGE_SIZE', `A ${bytes.length}-byte ${name} is not a valid object size`, { field: `/${name}` })
    return bytes
  }
  const message = object('message')
  return { header, message, copy: object('copy') }
}
