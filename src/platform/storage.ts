/**
 * Typed facade over Taro's key-value storage (wx storage on WeChat, localStorage on H5).
 * Every key the app uses is declared here once, with the type of its value. WeChat allows 1 MB per
 * key and 10 MB in all, so only small JSON lives here; attachment bytes go to `files`.
 */
import Taro from '@tarojs/taro'
import type { DraftReport } from '@/domain/types'
import type { OutboxIndexEntry } from '@/outbox/types'

export interface DraftIndexEntry {
  id: string
  updatedAt: string
}

/** Each fixed key and the type stored under it. */
interface FixedKeys {
  'drafts/index': DraftIndexEntry[]
  'privacy/decision': { agreed: boolean; at: string }
  'notices/pending': string[]
  /** The campaign configuration last fetched from the server (validated on read). */
  'config/campaign': unknown
  /** The signed key list last accepted (src/keys/store.ts; verified again on read). Kept by the privacy wipe. */
  'keys/accepted': { list: unknown; acceptedAt: string }
  /** The local error log (src/services/error-log.ts). */
  'log/errors': import('@/services/error-log').ErrorLogEntry[]
  /** Reports being sent or waiting to be sent (the outbox); each job under `outboxJob(id)`. */
  'outbox/index': OutboxIndexEntry[]
  /** Which running copy of the app sends the outbox (two browser tabs must not both send). */
  'outbox/lock': { owner: string; until: number }
  /** Cases whose 查询码 the resident chose to keep on this phone (src/cases/saved.ts; validated on read). */
  'cases/saved': unknown
}

type FixedKey = keyof FixedKeys

const DRAFT_PREFIX = 'drafts/item/'
const OUTBOX_JOB_PREFIX = 'outbox/job/'
const MESSAGE_DRAFT_PREFIX = 'cases/draft/'

export const storageKeys = {
  draftIndex: 'drafts/index',
  privacyDecision: 'privacy/decision',
  pendingNotices: 'notices/pending',
  campaignConfig: 'config/campaign',
  acceptedKeyList: 'keys/accepted',
  errorLog: 'log/errors',
  outboxIndex: 'outbox/index',
  outboxLock: 'outbox/lock',
  savedCases: 'cases/saved',
  draft: (id: string) => `${DRAFT_PREFIX}${id}`,
  /** The message being written for one case (src/cases/drafts.ts), keyed by the case id; validated on read. */
  messageDraft: (caseId: string) => `${MESSAGE_DRAFT_PREFIX}${caseId}`,
  /** One outbox job (src/outbox/types.ts OutboxJob), keyed by its draft id; validated on read. */
  outboxJob: (id: string) => `${OUTBOX_JOB_PREFIX}${id}`,
} as const

export function readKey<K extends FixedKey>(key: K): FixedKeys[K] | undefined {
  return readRaw(key) as FixedKeys[K] | undefined
}

export function writeKey<K extends FixedKey>(key: K, value: FixedKeys[K]): void {
  Taro.setStorageSync(key, value)
}

export function removeKey(key: FixedKey): void {
  Taro.removeStorageSync(key)
}

export function readDraftRecord(id: string): DraftReport | undefined {
  return readRaw(storageKeys.draft(id)) as DraftReport | undefined
}

export function writeDraftRecord(draft: DraftReport): void {
  Taro.setStorageSync(storageKeys.draft(draft.id), draft)
}

export function removeDraftRecord(id: string): void {
  Taro.removeStorageSync(storageKeys.draft(id))
}

export function readOutboxJobRecord(id: string): unknown {
  return readRaw(storageKeys.outboxJob(id))
}

export function writeOutboxJobRecord(id: string, job: object): void {
  Taro.setStorageSync(storageKeys.outboxJob(id), job)
}

export function removeOutboxJobRecord(id: string): void {
  Taro.removeStorageSync(storageKeys.outboxJob(id))
}

export function readMessageDraftRecord(caseId: string): unknown {
  return readRaw(storageKeys.messageDraft(caseId))
}

export function writeMessageDraftRecord(caseId: string, draft: object): void {
  Taro.setStorageSync(storageKeys.messageDraft(caseId), draft)
}

export function removeMessageDraftRecord(caseId: string): void {
  Taro.removeStorageSync(storageKeys.messageDraft(caseId))
}

/** Keys of this app currently in storage (used to wipe everything from the privacy page). */
export function allAppKeys(): string[] {
  const { keys } = Taro.getStorageInfoSync()
  return keys.filter((k) => k.startsWith('drafts/') || k.startsWith('privacy/') || k.startsWith('notices/') || k.startsWith('outbox/') || k.startsWith('cases/'))
}

export function removeRaw(key: string): void {
  Taro.removeStorageSync(key)
}

function readRaw(key: string): unknown {
  try {
    const value = Taro.getStorageSync(key)
    // Taro answers '' for a missing key on both platforms.
    return value === '' || value === null ? undefined : value
  } catch {
    return undefined
  }
}
