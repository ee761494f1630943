/**
 * What the server keeps of a message besides its objects: the request hash that tells a retry
 * (same msgId, same message) from a reuse of the msgId (another message), for resident messages
 * (routes/case.ts) and bureau replies (bureau/commands/reply.ts) alike.
 */
import { createHash } from 'node:crypto'
import type { CaseAttachment, NewCaseMessage, StoredCaseHeader } from '../repository'
import type { SealedReply } from '../envelope'

export function messageRequestHash(header: StoredCaseHeader, attachments: readonly CaseAttachment[], message: Uint8Array, copy: Uint8Array): string {
  return createHash('sha256')
    .update(JSON.stringify([header, attachments]))
    .update(createHash('sha256').update(message).digest())
    .update(createHash('sha256').update(copy).digest())
    .digest('hex')
}

/** A sealed bureau reply as the repository stores it (postBureauMessage). */
export function bureauReplyRecord(caseId: string, msgId: string, sealed: SealedReply): NewCaseMessage {
  const header: StoredCaseHeader = { ...sealed.header }
  return { caseId, msgId, from: 'bureau', header, message: sealed.message, copy: sealed.copy, attachments: [], requestHash: messageRequestHash(header, [], sealed.message, sealed.copy) }
}
