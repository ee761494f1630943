/**
 * Seals files through the platform's encryption worker, with the fallbacks a phone needs: no
 * worker available → the in-thread service; the worker dies mid-file (WeChat reclaims it under
 * memory pressure, onProcessKilled) → a new worker seals that file again from the start under a
 * fresh key and nonce; it keeps dying → the in-thread service. One worker at a time (WeChat's rule),
 * kept while files remain and closed when the outbox is done with it.
 */
import { startSealWorker } from '@/platform/crypto-worker'
import { SealClient, WorkerDiedError, type SealFileOptions, type SealFileResult } from './client'
import { createInThreadTransport } from './in-thread'
import type { SealTransport } from './protocol'

export interface SealAttempt {
  key: Uint8Array
  nonce: Uint8Array
}

export interface SealJob extends Omit<SealFileOptions, 'key' | 'nonce'> {
  /** A fresh key and nonce for every attempt: a retry never seals under a nonce used before. */
  attempt(): Promise<SealAttempt>
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

export class FileSealer {
  private client: SealClient | undefined

  constructor(
    private readonly startWorker: () => SealTransport | undefined = startSealWorker,
    private readonly maxDeaths = MAX_WORKER_DEATHS,
  ) {}

  async seal(job: SealJob): Promise<SealOutcome> {
    for (let deaths = 0; ; deaths++) {
      const client = this.clientFor(deaths >= this.maxDeaths)
      const { key, nonce } = await job.attempt()
      try {
        const result = await client.sealFile({ ...job, key, nonce })
        return { ...result, nonce, ranIn: client.transport.kind, restarts: deaths }
      } catch (error) {
        if (!(error instanceof WorkerDiedError)) throw error
        this.client = undefined
        await job.reset()
      } finally {
        key.fill(0)
      }
    }
  }

  /** Stops the worker (the outbox calls this when no encryption is left to do). */
  close(): void {
    this.client?.terminate()
    this.client = undefined
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
