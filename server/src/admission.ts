/**
 * What anonymous clients may hold on the server before anything is finished, kept in memory only
 * (by client key, never written anywhere):
 *
 *  - a free-space reserve on the data directory's file system: below it, create and PUT answer
 *    507 STORAGE_FULL with Retry-After, and status lookups keep working;
 *  - the declared bytes of unfinished submissions, per client (429 UNFINISHED_QUOTA) and in all
 *    (507 STORAGE_FULL), released when a submission is finalized, expires or is purged;
 *  - attachment uploads in flight per client (429 UPLOADS_IN_FLIGHT), so that one client cannot
 *    hold hundreds of slow connections, and in all (503 BUSY), so that many clients together cannot
 *    either: each upload's socket and stream buffers cost memory until the body is on disk.
 */
import fsp from 'node:fs/promises'
import { ApiError, storageFullError } from './errors'

export interface AdmissionLimits {
  minFreeBytes: number
  unfinishedBytesPerClient: number
  unfinishedBytesTotal: number
  uploadsPerClient: number
  /** Uploads in flight in this instance, all clients together. */
  uploadsTotal: number
}

/** Free bytes for an unprivileged writer on the file system holding `dir`. */
export type FreeSpace = (dir: string) => Promise<number>

export const statfsFree: FreeSpace = async (dir) => {
  const s = await fsp.statfs(dir)
  return Number(s.bavail) * Number(s.bsize)
}

/**
 * The admission key of a case message's files. Submission ids and message ids are both 32 hex
 * digits: without a name space, a message posted with a pending submission's id as its msgId would
 * ride on that hold and, once finalized, release it.
 */
export const messageHold = (msgId: string) => `message:${msgId}`

interface Held {
  client: string | undefined
  bytes: number
  /** performance.now() when held. */
  since: number
}

export class Admission {
  private readonly held = new Map<string, Held>()
  private readonly perClient = new Map<string, number>()
  private readonly uploads = new Map<string, number>()
  private uploadsOpen = 0
  private total = 0

  constructor(
    private readonly dir: string,
    private readonly limits: AdmissionLimits,
    private readonly freeSpace: FreeSpace = statfsFree,
  ) {}

  /** Unfinished submissions found at boot (their clients are unknown: they count in the total only). */
  adopt(open: readonly { id: string; bytes: number }[]): void {
    for (const o of open) this.hold(o.id, undefined, o.bytes)
  }

  get unfinishedBytes(): number {
    return this.total
  }

  /** 507 unless `incoming` more bytes leave the reserve free. */
  async checkFree(incoming: number): Promise<void> {
    let free: number
    try {
      free = await this.freeSpace(this.dir)
    } catch {
      return
    }
    if (free - incoming < this.limits.minFreeBytes) throw storageFullError()
  }

  /**
   * Reserves `bytes` of a new unfinished submission for `client`, or throws. Resolves true when
   * this call made the reservation, false when `id` was held already (a retry: nothing is counted
   * again, nothing checked); only a caller that made it may `release` it if the submission is not
   * created after all.
   */
  async admitCreate(id: string, client: string, bytes: number): Promise<boolean> {
    if (this.held.has(id)) return false
    const mine = this.perClient.get(client) ?? 0
    if (mine + bytes > this.limits.unfinishedBytesPerClient) {
      throw new ApiError('UNFINISHED_QUOTA', 'Too many unfinished uploads from this network; finish them or retry later')
    }
    if (this.total + bytes > this.limits.unfinishedBytesTotal) throw storageFullError()
    await this.checkFree(bytes)
    // A request for the same id that got here first during the wait holds it.
    if (this.held.has(id)) return false
    // Checked again after the wait: another create may have taken the room meanwhile.
    if ((this.perClient.get(client) ?? 0) + bytes > this.limits.unfinishedBytesPerClient) {
      throw new ApiError('UNFINISHED_QUOTA', 'Too many unfinished uploads from this network; finish them or retry later')
    }
    if (this.total + bytes > this.limits.unfinishedBytesTotal) throw storageFullError()
    this.hold(id, client, bytes)
    return true
  }

  private hold(id: string, client: string | undefined, bytes: number): void {
    if (this.held.has(id)) return
    this.held.set(id, { client, bytes, since: performance.now() })
    this.total += bytes
    if (client !== undefined) this.perClient.set(client, (this.perClient.get(client) ?? 0) + bytes)
  }

  /** The submission is finished, expired, purged or was never created. */
  release(id: string): void {
    const h = this.held.get(id)
    if (!h) return
    this.held.delete(id)
    this.total -= h.bytes
    if (h.client !== undefined) {
      const left = (this.perClient.get(h.client) ?? 0) - h.bytes
      if (left > 0) this.perClient.set(h.client, left)
      else this.perClient.delete(h.client)
    }
  }

  /**
   * Keeps only the held submissions that are still unfinished in the shared storage: with several
   * instances, a submission created here may be finalized, expired or purged through another one.
   */
  /** Only entries held for `minAgeMs` or more count: a create being committed now is not yet listed. */
  reconcile(stillOpen: readonly { id: string }[], minAgeMs = 60_000): void {
    const open = new Set(stillOpen.map((o) => o.id))
    const cutoff = performance.now() - minAgeMs
    for (const [id, h] of [...this.held]) if (h.since <= cutoff && !open.has(id)) this.release(id)
  }

  /** Counts one upload in flight for `client`; the returned function ends it (idempotent). */
  beginUpload(client: string): () => void {
    const n = this.uploads.get(client) ?? 0
    if (n >= this.limits.uploadsPerClient) {
      throw new ApiError('UPLOADS_IN_FLIGHT', 'Too many uploads at once from this network; retry shortly')
    }
    if (this.uploadsOpen >= this.limits.uploadsTotal) throw new ApiError('BUSY', 'The server is busy; retry shortly')
    this.uploads.set(client, n + 1)
    this.uploadsOpen += 1
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.uploadsOpen -= 1
      const left = (this.uploads.get(client) ?? 1) - 1
      if (left > 0) this.uploads.set(client, left)
      else this.uploads.delete(client)
    }
  }
}
