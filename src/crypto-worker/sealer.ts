/**
 * Seals files through the platform's encryption worker, with the fallbacks a phone needs: no
 * worker available → the in-thread service; the worker dies mid-file (WeChat reclaims it under
 * memory pressure, onProcessKilled) → a new worker seals that file again from the start under a
 * fresh key and nonce; it keeps dying → the in-thread service. One worker at a time (WeChat's rule),
 * kept while files remain and closed when the outbox is done with it.
 */
import { startSealWorker } from '@/platform/crypto-worker'
import type { EnvelopeHeader } from '@/crypto/envelope'
import type { CaseMessageHeader } from '@/case/header'
import type { CaseMessagePlaintext } from '@/case/plaintext'
import {
  SealClient,
  WorkerDiedError,
  type CaseEnvelopeOptions,
  type DeriveOptions,
  type DerivedCaseSecrets,
  type EnvelopeOptions,
  type OpenCaseMessageRequest,
  type SealFileOptions,
  type SealFileResult,
} from './client'
import { createInThreadTransport } from './in-thread'
import type { SealTransport } from './protocol'

export interface SealJob extends Omit<SealFileOptions, 'envelope' | 'nonce'> {
  /** A fresh object nonce for every attempt: a retry never seals under a key used before. */
  nonce(): Promise<Uint8Array>
  /** Throws away what a failed attempt wrote, before the next attempt starts. */
  reset(): Promise<void>
}

export interface SealOutcome extends SealFileResult {
  nonce: Uint8Array
  /** Where the last, successful attempt ran. */
  ranIn: SealTransport['kind']
  /** Worker deaths survived while sealing this file. */
  restarts: number
}

/** Deaths of the worker while sealing one file before that file is sealed in-thread instead. */
export const MAX_WORKER_DEATHS = 2

let nextEnvelope = 1

export class FileSealer {
  private client: SealClient | undefined
  /** The open envelope (a report's, or a case message's): its id, and what a new worker needs to make it again. */
  private envelope:
    | { id: number; kind: 'report'; options: EnvelopeOptions; header?: EnvelopeHeader }
    | { id: number; kind: 'case'; options: CaseEnvelopeOptions; header?: CaseMessageHeader }
    | undefined
  /** The client that holds the envelope now. */
  private envelopeOn: SealClient | undefined

  constructor(
    private readonly startWorker: () => SealTransport | undefined = startSealWorker,
    private readonly maxDeaths = MAX_WORKER_DEATHS,
  ) {}

  /**
   * Makes one report's key agreement (in the worker: X25519 and HKDF never run on the page
   * thread). The sealer keeps a copy of the ephemeral secret until closeEnvelope, to make the
   * envelope again in a new worker if this one dies. Answers the envelope header.
   */
  async openEnvelope(options: EnvelopeOptions): Promise<EnvelopeHeader> {
    this.closeEnvelope()
    this.envelope = { id: nextEnvelope++, kind: 'report', options: { ...options, bureauPublicKey: options.bureauPublicKey.slice(), ephemeralSecret: options.ephemeralSecret.slice() } }
    return (await this.openWithRetry()) as EnvelopeHeader
  }

  /**
   * The same for a resident's case message (docs/protocol.md §19): then seal() its objects, with
   * the labels of src/case/labels.ts (message, copy, attachment/n). Answers the message header.
   */
  async openCaseEnvelope(options: CaseEnvelopeOptions): Promise<CaseMessageHeader> {
    this.closeEnvelope()
    const copy = { ...options, bureauPublicKey: options.bureauPublicKey.slice(), seed: options.seed.slice(), ephemeralSecret: options.ephemeralSecret.slice() }
    this.envelope = { id: nextEnvelope++, kind: 'case', options: copy }
    return (await this.openWithRetry()) as CaseMessageHeader
  }

  /** The case KDF (docs/protocol.md §18) in the worker; a worker that dies meanwhile is replaced and the KDF starts over. */
  async deriveCaseSecrets(options: DeriveOptions): Promise<DerivedCaseSecrets> {
    return this.withRetry((client) => client.deriveCaseSecrets(options))
  }

  /** Opens a message object addressed to the resident, in the worker. */
  async openCaseMessage(options: OpenCaseMessageRequest): Promise<CaseMessagePlaintext> {
    return this.withRetry((client) => client.openCaseMessage(options))
  }

  /** Runs `task` on a worker, in a new one when it dies, in-thread after maxDeaths deaths. */
  private async withRetry<T>(task: (client: SealClient) => Promise<T>): Promise<T> {
    for (let deaths = 0; ; deaths++) {
      try {
        return await task(this.clientFor(deaths >= this.maxDeaths))
      } catch (error) {
        if (!(error instanceof WorkerDiedError)) throw error
        this.client = undefined
      }
    }
  }

  private async openWithRetry(): Promise<EnvelopeHeader | CaseMessageHeader> {
    try {
      return await this.withRetry((client) => this.ensureEnvelope(client))
    } catch (error) {
      this.closeEnvelope()
      throw error
    }
  }

  /** Forgets the report's (or message's) secrets, here and in the worker. */
  closeEnvelope(): void {
    if (!this.envelope) return
    this.envelope.options.ephemeralSecret.fill(0)
    if (this.envelope.kind === 'case') this.envelope.options.seed.fill(0)
    this.envelopeOn?.forgetEnvelope(this.envelope.id)
    this.envelope = undefined
    this.envelopeOn = undefined
  }

  /** Seals one object of the open envelope, starting the file over in a new worker if one dies. */
  async seal(job: SealJob): Promise<SealOutcome> {
    if (!this.envelope) throw new Error('FileSealer: no envelope open')
    for (let deaths = 0; ; deaths++) {
      const client = this.clientFor(deaths >= this.maxDeaths)
      const nonce = await job.nonce()
      try {
        await this.ensureEnvelope(client)
        const result = await client.sealFile({ ...job, envelope: this.envelope.id, nonce })
        return { ...result, nonce, ranIn: client.transport.kind, restarts: deaths }
      } catch (error) {
        if (!(error instanceof WorkerDiedError)) throw error
        this.client = undefined
        await job.reset()
      }
    }
  }

  /** Stops the worker (the outbox calls this when no encryption is left to do). */
  close(): void {
    this.closeEnvelope()
    this.client?.terminate()
    this.client = undefined
  }

  /** Makes the open envelope on `client` unless it holds it already. */
  private async ensureEnvelope(client: SealClient): Promise<EnvelopeHeader | CaseMessageHeader> {
    const envelope = this.envelope!
    if (this.envelopeOn === client && envelope.header) return envelope.header
    const header = envelope.kind === 'report' ? await client.openEnvelope(envelope.id, envelope.options) : await client.openCaseEnvelope(envelope.id, envelope.options)
    // The same secret gives the same header in every worker.
    if (envelope.header && (envelope.header.epk !== header.epk || envelope.header.kid !== header.kid)) throw new Error('internal error: envelope changed')
    envelope.header = header as never
    this.envelopeOn = client
    return header
  }

  private clientFor(inThread: boolean): SealClient {
    if (this.client?.alive && (!inThread || this.client.transport.kind === 'in-thread')) return this.client
    this.client?.terminate()
    let transport: SealTransport | undefined
    if (!inThread) {
      try {
        transport = this.startWorker()
      } catch {
        transport = undefined
      }
    }
    this.client = new SealClient(transport ?? createInThreadTransport())
    return this.client
  }
}
