/**
 * The worker side of the encryption protocol (./protocol.ts): the key agreement of each report
 * (envelope) or case message (case-envelope), one ObjectSealer per object being sealed, the case
 * KDF (derive) and opening case messages (case-open). Pure: it is handed a `post` function and
 * fed requests, so the same code runs in a WeChat worker, a Web Worker, a Node worker_threads
 * thread (tests) and in-thread (the fallback).
 */
import { createEnvelope } from '@/crypto/envelope'
import { ObjectSealer } from '@/crypto/object'
import { createCaseEnvelope } from '@/case/envelope'
import { replyKeyPair, splitKdfOutput, startCaseKdf } from '@/case/keys'
import { openCaseMessage } from '@/case/message'
import { exactBuffer, isSealRequest, type CaseOpenRequest, type DeriveRequest, type SealReply } from './protocol'

export type Post = (reply: SealReply, transfer?: ArrayBuffer[]) => void

/** What both kinds of envelope offer the sealer. */
interface KeyAgreement {
  objectKey(label: string, objectNonce: Uint8Array): Uint8Array
  destroy(): void
}

export interface SealServiceOptions {
  /**
   * When given (the in-thread fallback), the KDF runs in slices of KDF_SLICE BlockMix steps, one
   * per call of `schedule`, so the page stays responsive; in a worker it runs straight through.
   */
  schedule?: (callback: () => void) => void
}

/** BlockMix steps per slice in-thread: ~1/128 of the KDF (about 16 ms without a JIT). */
export const KDF_SLICE = 256
/** Progress replies per KDF. */
const PROGRESS_STEPS = 16

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The opener's error code: the prefix of its message (TRUNCATED, BAD_MAC, BAD_PADDING, BAD_HEADER, BAD_MESSAGE), else BAD_KEY. */
function codeOf(error: unknown): string {
  const m = /^([A-Z_]+): /.exec(messageOf(error))
  return m ? m[1] : 'BAD_KEY'
}

export function createSealService(post: Post, options: SealServiceOptions = {}): (message: unknown) => void {
  const jobs = new Map<number, ObjectSealer>()
  const envelopes = new Map<number, KeyAgreement>()
  const fail = (job: number, seq: number, error: unknown) => {
    jobs.delete(job)
    post({ type: 'error', job, seq, message: messageOf(error) })
  }
  const keep = (id: number, agreement: KeyAgreement) => {
    envelopes.get(id)?.destroy()
    envelopes.set(id, agreement)
  }

  const derive = (request: DeriveRequest) => {
    let kdf: ReturnType<typeof startCaseKdf>
    try {
      kdf = startCaseKdf(request.receipt, new Uint8Array(request.salt), request.params)
    } catch (error) {
      post({ type: 'error', job: request.job, seq: -1, op: 'derive', message: messageOf(error) })
      return
    }
    const slice = options.schedule ? KDF_SLICE : Math.ceil(kdf.total / PROGRESS_STEPS)
    const run = () => {
      if (!kdf.step(slice)) {
        post({ type: 'derive-progress', job: request.job, done: kdf.progress })
        if (options.schedule) options.schedule(run)
        else run()
        return
      }
      const out = kdf.result()
      const { authenticator, seed } = splitKdfOutput(out)
      out.fill(0)
      // D too, so that the page thread never runs X25519 (the report's replyKey, a legacy registration).
      const pair = replyKeyPair(seed)
      pair.privateKey.fill(0)
      const a = exactBuffer(authenticator)
      const s = exactBuffer(seed)
      const d = exactBuffer(pair.publicKey)
      post({ type: 'derived', job: request.job, authenticator: a, seed: s, replyKey: d }, [a, s, d])
    }
    run()
  }

  const open = (request: CaseOpenRequest) => {
    const seed = new Uint8Array(request.seed)
    try {
      const { privateKey } = replyKeyPair(seed)
      const message = openCaseMessage({
        header: request.header,
        reader: { role: 'resident', secret: privateKey, peerPublicKey: new Uint8Array(request.bureauPublicKey) },
        object: new Uint8Array(request.object),
        caseId: request.caseId,
        msgId: request.msgId,
        from: request.from,
      })
      privateKey.fill(0)
      post({ type: 'case-opened', job: request.job, message })
    } catch (error) {
      post({ type: 'error', job: request.job, seq: -1, op: 'case-open', code: codeOf(error), message: messageOf(error) })
    } finally {
      seed.fill(0)
    }
  }

  return (message: unknown) => {
    if (!isSealRequest(message)) {
      const m = message as { job?: unknown; seq?: unknown } | null
      post({ type: 'error', job: typeof m?.job === 'number' ? m.job : -1, seq: typeof m?.seq === 'number' ? m.seq : -1, message: 'malformed request' })
      return
    }
    switch (message.type) {
      case 'envelope': {
        const secret = new Uint8Array(message.ephemeralSecret)
        try {
          const envelope = createEnvelope({ bureauPublicKey: new Uint8Array(message.bureauPublicKey), ephemeralSecret: secret, expectedKid: message.expectedKid })
          keep(message.envelope, envelope)
          post({ type: 'header', envelope: message.envelope, header: envelope.header })
        } catch (error) {
          post({ type: 'error', job: -1, seq: -1, envelope: message.envelope, message: messageOf(error) })
        } finally {
          secret.fill(0)
        }
        return
      }
      case 'case-envelope': {
        const secret = new Uint8Array(message.ephemeralSecret)
        const seed = new Uint8Array(message.seed)
        try {
          const reply = replyKeyPair(seed)
          const envelope = createCaseEnvelope({
            from: 'resident',
            caseId: message.caseId,
            msgId: message.msgId,
            bureauPublicKey: new Uint8Array(message.bureauPublicKey),
            replyPublicKey: reply.publicKey,
            senderSecret: reply.privateKey,
            ephemeralSecret: secret,
          })
          reply.privateKey.fill(0)
          keep(message.envelope, envelope)
          post({ type: 'header', envelope: message.envelope, header: envelope.header })
        } catch (error) {
          post({ type: 'error', job: -1, seq: -1, envelope: message.envelope, message: messageOf(error) })
        } finally {
          secret.fill(0)
          seed.fill(0)
        }
        return
      }
      case 'forget':
        envelopes.get(message.envelope)?.destroy()
        envelopes.delete(message.envelope)
        return
      case 'derive':
        return derive(message)
      case 'case-open':
        return open(message)
      case 'begin':
        try {
          const envelope = envelopes.get(message.envelope)
          if (!envelope) throw new Error(`no envelope ${message.envelope}`)
          const nonce = new Uint8Array(message.nonce)
          jobs.set(message.job, new ObjectSealer(envelope.objectKey(message.label, nonce), nonce, message.size))
        } catch (error) {
          fail(message.job, -1, error)
        }
        return
      case 'data': {
        const sealer = jobs.get(message.job)
        if (!sealer) return fail(message.job, message.seq, new Error(`no job ${message.job}`))
        try {
          const bytes = exactBuffer(sealer.update(new Uint8Array(message.bytes)))
          post({ type: 'out', job: message.job, seq: message.seq, bytes }, [bytes])
        } catch (error) {
          fail(message.job, message.seq, error)
        }
        return
      }
      case 'end': {
        const sealer = jobs.get(message.job)
        if (!sealer) return fail(message.job, message.seq, new Error(`no job ${message.job}`))
        try {
          const bytes = exactBuffer(sealer.finish())
          jobs.delete(message.job)
          post({ type: 'done', job: message.job, seq: message.seq, bytes, crc32: sealer.crc32, size: sealer.objectSize }, [bytes])
        } catch (error) {
          fail(message.job, message.seq, error)
        }
        return
      }
      case 'abort':
        jobs.delete(message.job)
    }
  }
}
