/**
 * The resident's side of the case channel for server and bureau tests: keys from the 查询码
 * (node:crypto scrypt, which the vector tests show equal to the phone's src/crypto/scrypt), and
 * messages sealed and opened with the phone's own code (src/case).
 */
import { randomBytes, scryptSync } from 'node:crypto'
import { crc32Hex, sealObject, utf8Encode } from '@/crypto'
import {
  CASE_MESSAGE_SCHEMA, caseAttachmentLabel, caseSalt, createCaseEnvelope, encodeCaseAuth, encodeReplyKey, openCaseMessage,
  replyKeyPair, sealCaseMessage, splitKdfOutput, type CaseMessageAttachment, type CaseMessagePlaintext,
} from '@/case'

export interface ResidentKeys {
  /** The Case-Auth value (base64url of A). */
  auth: string
  A: Uint8Array
  seed: Uint8Array
  d: Uint8Array
  D: Uint8Array
  /** base64 of D: the report's replyKey (or the legacy registration). */
  replyKey: string
}

function keysFrom(out: Buffer): ResidentKeys {
  const { authenticator, seed } = splitKdfOutput(new Uint8Array(out))
  const pair = replyKeyPair(seed)
  return { auth: encodeCaseAuth(authenticator), A: authenticator, seed, d: pair.privateKey, D: pair.publicKey, replyKey: encodeReplyKey(pair.publicKey) }
}

/** A new report's keys: scrypt(R, "clue-report/case/v1/" ‖ campaignId, 2^14, 8, 1, 64). */
export function residentKeys(receipt: string, campaignId = 'datong-2023'): ResidentKeys {
  return keysFrom(scryptSync(receipt, Buffer.from(caseSalt(campaignId)), 64, { N: 1 << 14, r: 8, p: 1, maxmem: 64 << 20 }))
}

/** A legacy report's keys: scrypt(R, the server's receipt salt, 2^14, 8, 1, 64). */
export function legacyKeys(receipt: string, serverSalt: Buffer): ResidentKeys {
  return keysFrom(scryptSync(receipt, serverSalt, 64, { N: 1 << 14, r: 8, p: 1, maxmem: 64 << 20 }))
}

export const newMsgId = (): string => randomBytes(16).toString('hex')

export interface ResidentMessage {
  msgId: string
  plaintext: CaseMessagePlaintext
  /** The POST /api/v1/case/messages body. */
  body: {
    msgId: string
    header: Record<string, unknown>
    message: string
    copy: string
    attachments: { size: number; crc32: string }[]
  }
  /** The added files' objects, n = index. */
  files: Uint8Array[]
}

/** A resident message (with added files) sealed by the phone's code. */
export function sealResidentMessage(options: {
  caseId: string
  keys: ResidentKeys
  bureauPublicKey: Uint8Array
  text: string
  files?: { name: string; bytes: Uint8Array }[]
  msgId?: string
  inReplyTo?: string | null
}): ResidentMessage {
  const msgId = options.msgId ?? newMsgId()
  const files = options.files ?? []
  const envelope = createCaseEnvelope({
    from: 'resident',
    caseId: options.caseId,
    msgId,
    bureauPublicKey: new Uint8Array(options.bureauPublicKey),
    replyPublicKey: options.keys.D,
    senderSecret: options.keys.d,
    ephemeralSecret: new Uint8Array(randomBytes(32)),
  })
  const attachments: CaseMessageAttachment[] = files.map((f, n) => ({ n, label: '截图', name: f.name, mime: 'image/png', size: f.bytes.length, detectedType: 'png' }))
  const plaintext: CaseMessagePlaintext = {
    schema: CASE_MESSAGE_SCHEMA,
    caseId: options.caseId,
    msgId,
    from: 'resident',
    writtenAt: new Date().toISOString().slice(0, 16) + 'Z',
    text: options.text,
    requestsMaterial: false,
    inReplyTo: options.inReplyTo ?? null,
    attachments,
  }
  const sealed = sealCaseMessage(envelope, plaintext, { message: new Uint8Array(randomBytes(16)), copy: new Uint8Array(randomBytes(16)) })
  const objects = files.map((f, n) => {
    const nonce = new Uint8Array(randomBytes(16))
    return sealObject(envelope.objectKey(caseAttachmentLabel(options.caseId, msgId, n), nonce), nonce, f.bytes).bytes
  })
  envelope.destroy()
  return {
    msgId,
    plaintext,
    files: objects,
    body: {
      msgId,
      header: { ...envelope.header },
      message: Buffer.from(sealed.message).toString('base64'),
      copy: Buffer.from(sealed.copy).toString('base64'),
      attachments: objects.map((o) => ({ size: o.length, crc32: crc32Hex(o) })),
    },
  }
}

/** What the phone reads of a message: a bureau reply (addressed to D) or its own copy. */
export function openAsResident(options: { caseId: string; keys: ResidentKeys; bureauPublicKey: Uint8Array; view: { msgId: string; from: 'resident' | 'bureau'; header: unknown; object: string } }): CaseMessagePlaintext {
  const { view } = options
  return openCaseMessage({
    header: view.header,
    reader: { role: 'resident', secret: options.keys.d, peerPublicKey: new Uint8Array(options.bureauPublicKey) },
    object: new Uint8Array(Buffer.from(view.object, 'base64')),
    caseId: options.caseId,
    msgId: view.msgId,
    from: view.from,
  })
}

export { utf8Encode }
