/**
 * Object labels and the header of a case message (docs/protocol.md): the labels bind every object
 * to its case, its message and its position, so a moved object fails its tags.
 */
import type { EnvelopeHeader } from '@/crypto/envelope'

export const messageLabel = (caseId: string, msgId: string) => `case/${caseId}/message/${msgId}`
export const copyLabel = (caseId: string, msgId: string) => `${messageLabel(caseId, msgId)}/copy`
export const messageAttachmentLabel = (caseId: string, msgId: string, n: number) => `${messageLabel(caseId, msgId)}/attachment/${n}`

/** The header of a case message: both recipients' key ids and the one ephemeral key. */
export function caseMessageHeader(toBureau: EnvelopeHeader, toResident: EnvelopeHeader): Record<string, unknown> {
  if (toBureau.epk !== toResident.epk) throw new Error('internal error: the two recipients must share the ephemeral key')
  return { v: toBureau.v, t: 'case-message', suite: toBureau.suite, kid: toBureau.kid, rkid: toResident.kid, epk: toBureau.epk }
}
