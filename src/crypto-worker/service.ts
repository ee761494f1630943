/**
 * The worker side of the encryption protocol (./protocol.ts): the key agreement of each report
 * (envelope), and one ObjectSealer per object being sealed. Pure: it
 * is handed a `post` function and fed requests, so the same code runs in a WeChat worker, a Web
 * Worker, a Node worker_threads thread (tests) and in-thread (the fallback).
 */
import { createEnvelope, type Envelope } from '@/crypto/envelope'
import { ObjectSealer } from '@/crypto/object'
import { exactBuffer, isSealRequest, type SealReply } from './protocol'

export type Post = (reply: SealReply, transfer?: ArrayBuffer[]) => void

export function createSealService(post: Post): (message: unknown) => void {
  const jobs = new Map<number, ObjectSealer>()
  const envelopes = new Map<number, Envelope>()
  const fail = (job: number, seq: number, error: unknown) => {
    jobs.delete(job)
    post({ type: 'error', job, seq, message: error instanceof Error ? error.message : String(error) })
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
          envelopes.get(message.envelope)?.destroy()
          envelopes.set(message.envelope, envelope)
          post({ type: 'header', envelope: message.envelope, header: envelope.header })
        } catch (error) {
          post({ type: 'error', job: -1, seq: -1, envelope: message.envelope, message: error instanceof Error ? error.message : String(error) })
        } finally {
          secret.fill(0)
        }
        return
      }
      case 'forget':
        envelopes.get(message.envelope)?.destroy()
        envelopes.delete(message.envelope)
        return
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
