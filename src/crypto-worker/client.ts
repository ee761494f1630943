/**
 * The page-thread side of the encryption protocol (./protocol.ts): streams one file through a
 * worker (or the in-thread service) — read a piece, send it, write what comes back — with one piece
 * in flight while the next is read, so file reads and encryption overlap.
 */
import type { EnvelopeHeader } from '@/crypto/envelope'
import type { ScryptParams } from '@/crypto/scrypt'
import type { CaseMessageHeader } from '@/case/header'
import type { CaseSecrets } from '@/case/keys'
import type { CaseRole } from '@/case/labels'
import type { CaseMessagePlaintext } from '@/case/plaintext'
import { exactBuffer, type SealReply, type SealTransport } from './protocol'

/** The worker died mid-file (WeChat reclaimed it, or it crashed): the file must be sealed again. */
export class WorkerDiedError extends Error {
  constructor(reason: string) {
    super(`encryption worker stopped: ${reason}`)
    this.name = 'WorkerDiedError'
  }
}

export interface EnvelopeOptions {
  bureauPublicKey: Uint8Array
  /** The report's ephemeral secret e; the worker zeroes its copy once the envelope is made. */
  ephemeralSecret: Uint8Array
  expectedKid?: string
}

/** A resident's case message (docs/protocol.md §19): its objects are then sealed with sealFile. */
export interface CaseEnvelopeOptions {
  caseId: string
  msgId: string
  /** B, from the accepted signed key list. */
  bureauPublicKey: Uint8Array
  /** The case seed (from deriveCaseSecrets); the worker zeroes its copy. */
  seed: Uint8Array
  /** e: 32 fresh random bytes for this message. */
  ephemeralSecret: Uint8Array
}

/** What the worker's KDF answers: A and seed, and the reply public key D made from the seed. */
export interface DerivedCaseSecrets extends CaseSecrets {
  replyKey: Uint8Array
}

export interface DeriveOptions {
  /** The 16-digit 查询码. */
  receipt: string
  /** caseSalt(campaign id), or the server's legacy receipt salt. */
  salt: Uint8Array
  /** CASE_KDF or LEGACY_KDF (src/case/labels.ts). */
  params: ScryptParams
  /** Fraction done, 0 … 1, a few times while it runs. */
  onProgress?: (done: number) => void
}

export interface OpenCaseMessageRequest {
  header: unknown
  caseId: string
  msgId: string
  /** Who wrote it, as the server lists it. */
  from: CaseRole
  /** The object addressed to the resident: a bureau message, or the resident's own copy. */
  object: Uint8Array
  seed: Uint8Array
  /** B of the header's kid, from the accepted signed key list. */
  bureauPublicKey: Uint8Array
}

/** Opening a case message failed: `code` says why (BAD_MAC: altered, moved, or not for this case). */
export class CaseOpenFailedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'CaseOpenFailedError'
  }
}

export interface SealFileOptions {
  /** An envelope opened on this client (openEnvelope), its object label, and a fresh 16-byte nonce. */
  envelope: number
  label: string
  nonce: Uint8Array
  /** Plaintext size; `read` must deliver exactly this many bytes. */
  size: number
  /** Returns exactly `length` plaintext bytes at `offset`, in a buffer of its own. */
  read: (offset: number, length: number) => Promise<Uint8Array>
  /** Receives the object's bytes in order. */
  write: (bytes: Uint8Array) => Promise<void>
  /** Plaintext bytes sealed so far (and written), after every piece. */
  onProgress?: (done: number) => void
  /** Throws to stop (the resident cancelled); the worker forgets the job. */
  check?: () => void
  /** Plaintext bytes per message. */
  pieceSize?: number
}

export interface SealFileResult {
  /** CRC-32 of the object, 8 lowercase hex digits. */
  crc32: string
  /** Object bytes written. */
  size: number
}

interface Waiter {
  resolve: (reply: SealReply) => void
  reject: (error: Error) => void
}

/**
 * Plaintext bytes per message to a worker: 1 MiB keeps file reads and writes (an IndexedDB
 * transaction each in browsers) few, which measured 4x faster in Chromium than 256 KiB, while two
 * pieces in flight hold only about 4 MiB.
 */
export const DEFAULT_PIECE_SIZE = 1024 * 1024

let nextJob = 1

export class SealClient {
  private readonly waiters = new Map<string, Waiter>()
  private readonly progress = new Map<number, (done: number) => void>()
  private dead: string | undefined

  constructor(readonly transport: SealTransport) {
    transport.onReply((reply) => this.receive(reply))
    transport.onDeath((reason) => this.die(reason))
  }

  get alive(): boolean {
    return this.dead === undefined
  }

  /** Makes the report's key agreement in the worker, kept there as envelope `id`; answers its header. */
  async openEnvelope(id: number, options: EnvelopeOptions): Promise<EnvelopeHeader> {
    const reply = await this.request(`envelope/${id}`, () =>
      this.transport.post({
        type: 'envelope',
        envelope: id,
        bureauPublicKey: exactBuffer(options.bureauPublicKey.slice()),
        ephemeralSecret: exactBuffer(options.ephemeralSecret.slice()),
        ...(options.expectedKid !== undefined ? { expectedKid: options.expectedKid } : {}),
      }),
    )
    if (reply.type !== 'header' || 't' in reply.header) throw new Error(`unexpected reply ${reply.type}`)
    return reply.header
  }

  /** Makes a resident's case message key agreement in the worker, kept as envelope `id`; answers its header. */
  async openCaseEnvelope(id: number, options: CaseEnvelopeOptions): Promise<CaseMessageHeader> {
    const reply = await this.request(`envelope/${id}`, () =>
      this.transport.post({
        type: 'case-envelope',
        envelope: id,
        caseId: options.caseId,
        msgId: options.msgId,
        bureauPublicKey: exactBuffer(options.bureauPublicKey.slice()),
        seed: exactBuffer(options.seed.slice()),
        ephemeralSecret: exactBuffer(options.ephemeralSecret.slice()),
      }),
    )
    if (reply.type !== 'header' || !('t' in reply.header)) throw new Error(`unexpected reply ${reply.type}`)
    return reply.header
  }

  /** The case KDF in the worker: A, seed and D from the 查询码 (docs/protocol.md §18). */
  async deriveCaseSecrets(options: DeriveOptions): Promise<DerivedCaseSecrets> {
    const job = nextJob++
    if (options.onProgress) this.progress.set(job, options.onProgress)
    try {
      const reply = await this.request(`derive/${job}`, () =>
        this.transport.post({ type: 'derive', job, receipt: options.receipt, salt: exactBuffer(options.salt.slice()), params: { ...options.params } }),
      )
      if (reply.type !== 'derived') throw new Error(`unexpected reply ${reply.type}`)
      return { authenticator: new Uint8Array(reply.authenticator), seed: new Uint8Array(reply.seed), replyKey: new Uint8Array(reply.replyKey) }
    } finally {
      this.progress.delete(job)
    }
  }

  /** Opens a message object addressed to the resident, in the worker; throws CaseOpenFailedError when it does not open. */
  async openCaseMessage(options: OpenCaseMessageRequest): Promise<CaseMessagePlaintext> {
    const job = nextJob++
    const reply = await this.request(`case-open/${job}`, () =>
      this.transport.post({
        type: 'case-open',
        job,
        header: options.header,
        caseId: options.caseId,
        msgId: options.msgId,
        from: options.from,
        object: exactBuffer(options.object.slice()),
        seed: exactBuffer(options.seed.slice()),
        bureauPublicKey: exactBuffer(options.bureauPublicKey.slice()),
      }),
    )
    if (reply.type !== 'case-opened') throw new Error(`unexpected reply ${reply.type}`)
    return reply.message
  }

  /** The worker forgets envelope `id` (its shared secret). */
  forgetEnvelope(id: number): void {
    if (this.dead !== undefined) return
    try {
      this.transport.post({ type: 'forget', envelope: id })
    } catch {
      // Gone already, and its secrets with it.
    }
  }

  async sealFile(options: SealFileOptions): Promise<SealFileResult> {
    const { size, read, write, onProgress, check } = options
    const pieceSize = options.pieceSize ?? DEFAULT_PIECE_SIZE
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`invalid file size ${size}`)
    if (this.dead !== undefined) throw new WorkerDiedError(this.dead)
    const job = nextJob++
    try {
      this.transport.post({ type: 'begin', job, envelope: options.envelope, label: options.label, nonce: exactBuffer(options.nonce.slice()), size })
    } catch (error) {
      this.die(error instanceof Error ? error.message : String(error))
      throw new WorkerDiedError(this.dead!)
    }
    let written = 0
    let sealed = 0
    const emit = async (reply: SealReply, plaintext: number) => {
      if (reply.type !== 'out' && reply.type !== 'done') throw new Error(`unexpected reply ${reply.type}`)
      const bytes = new Uint8Array(reply.bytes)
      if (bytes.length > 0) await write(bytes)
      written += bytes.length
      sealed += plaintext
      onProgress?.(sealed)
    }
    try {
      let seq = 0
      let pending: { reply: Promise<SealReply>; length: number } | undefined
      for (let offset = 0; offset < size; ) {
        check?.()
        const length = Math.min(pieceSize, size - offset)
        const bytes = await read(offset, length)
        if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
          const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes
          throw new Error(`file read at offset ${offset} returned ${got}, expected ${length} bytes (file changed or unreadable)`)
        }
        const buffer = exactBuffer(bytes)
        const reply = this.request(`${job}/${seq}`, () => this.transport.post({ type: 'data', job, seq, bytes: buffer }, [buffer]))
        seq++
        offset += length
        // Write the previous piece's output while this one is being sealed.
        if (pending) await emit(await pending.reply, pending.length)
        pending = { reply, length }
      }
      check?.()
      const end = this.request(`${job}/${seq}`, () => this.transport.post({ type: 'end', job, seq }))
      if (pending) await emit(await pending.reply, pending.length)
      const done = await end
      if (done.type !== 'done') throw new Error(`unexpected reply ${done.type}`)
      await emit(done, 0)
      if (written !== done.size) throw new Error(`internal error: wrote ${written} bytes, the worker made ${done.size}`)
      return { crc32: done.crc32, size: written }
    } catch (error) {
      if (this.dead === undefined) {
        try {
          this.transport.post({ type: 'abort', job })
        } catch {
          // Gone already: it forgot the job with everything else.
        }
      }
      for (const [key, waiter] of this.waiters) {
        if (key.startsWith(`${job}/`)) {
          this.waiters.delete(key)
          waiter.reject(error as Error)
        }
      }
      throw error
    }
  }

  terminate(): void {
    this.die('terminated')
    this.transport.terminate()
  }

  /** Sends a request whose reply is awaited under `key` ("job/seq" or "envelope/id"). */
  private request(key: string, send: () => void): Promise<SealReply> {
    const reply = new Promise<SealReply>((resolve, reject) => {
      if (this.dead !== undefined) return reject(new WorkerDiedError(this.dead))
      this.waiters.set(key, { resolve, reject })
    })
    // Rejections are delivered to whoever awaits; this keeps an unawaited one from being unhandled.
    reply.catch(() => undefined)
    if (this.dead === undefined) {
      try {
        send()
      } catch (error) {
        // Posting to a worker that is already gone.
        this.die(error instanceof Error ? error.message : String(error))
      }
    }
    return reply
  }

  private receive(reply: SealReply): void {
    if (reply.type === 'ready') return
    if (reply.type === 'derive-progress') {
      this.progress.get(reply.job)?.(reply.done)
      return
    }
    if (reply.type === 'derived' || reply.type === 'case-opened' || (reply.type === 'error' && reply.op !== undefined)) {
      const key = `${reply.type === 'derived' ? 'derive' : reply.type === 'case-opened' ? 'case-open' : reply.op}/${reply.job}`
      const waiter = this.waiters.get(key)
      this.waiters.delete(key)
      if (reply.type !== 'error') waiter?.resolve(reply)
      else if (reply.op === 'case-open') waiter?.reject(new CaseOpenFailedError(reply.code ?? 'BAD_MAC', `case message does not open: ${reply.message}`))
      else waiter?.reject(new Error(`key derivation failed: ${reply.message}`))
      return
    }
    if (reply.type === 'header' || (reply.type === 'error' && reply.envelope !== undefined)) {
      const key = `envelope/${reply.envelope}`
      const waiter = this.waiters.get(key)
      this.waiters.delete(key)
      if (reply.type === 'header') waiter?.resolve(reply)
      else waiter?.reject(new Error(`encryption failed: ${reply.message}`))
      return
    }
    const key = `${reply.job}/${reply.seq}`
    if (reply.type === 'error') {
      // An error ends the job: fail whatever of it is waiting.
      for (const [k, waiter] of this.waiters) {
        if (k === key || k.startsWith(`${reply.job}/`)) {
          this.waiters.delete(k)
          waiter.reject(new Error(`encryption failed: ${reply.message}`))
        }
      }
      return
    }
    const waiter = this.waiters.get(key)
    if (!waiter) return
    this.waiters.delete(key)
    waiter.resolve(reply)
  }

  private die(reason: string): void {
    if (this.dead !== undefined) return
    this.dead = reason
    for (const waiter of this.waiters.values()) waiter.reject(new WorkerDiedError(reason))
    this.waiters.clear()
    this.progress.clear()
  }
}
