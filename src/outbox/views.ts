/** What the pages show of a job: its progress (with the time left per stage), status and sentence. */
import { RateEstimator } from './eta'
import { KEYS_NOT_VERIFIED } from './errors'
import { activity, progress } from './state'
import { listJobs, loadJob } from './store'
import type { JobBase, JobProgress, JobStatus, OutboxJob } from './types'

const estimators = new Map<string, RateEstimator>()

function estimator(id: string, stage: 'encrypt' | 'upload'): RateEstimator {
  const key = `${id}/${stage}`
  let e = estimators.get(key)
  if (!e) {
    e = new RateEstimator()
    estimators.set(key, e)
  }
  return e
}

/** The runner reports progress of a stage here (plaintext bytes encrypted, ciphertext bytes held by the server). */
export function sample(id: string, stage: 'encrypt' | 'upload', done: number, now = Date.now()): void {
  estimator(id, stage).add(now, done)
}

export function forgetProgress(id: string): void {
  progress.delete(id)
  estimators.delete(`${id}/encrypt`)
  estimators.delete(`${id}/upload`)
}

export function resetViews(): void {
  estimators.clear()
}

export function sumDone(p: JobProgress): void {
  p.uploaded = {
    done: p.files.reduce((n, f) => n + Math.min(f.done, f.total), 0),
    total: p.files.reduce((n, f) => n + f.total, 0),
  }
}

export function progressFor(job: JobBase): JobProgress {
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
  const encryptLeft = a === 'encrypting' ? estimators.get(`${job.id}/encrypt`)?.remainingMs(p.encrypted.total) : undefined
  const uploadLeft = a === 'uploading' ? estimators.get(`${job.id}/upload`)?.remainingMs(p.uploaded.total) : undefined
  if (encryptLeft !== undefined) p.encryptLeftMs = encryptLeft
  else delete p.encryptLeftMs
  if (uploadLeft !== undefined) p.uploadLeftMs = uploadLeft
  else delete p.uploadLeftMs
  return p
}

export interface JobView {
  job: OutboxJob
  progress: JobProgress
  status: JobStatus
  /** One plain sentence for the resident. */
  text: string
}

export function statusOf(job: JobBase): JobStatus {
  if (job.phase === 'done') return 'done'
  const a = activity.get(job.id)
  if (a) return a === 'encrypting' ? 'encrypting' : 'sending'
  if (job.blocked) return 'blocked'
  if (job.retryAt || job.lastError) return 'waiting'
  return job.phase === 'encrypting' ? 'encrypting' : 'sending'
}

export const WAITING_FOR_NETWORK = '等待网络，恢复后会自动发送'

export function statusText(job: JobBase, status: JobStatus = statusOf(job)): string {
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
