/**
 * The bureau's side of a case in tests, written with node:crypto only (server/src/envelope, the
 * independent implementation): a reply sealed to the case's D and posted through the repository
 * (the trust level of the bureau tool), a resident message opened with the bureau key.
 */
import { createHash, hkdfSync, randomBytes, scryptSync } from 'node:crypto'
import { bureauKeyPairFromRaw, openCaseObject, sealCaseReply, type BureauKeyPair } from '../../server/src/envelope'
import { SqliteRepository } from '../../server/src/repository'
import { bundledConfig } from '@/domain/campaign'

/** scrypt(R, "clue-report/case/v1/" ‖ campaign id, 2^14, 8, 1, 64) by node:crypto. */
export function caseKdf(receipt: string): Buffer {
  return scryptSync(receipt, `clue-report/case/v1/${bundledConfig.campaign.id}`, 64, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
}

/** D of the case of this 查询码 (the bureau reads it from the report; tests compute it). */
export function replyPublicKey(receipt: string): Buffer {
  const d = Buffer.from(hkdfSync('sha256', caseKdf(receipt).subarray(32), Buffer.alloc(0), 'clue-report/case/v1/reply-key', 32))
  return bureauKeyPairFromRaw(d).publicKey
}

export interface ReplyOptions {
  dataDir: string
  key: BureauKeyPair
  caseId: string
  receipt: string
  text: string
  requestsMaterial?: boolean
  writtenAt?: string
}

/** A bureau reply to the case, as `bureau reply` posts it. Answers its msgId. */
export async function postBureauReply(o: ReplyOptions): Promise<string> {
  const msgId = randomBytes(16).toString('hex')
  const plaintext = Buffer.from(
    JSON.stringify({ schema: 'clue-report/case-message@1', caseId: o.caseId, msgId, from: 'bureau', writtenAt: o.writtenAt ?? new Date().toISOString(), text: o.text, requestsMaterial: !!o.requestsMaterial, inReplyTo: null, attachments: [] }),
  )
  const sealed = sealCaseReply({ caseId: o.caseId, msgId, bureauKey: o.key, replyPublicKey: replyPublicKey(o.receipt), plaintext })
  const repo = SqliteRepository.open(o.dataDir)
  try {
    const requestHash = createHash('sha256').update(sealed.message).update(sealed.copy).digest('hex')
    const result = await repo.cases.postBureauMessage({ caseId: o.caseId, msgId, from: 'bureau', header: sealed.header as never, message: sealed.message, copy: sealed.copy, attachments: [], requestHash }, Date.now())
    if (result.outcome !== 'created') throw new Error(`reply not posted: ${result.outcome}`)
  } finally {
    await repo.close()
  }
  return msgId
}

/** The resident messages the server holds for the case, opened with the bureau key. */
export async function residentMessages(dataDir: string, key: BureauKeyPair, caseId: string, receipt: string): Promise<{ msgId: string; state: string; seq: number | null; plaintext: any }[]> {
  const repo = SqliteRepository.open(dataDir)
  try {
    const out = []
    for (const m of await repo.cases.listMessages(caseId, Date.now())) {
      if (m.from !== 'resident') continue
      const object = (await repo.cases.getObject(m.msgId, 'message'))!
      const bytes = openCaseObject({ header: m.header, reader: { keys: key, replyPublicKey: replyPublicKey(receipt) }, caseId, msgId: m.msgId, from: 'resident', kind: 'message', object })
      out.push({ msgId: m.msgId, state: m.state, seq: m.seq, plaintext: JSON.parse(bytes.toString('utf8')) })
    }
    return out
  } finally {
    await repo.close()
  }
}
