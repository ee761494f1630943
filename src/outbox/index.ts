/** The outbox: queued reports, the runner that sends them, and the receipt and status helpers. */
export type { OutboxJob, JobPhase, JobStatus, JobProgress, FileProgress, JobError, StoredObject } from './types'
export {
  startOutbox,
  stopOutbox,
  kick,
  idle,
  subscribe,
  startSubmission,
  retryNow,
  cancelJob,
  canCancel,
  confirmReceipt,
  jobView,
  outboxViews,
  viewOf,
  statusOf,
  statusText,
  configureOutbox,
  WAITING_FOR_NETWORK,
  type JobView,
  type CancelResult,
  type Trigger,
} from './runner'
export { listJobs, loadJob, hasJob, encKey, encPrefix } from './store'
export { newReceipt, newIdempotencyKey, groupReceipt, parseReceiptInput, RECEIPT_DIGITS, type ReceiptCheck } from './codes'
export { backoffDelay, backoffCeiling, BACKOFF_BASE_MS, BACKOFF_MAX_MS } from './backoff'
export { LocalJobError } from './errors'
export { UPLOAD_CHUNK_SIZE, MAX_IN_FLIGHT } from './upload'
