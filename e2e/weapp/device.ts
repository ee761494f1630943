/**
 * The phone, as far as the app can tell: what survives a kill (storage, user files, the user's
 * privacy agreement) and what does not (temporary files), the network, and what the resident
 * will pick in the album or a chat when the app asks. One Device outlives many launches.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** What the resident picks the next time a picker opens: fixture files, or a cancel. */
export type PickAnswer = { files: string[] } | 'cancel'

/** How the resident answers the next privacy request (shown by the app or by WeChat). */
export type PrivacyAnswer = 'agree' | 'disagree'

export interface DeviceOptions {
  /** API base of the build → the origin that really serves it (the domain list, as DNS would). */
  domains?: Record<string, string>
  /** Room for user files; WeChat gives 200 MB. */
  userFileQuota?: number
}

export class Device {
  readonly dir: string
  readonly userDir: string
  readonly tempDir: string
  /** wx storage: key → JSON text, as the phone keeps it. */
  readonly storage = new Map<string, string>()
  /** Whether the user agreed to the privacy guide (WeChat remembers this per user). */
  privacyAgreed = false
  online = true
  readonly domains: Record<string, string>
  readonly userFileQuota: number
  readonly mediaPicks: PickAnswer[] = []
  readonly messageFilePicks: PickAnswer[] = []
  private networkListeners = new Set<(online: boolean) => void>()

  constructor(options: DeviceOptions = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'weapp-device-'))
    this.userDir = join(this.dir, 'usr')
    this.tempDir = join(this.dir, 'tmp')
    mkdirSync(this.userDir)
    mkdirSync(this.tempDir)
    this.domains = { ...(options.domains ?? {}) }
    this.userFileQuota = options.userFileQuota ?? 200 * 1024 * 1024
  }

  /** The next chooseMedia (album / camera) returns these fixture files as temporary files. */
  willPickMedia(answer: PickAnswer): void {
    this.mediaPicks.push(answer)
  }

  /** The next chooseMessageFile (a file from a chat) returns these fixture files. */
  willPickMessageFiles(answer: PickAnswer): void {
    this.messageFilePicks.push(answer)
  }

  setOnline(online: boolean): void {
    if (this.online === online) return
    this.online = online
    for (const fn of [...this.networkListeners]) fn(online)
  }

  onNetworkChange(fn: (online: boolean) => void): () => void {
    this.networkListeners.add(fn)
    return () => this.networkListeners.delete(fn)
  }

  /** A kill, or the system reclaiming space: temporary files are gone. */
  dropTempFiles(): void {
    rmSync(this.tempDir, { recursive: true, force: true })
    mkdirSync(this.tempDir, { recursive: true })
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}
