/**
 * Seals files through the platform's encryption worker, with the fallbacks a phone needs: no
 * worker available → the in-thread service; the worker dies mid-file (WeChat reclaims it under
 * memory pressure, onProcessKilled) → a new worker seals that file again from the start under a
 * fresh key and nonce; it keeps dying → the in-thread service. One worker at a time (WeChat's rule),
 * kept while files remain and closed when the outbox is done with it.
 */
import { startSealWorker } from '@/platform/crypto-worker'
import type { EnvelopeHeader } from '@/crypto/envelope'
import { SealClient, WorkerDiedError, type EnvelopeOptions, type SealFileOptions, type SealFileResult } from './client'
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

interface OpenEnvelope {
  id: number
  /** What a new worker needs to make it again. */
  options: EnvelopeOptions
  header?: EnvelopeHeader
  /** The client that holds it now. */
  on?: SealClient
}

export class FileSealer {
  private client: SealClient | undefined
  /**
   * The open envelopes: one for a report; one per recipient for a case message (the bureau's key
   * and the resident's reply key, sharing one ephemeral secret: docs/protocol.md).
   */
  private envelopes: OpenEnvelope[] = []

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
    return (await this.openEnvelopes([options]))[0]
  }

  /**
   * Makes several key agreements at once (a case message: one per recipient, the same ephemeral
   * secret); `seal(job, i)` then seals under the i-th. Answers their headers in order.
   */
  async openEnvelopes(list: EnvelopeOptions[]): Promise<EnvelopeHeader[]> {
    this.closeEnvelope()
    this.envelopes = list.map((options) => ({
      id: nextEnvelope++,
      options: { ...options, bureauPublicKey: options.bureauPublicKey.slice(), ephemeralSecret: options.ephemeralSecret.slice() },
    }))
    const headers: EnvelopeHeader[] = []
    for (const envelope of this.envelopes) {
      for (let deaths = 0; ; deaths++) {
        try {
          headers.push(await this.ensureEnvelope(envelope, this.clientFor(deaths >= this.maxDeaths)))
          break
        } catch (error) {
          if (!(error instanceof WorkerDiedError)) {
            this.closeEnvelope()
            throw error
          }
          this.client = undefined
        }
      }
    }
    return headers
  }

  /** Forgets the secrets of the open envelopes, here and in the worker. */
  closeEnvelope(): void {
    for (const envelope of this.envelopes) {
      envelope.options.ephemeralSecret.fill(0)
      envelope.on?.forgetEnvelope(envelope.id)
    }
    this.envelopes = []
  }

  /** Seals one object of open envelope `which`, starting the file over in a new worker if one dies. */
  async seal(job: SealJob, which = 0): Promise<SealOutcome> {
    const envelope = this.envelopes[which]
    if (!envelope) throw new Error('FileSealer: no envelope open')
    for (let deaths = 0; ; deaths++) {
      const client = this.clientFor(deaths >= this.maxDeaths)
      const nonce = await job.nonce()
      try {
        await this.ensureEnvelope(envelope, client)
        const result = await client.sealFile({ ...job, envelope: envelope.id, nonce })
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

  /** Makes `envelope` on `client` unless it holds it already. */
  private async ensureEnvelope(envelope: OpenEnvelope, client: SealClient): Promise<EnvelopeHeader> {
    if (envelope.on === client && envelope.header) return envelope.header
    const header = await client.openEnvelope(envelope.id, envelope.options)
    // The same secret gives the same header in every worker.
    if (envelope.header && (envelope.header.epk !== header.epk || envelope.header.kid !== header.kid)) throw new Error('internal error: envelope changed')
    envelope.header = header
    envelope.on = client
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
