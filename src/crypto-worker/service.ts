/**
 * The worker side of the encryption protocol (./protocol.ts): one ObjectSealer per job. Pure: it
 * is handed a `post` function and fed requests, so the same code runs in a WeChat worker, a Web
 * Worker, a Node worker_threads thread (tests) and in-thread (the fallback).
 */
import { ObjectSealer } from '@/crypto/object'
import { exactBuffer, isSealRequest, type SealReply } from './protocol'

export type Post = (reply: SealReply, transfer?: ArrayBuffer[]) => void

export function createSealService(post: Post): (message: unknown) => void {
  const jobs = new Map<number, ObjectSealer>()
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
      case 'begin':
        try {
          jobs.set(message.job, new ObjectSealer(new Uint8Array(message.key), new Uint8Array(message.nonce), message.size))
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
