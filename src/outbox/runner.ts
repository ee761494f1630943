/**
 * The outbox runner: takes each queued report through encrypting → encrypted → uploading →
 * finalizing → done, persisting every step before the next network call, so that a crash, a killed
 * app or a lost connection resumes with the same bytes, idempotency key and receipt.
 *
 * One runner at a time (per app, and per browser across tabs through a storage lease). It is
 * started by the app (startOutbox), by a submit, when the app returns to the foreground, when the
 * network comes back, and by a timer for the next retry (exponential backoff).
 */
import { toHex } from '@/crypto/bytes'
import { deleteDraft, loadDraft } from '@/drafts/store'
import { files } from '@/platform/files'
import { instanceId } from '@/platform/instance-id'
import { onAppUnload, onReturnToApp } from '@/platform/lifecycle'
import { isOnline, onNetworkChange } from '@/platform/network'
import { randomBytes, SecureRandomUnavailableError } from '@/platform/random'
import { readKey, removeKey, writeKey } from '@/platform/storage'
import { currentEncryptionKey } from '@/keys/store'
import { createSubmission, finalizeSubmission, type CreateSubmissionBody } from '@/services/api'
import { refreshKeyList } from '@/services/key-list'
import { ApiError, CancelledError, Cancellation, messageOf } from '@/services/request'
import { BACKOFF_MAX_MS, backoffCeiling, backoffDelay, secureRandom01 } from './backoff'
import { newIdempotencyKey, newReceipt } from './codes'
import { LocalJobError } from './errors'
import { loadSending } from './load-sending'
import { encPrefix, hasJob, listJobs, loadJob, removeJob, saveJob } from './store'
import type { JobError, JobProgress, JobStatus, OutboxJob } from './types'
import { MAX_IN_FLIGHT, uploadAttachments } from './upload'

export type Trigger = 'start' | 'show' | 'online' | 'timer' | 'user'

interface Settings {
  /** Upload chunk size (default 256 KiB). */
  chunkSize?: number
  /** Encryption read size (default 256 KiB). */
  encryptChunkSize?: number
  concurrency: number
  /** Uniform [0, 1) for the backoff jitter. */
  random01: () => Promise<number>
  /** How long the storage lease of a runner lasts without renewal. */
  leaseMs: number
}

const DEFAULT_SETTINGS: Settings = { concurrency: MAX_IN_FLIGHT, random01: secureRandom01, leaseMs: 30000 }
let settings: Settings = { ...DEFAULT_SETTINGS }

/** Tunes the runner (tests use small chunks and a fixed jitter). */
export function configureOutbox(patch: Partial<Settings>): void {
  settings = { ...settings, ...patch }
}

/** Phase transitions one run may make for one job before it gives up (guards against loops). */
const MAX_STEPS = 16

// -------------------------------------------------------------------------------------------------
// Observable state for the pages

const listeners = new Set<() => void>()
const progress = new Map<string, JobProgress>()
const activity = new Map<string, NonNullable<JobProgress['activity']>>()

/** Calls `listener` whenever a job or its progress changes; returns the unsubscribe. */
export function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

function notify(): void {
  for (const listener of [...listeners]) {
    try {
      listener()
    } catch {
      // A page's listener must not stop the runner.
    }
  }
}

function sumDone(p: JobProgress): void {
  p.uploaded = {
    done: p.files.reduce((n, f) => n + Math.min(f.done, f.total), 0),
    total: p.files.reduce((n, f) => n + f.total, 0),
  }
}

function progressFor(job: OutboxJob): JobProgress {
  let p = progress.get(job.id)
  if (!p) {
    p = { encrypted: { done: 0, total: job.files.reduce((n, f) => n + f.size, 0) + 1 }, files: [], uploaded: { done: 0, total: 0 } }
    progress.set(job.id, p)
  }
  if (job.phase !== 'encrypting') p.encrypted = { done: p.encrypted.total, total: p.encrypted.total }
  const objects = job.attachments ?? []
  const complete = job.phase === 'finalizing' || job.phase === 'done'
  p.files = objects.map((o, n) => ({
    name: job.files[n]?.name ?? `材料 ${n + 1}`,
    total: o.size,
    done: complete ? o.size : Math.min(p!.files[n]?.total === o.size ? p!.files[n].done : 0, o.size),
  }))
  sumDone(p)
  const a = activity.get(job.id)
  if (a) p.activity = a
  else delete p.activity
  return p
}

export interface JobView {
  job: OutboxJob
  progress: JobProgress
  status: JobStatus
  /** One plain sentence for the resident. */
  text: string
}

export function statusOf(job: OutboxJob): JobStatus {
  if (job.phase === 'done') return 'done'
  const a = activity.get(job.id)
  if (a) return a === 'encrypting' ? 'encrypting' : 'sending'
  if (job.blocked) return 'blocked'
  if (job.retryAt || job.lastError) return 'waiting'
  return job.phase === 'encrypting' ? 'encrypting' : 'sending'
}

export const WAITING_FOR_NETWORK = '等待网络，恢复后会自动发送'

export function statusText(job: OutboxJob, status: JobStatus = statusOf(job)): string {
  switch (status) {
    case 'done':
      return '已提交成功，请保存查询码'
    case 'encrypting':
      return '正在手机上加密，请稍候'
    case 'sending':
      return job.phase === 'finalizing' ? '正在完成提交' : '正在发送'
    case 'blocked':
      return `没有发送成功：${job.lastError?.message ?? '出现了问题'}`
    case 'waiting':
      if (job.lastError?.code === KEYS_NOT_VERIFIED) return job.lastError.message
      if (!job.lastError || job.lastError.kind === 'offline' || job.lastError.kind === 'timeout') return WAITING_FOR_NETWORK
      return '服务器暂时没有响应，稍后会自动重试'
  }
}

export function viewOf(job: OutboxJob): JobView {
  const status = statusOf(job)
  return { job, progress: progressFor(job), status, text: statusText(job, status) }
}

export function jobView(id: string): JobView | undefined {
  const job = loadJob(id)
  return job ? viewOf(job) : undefined
}

export function outboxViews(): JobView[] {
  return listJobs().map(viewOf)
}

/** The report can still be withdrawn: nothing that could complete it has been sent. */
export function canCancel(job: OutboxJob): boolean {
  return job.phase !== 'done' && !job.finalizeSent
}

// -------------------------------------------------------------------------------------------------
// Lease: one sending copy of the app at a time (browser tabs share storage)

let owner: string | undefined
let leaseRenewedAt = 0

/** Takes the lease unless another live copy holds it; answers until when that copy holds it. */
async function acquireLease(): Promise<{ ok: true } | { ok: false; until: number }> {
  if (!owner) owner = instanceId(toHex(await randomBytes(8)))
  const now = Date.now()
  const lock = readKey('outbox/lock')
  if (lock && lock.owner !== owner && typeof lock.until === 'number' && lock.until > now) {
    return { ok: false, until: Math.min(lock.until, now + settings.leaseMs) }
  }
  writeKey('outbox/lock', { owner, until: now + settings.leaseMs })
  leaseRenewedAt = now
  if (readKey('outbox/lock')?.owner === owner) return { ok: true }
  return { ok: false, until: now + settings.leaseMs }
}

function renewLease(): void {
  const now = Date.now()
  if (!owner || now - leaseRenewedAt < settings.leaseMs / 3) return
  leaseRenewedAt = now
  writeKey('outbox/lock', { owner, until: now + settings.leaseMs })
}

function releaseLease(): void {
  if (owner && readKey('outbox/lock')?.owner === owner) removeKey('outbox/lock')
}

// -------------------------------------------------------------------------------------------------
// The runner

let running: Promise<void> | undefined
let again = false
let forceNext = false
let active: { id: string; cancel: Cancellation; promise: Promise<void> } | undefined
const cancelled = new Set<string>()
let started = false
let timer: ReturnType<typeof setTimeout> | undefined
/** Set while another copy of the app holds the lease: when to look again. */
let leaseBlockedUntil: number | undefined
/** A forced run (network back, app shown, resident asked) was held up by another copy's lease. */
let forceAfterLease = false

/**
 * Runs the outbox now. Triggers other than 'timer' also retry jobs whose backoff has not expired
 * (the network came back, the app came to the front, the resident asked). One run at a time: a
 * kick during a run makes it go round once more.
 */
export function kick(trigger: Trigger = 'timer'): Promise<void> {
  if (trigger !== 'timer') forceNext = true
  if (running) {
    again = true
    return running
  }
  if (timer !== undefined) {
    clearTimeout(timer)
    timer = undefined
  }
  running = (async () => {
    try {
      do {
        again = false
        const force = forceNext
        forceNext = false
        await runAll(force)
      } while (again)
    } finally {
      running = undefined
      schedule()
    }
  })()
  return running
}

/** Resolves when no run is in progress (tests, and pages that wait for a cancel). */
export async function idle(): Promise<void> {
  while (running) await running.catch(() => undefined)
}

async function runAll(force: boolean): Promise<void> {
  let lease: Awaited<ReturnType<typeof acquireLease>>
  try {
    lease = await acquireLease()
  } catch {
    lease = { ok: false, until: Date.now() + settings.leaseMs }
  }
  if (!lease.ok) {
    // Another tab is sending; look again when its lease runs out, with the same urgency.
    leaseBlockedUntil = lease.until + 50
    forceAfterLease = forceAfterLease || force
    return
  }
  leaseBlockedUntil = undefined
  force = force || forceAfterLease
  forceAfterLease = false
  try {
    for (const entry of listJobs()) {
      if (cancelled.has(entry.id)) continue
      const job = loadJob(entry.id)
      if (!job || job.phase === 'done' || job.blocked) continue
      if (!force && job.retryAt && Date.parse(job.retryAt) > Date.now()) continue
      if (job.phase !== 'encrypting' && !(await isOnline())) {
        await recordFailure(job.id, new ApiError('offline'), false)
        continue
      }
      const cancel = new Cancellation()
      const run = { madeProgress: false }
      const promise = processJob(job.id, cancel, run).catch(async (error: unknown) => {
        if (error instanceof CancelledError) return
        await recordFailure(job.id, error, run.madeProgress)
      })
      active = { id: job.id, cancel, promise }
      try {
        await promise
      } finally {
        active = undefined
        activity.delete(job.id)
        notify()
      }
    }
  } finally {
    releaseLease()
  }
}

/** The job as stored now; cancelled or removed jobs stop the run. */
function current(id: string): OutboxJob {
  if (cancelled.has(id)) throw new CancelledError()
  const job = loadJob(id)
  if (!job) throw new CancelledError()
  return job
}

function update(id: string, patch: Partial<OutboxJob>): OutboxJob {
  const next: OutboxJob = { ...current(id), ...patch }
  for (const key of Object.keys(next) as (keyof OutboxJob)[]) if (next[key] === undefined) delete next[key]
  saveJob(next)
  notify()
  return next
}

/** A phase change is progress: the failure count starts again. */
const PROGRESSED: Partial<OutboxJob> = { attempt: 0, retryAt: undefined, lastError: undefined, blocked: undefined }

function isCode(error: unknown, code: string): boolean {
  return error instanceof ApiError && error.code === code
}

function setActivity(id: string, a: NonNullable<JobProgress['activity']>): void {
  activity.set(id, a)
  notify()
}

/** Back to encryption with a new idempotency key: only while the server holds no live submission of ours. */
function restartEncryption(id: string): OutboxJob {
  const job = current(id)
  if (job.phase !== 'encrypted') throw new Error(`cannot re-encrypt a job in phase ${job.phase}`)
  return update(id, { phase: 'encrypting', header: undefined, report: undefined, attachments: undefined, submissionId: undefined })
}

/** The create body, read back from the phone; undefined when the local copies are damaged. */
async function createBody(job: OutboxJob): Promise<CreateSubmissionBody | undefined> {
  const report = job.report!
  let bytes: Uint8Array
  try {
    bytes = await files.readRange(report.key, 0, report.size)
  } catch {
    return undefined
  }
  const { sha256Hex, toBase64 } = await loadSending()
  if (bytes.length !== report.size || sha256Hex(bytes) !== report.sha256) return undefined
  for (const object of job.attachments!) {
    if ((await files.fileSize(object.key)) !== object.size) return undefined
  }
  return {
    idempotencyKey: job.idempotencyKey,
    header: job.header!,
    report: toBase64(bytes),
    attachments: job.attachments!.map((o) => ({ size: o.size, sha256: o.sha256 })),
  }
}

async function processJob(id: string, cancel: Cancellation, run: { madeProgress: boolean }): Promise<void> {
  let job = current(id)
  const p = progressFor(job)
  for (let step = 0; step < MAX_STEPS; step++) {
    job = current(id)
    switch (job.phase) {
      case 'encrypting': {
        setActivity(id, 'encrypting')
        const { encryptJob } = await loadSending()
        const encrypted = await encryptJob(
          job,
          (done, total) => {
            p.encrypted = { done, total }
            renewLease()
            notify()
          },
          cancel,
          settings.encryptChunkSize,
        )
        // A key refresh during encryption must not leave a half-made job behind.
        job = update(id, { ...PROGRESSED, phase: 'encrypted', ...encrypted })
        progressFor(job)
        run.madeProgress = true
        break
      }
      case 'encrypted': {
        setActivity(id, 'uploading')
        const body = await createBody(job)
        if (!body) {
          // The copies on the phone are damaged; the server cannot have accepted anything yet.
          job = update(id, { idempotencyKey: await newIdempotencyKey() })
          restartEncryption(id)
          continue
        }
        try {
          const { submission } = await createSubmission(body, cancel)
          job = update(id, { ...PROGRESSED, submissionId: submission.id, phase: submission.state === 'accepted' ? 'finalizing' : 'uploading' })
          progressFor(job)
          for (const a of submission.attachments) if (p.files[a.n]) p.files[a.n].done = a.offset
          sumDone(p)
          run.madeProgress = true
        } catch (error) {
          if (isCode(error, 'UNKNOWN_KID') || isCode(error, 'IDEMPOTENCY_KEY_REUSED')) {
            // The bureau changed its key (or our earlier request differs): encrypt again, to the
            // current key, under a new idempotency key. Nothing was accepted under the old one.
            // The new key must come from a key list signed by the bureau (src/keys): if the server
            // offers none the phone accepts, the report waits, encrypted to the key it has.
            if (isCode(error, 'UNKNOWN_KID')) {
              await refreshKeyList(cancel)
              if (currentEncryptionKey()?.kid === job.header!.kid) throw keysNotVerified()
            }
            update(id, { idempotencyKey: await newIdempotencyKey() })
            restartEncryption(id)
            continue
          }
          throw error
        }
        break
      }
      case 'uploading': {
        setActivity(id, 'uploading')
        try {
          await uploadAttachments({
            submissionId: job.submissionId!,
            objects: job.attachments!,
            onOffset: (n, offset) => {
              const f = p.files[n]
              if (f) {
                if (offset > f.done) run.madeProgress = true
                f.done = offset
              }
              sumDone(p)
              renewLease()
              notify()
            },
            cancel,
            chunkSize: settings.chunkSize,
            concurrency: settings.concurrency,
          })
        } catch (error) {
          if (isCode(error, 'SUBMISSION_NOT_FOUND')) {
            // Unfinished submissions expire on the server after a day: create it again, same bytes.
            job = update(id, { phase: 'encrypted', submissionId: undefined })
            continue
          }
          if (isCode(error, 'SUBMISSION_FINALIZED')) {
            job = update(id, { phase: 'finalizing' })
            continue
          }
          throw error
        }
        job = update(id, { ...PROGRESSED, phase: 'finalizing' })
        progressFor(job)
        run.madeProgress = true
        break
      }
      case 'finalizing': {
        setActivity(id, 'finalizing')
        // Recorded before the request: from here on the report may be accepted at any moment.
        if (!job.finalizeSent) job = update(id, { finalizeSent: true })
        try {
          const result = await finalizeSubmission(job.submissionId!, job.receipt, cancel)
          job = update(id, { ...PROGRESSED, phase: 'done', acceptedAt: result.acceptedAt })
          progressFor(job)
          return
        } catch (error) {
          if (isCode(error, 'UPLOAD_INCOMPLETE')) {
            job = update(id, { phase: 'uploading' })
            continue
          }
          if (isCode(error, 'ATTACHMENT_HASH_MISMATCH')) {
            const count = (job.hashMismatches ?? 0) + 1
            if (count > 2) throw new LocalJobError('材料多次在传输中出错，请稍后点“重试”。')
            job = update(id, { phase: 'uploading', hashMismatches: count })
            for (const a of (error as ApiError).details.attachments ?? []) if (p.files[a.n]) p.files[a.n].done = 0
            continue
          }
          if (isCode(error, 'RECEIPT_IN_USE')) {
            // Someone else's report has these 16 digits: draw new ones, keep them, try again.
            job = update(id, { receipt: await newReceipt() })
            continue
          }
          if (isCode(error, 'SUBMISSION_NOT_FOUND')) {
            job = update(id, { phase: 'encrypted', submissionId: undefined })
            continue
          }
          throw error
        }
      }
      case 'done':
        return
    }
  }
  throw new LocalJobError('发送时反复出错，请稍后点“重试”。')
}

/** The server wants a key the phone cannot verify: wait (with backoff) for a signed key list. */
export const KEYS_NOT_VERIFIED = 'KEYS_NOT_VERIFIED'
export const WAITING_FOR_KEYS = '正在等待公安机关发布经过核验的新加密公钥。举报已加密保存在手机上，只会发给核验过的公钥，稍后会自动重试。'

function keysNotVerified(): ApiError {
  return new ApiError('server', { code: KEYS_NOT_VERIFIED, message: WAITING_FOR_KEYS })
}

function jobError(error: unknown): JobError {
  const at = new Date().toISOString()
  if (error instanceof ApiError) return { kind: error.kind, ...(error.code ? { code: error.code } : {}), message: error.message, at }
  if (error instanceof LocalJobError) return { kind: 'local', message: error.message, at }
  if (error instanceof SecureRandomUnavailableError) return { kind: 'local', message: '此手机无法生成安全随机数，无法加密举报。请更新微信或换一部手机。', at }
  return { kind: 'local', message: messageOf(error), at }
}

/** Waiting with backoff for trouble that may pass; blocked (until the resident acts) for the rest. */
async function recordFailure(id: string, error: unknown, madeProgress: boolean): Promise<void> {
  if (cancelled.has(id) || !hasJob(id)) return
  const job = loadJob(id)
  if (!job) return
  const permanent = error instanceof LocalJobError || error instanceof SecureRandomUnavailableError || (error instanceof ApiError && !error.retryable)
  try {
    if (permanent) {
      update(id, { blocked: true, retryAt: undefined, lastError: jobError(error) })
      return
    }
    const attempt = madeProgress ? 1 : job.attempt + 1
    let delay: number
    try {
      delay = backoffDelay(attempt, await settings.random01())
    } catch {
      delay = backoffCeiling(attempt)
    }
    // The server said when to come back (429 Retry-After): not sooner, and never beyond the cap.
    const asked = error instanceof ApiError ? error.details.retryAfterMs : undefined
    if (asked !== undefined) delay = Math.min(BACKOFF_MAX_MS, Math.max(delay, asked))
    update(id, { attempt, retryAt: new Date(Date.now() + delay).toISOString(), lastError: jobError(error), blocked: undefined })
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e
  }
}

function scheduleIn(ms: number): void {
  if (!started) return
  if (timer !== undefined) clearTimeout(timer)
  timer = setTimeout(() => {
    timer = undefined
    void kick('timer')
  }, Math.max(0, Math.min(ms, BACKOFF_MAX_MS)))
}

/** Arms the timer for the earliest retry due, while the app is open. */
function schedule(): void {
  if (!started) return
  const due = listJobs()
    .filter((j) => j.phase !== 'done' && !j.blocked && j.retryAt)
    .map((j) => Date.parse(j.retryAt!))
    .filter((t) => !Number.isNaN(t))
  if (leaseBlockedUntil !== undefined) due.push(leaseBlockedUntil)
  if (due.length === 0) {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    return
  }
  scheduleIn(Math.min(...due) - Date.now())
}

// -------------------------------------------------------------------------------------------------
// What the pages do

/**
 * Puts a complete draft into the outbox and starts sending it. The receipt and the idempotency key
 * are drawn and stored before anything else happens. Submitting the same draft again returns the
 * job already there: one draft is never sent twice.
 */
export async function startSubmission(draftId: string, now = new Date()): Promise<OutboxJob> {
  const existing = loadJob(draftId)
  if (existing) {
    void kick('user')
    return existing
  }
  const draft = loadDraft(draftId)
  if (!draft) throw new LocalJobError('找不到这份草稿，它可能已被删除。')
  const at = now.toISOString()
  const job: OutboxJob = {
    version: 1,
    id: draft.id,
    createdAt: at,
    declaredAt: draft.declaration.declaredAt ?? at,
    ...(draft.category ? { category: draft.category } : {}),
    ...(draft.branch ? { branch: draft.branch } : {}),
    files: draft.attachments.map((a) => ({ name: a.name, label: a.label, size: a.size })),
    idempotencyKey: await newIdempotencyKey(),
    receipt: await newReceipt(),
    phase: 'encrypting',
    attempt: 0,
  }
  saveJob(job)
  cancelled.delete(job.id)
  notify()
  void kick('user')
  return job
}

/** Sends a waiting or blocked job now. */
export function retryNow(id: string): Promise<void> {
  const job = loadJob(id)
  if (job && job.phase !== 'done' && (job.blocked || job.retryAt)) update(id, { blocked: undefined, retryAt: undefined })
  return kick('user')
}

export type CancelResult = 'cancelled' | 'too-late'

/**
 * Withdraws a report that has not been finalized: stops sending, deletes its encrypted copies, and
 * gives the draft back to the draft list. Once a finalize was sent it may already be accepted, so
 * it can no longer be withdrawn ('too-late').
 */
export async function cancelJob(id: string): Promise<CancelResult> {
  const job = loadJob(id)
  if (!job) return 'cancelled'
  if (!canCancel(job)) return 'too-late'
  cancelled.add(id)
  if (active?.id === id) {
    active.cancel.cancel()
    await active.promise.catch(() => undefined)
  }
  const latest = loadJob(id)
  if (latest && !canCancel(latest)) {
    cancelled.delete(id)
    void kick('user')
    return 'too-late'
  }
  removeJob(id)
  await files.removeFilesWithPrefix(encPrefix(id))
  progress.delete(id)
  cancelled.delete(id)
  notify()
  return 'cancelled'
}

/**
 * The resident confirmed saving the receipt: only now are the draft, its files, the encrypted
 * copies and the job deleted. Refused (false) for a job that is not accepted yet.
 */
export async function confirmReceipt(id: string): Promise<boolean> {
  const job = loadJob(id)
  if (!job || job.phase !== 'done') return false
  await files.removeFilesWithPrefix(encPrefix(id))
  await deleteDraft(id)
  removeJob(id)
  progress.delete(id)
  notify()
  return true
}

/** Encrypted copies left by a job that no longer exists (e.g. cancelled mid-write). */
async function sweepOrphans(): Promise<void> {
  const keep = new Set(listJobs().map((j) => j.id))
  for (const key of await files.listFiles()) {
    const owner = /^enc\/([^/]+)\//.exec(key)?.[1]
    if (owner !== undefined && !keep.has(owner)) await files.removeFile(key)
  }
}

let stops: (() => void)[] = []

/**
 * Starts the outbox for this app session: sends what is pending now, again whenever the app comes
 * back to the foreground or the network returns, and on the backoff timer. Idempotent.
 */
export function startOutbox(): void {
  if (started) return
  started = true
  stops = [
    onReturnToApp(() => void kick('show')),
    onNetworkChange((online) => {
      if (online) void kick('online')
    }),
    // A reloaded or closed page stops sending: let the next copy take over at once.
    onAppUnload(releaseLease),
  ]
  void sweepOrphans()
    .catch(() => undefined)
    .then(() => kick('start'))
}

/** Stops listening and clears the timer (tests; the app never stops it). */
export function stopOutbox(): void {
  started = false
  stops.forEach((stop) => stop())
  stops = []
  if (timer !== undefined) clearTimeout(timer)
  timer = undefined
}

/** Forgets all in-memory state (tests only). */
export function resetOutboxForTests(): void {
  stopOutbox()
  settings = { ...DEFAULT_SETTINGS }
  progress.clear()
  activity.clear()
  cancelled.clear()
  listeners.clear()
  again = false
  forceNext = false
  owner = undefined
  leaseBlockedUntil = undefined
  forceAfterLease = false
}
