/**
 * Sealing and opening whole case message objects in memory (docs/protocol.md §19–§20). Both
 * objects of a message (for the recipient, and the sender's copy) carry the same plaintext
 * (./plaintext.ts); added files are separate objects (labels …/attachment/<n>) streamed through
 * the worker like report attachments.
 */
import { sealObject } from '@/crypto/object'
import { objectNonceOf, openObjectBytes } from '@/crypto/object-open'
import { caseObjectKey, type CaseEnvelope, type CaseReader } from './envelope'
import { copyLabel, messageLabel } from './labels'
import { encodeCaseMessage, parseCaseMessage, type CaseMessagePlaintext, type ExpectedMessage } from './plaintext'

export interface SealedCaseMessage {
  /** The object for the recipient (label case/<caseId>/message/<msgId>). */
  message: Uint8Array
  /** The sender's own copy (label …/copy). */
  copy: Uint8Array
}

/** Seals both text objects of a message in memory (the worker does the same through its jobs). */
export function sealCaseMessage(envelope: CaseEnvelope, message: CaseMessagePlaintext, nonces: { message: Uint8Array; copy: Uint8Array }): SealedCaseMessage {
  const bytes = encodeCaseMessage(message)
  const seal = (label: string, nonce: Uint8Array) => sealObject(envelope.objectKey(label, nonce), nonce, bytes).bytes
  return { message: seal(messageLabel(message.caseId, message.msgId), nonces.message), copy: seal(copyLabel(message.caseId, message.msgId), nonces.copy) }
}

export interface OpenCaseMessageOptions extends ExpectedMessage {
  header: unknown
  reader: CaseReader
  /** The object addressed to the reader: a message from the other side, or the reader's own copy. */
  object: Uint8Array
}

/** Opens and checks the message object addressed to the reader. Throws ObjectOpenError, CaseKeyError or CaseMessageError. */
export function openCaseMessage(options: OpenCaseMessageOptions): CaseMessagePlaintext {
  const { header, reader, object, caseId, msgId, from } = options
  const label = from === reader.role ? copyLabel(caseId, msgId) : messageLabel(caseId, msgId)
  const key = caseObjectKey(header, reader, from, label, objectNonceOf(object))
  try {
    return parseCaseMessage(openObjectBytes(key, object), { caseId, msgId, from })
  } finally {
    key.fill(0)
  }
}
