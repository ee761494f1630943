/**
 * The app's local error log: the last few problems worth a developer's look (a refused key list,
 * …), kept on the phone only, never sent, never shown to the resident.
 */
import { readKey, writeKey } from '@/platform/storage'

export interface ErrorLogEntry {
  at: string
  event: string
  detail: string
}

const MAX_ENTRIES = 30

export function logError(event: string, detail: string, now = new Date()): void {
  const entry: ErrorLogEntry = { at: now.toISOString(), event, detail: detail.slice(0, 300) }
  try {
    const previous = readKey('log/errors')
    const entries = Array.isArray(previous) ? previous : []
    writeKey('log/errors', [...entries, entry].slice(-MAX_ENTRIES))
  } catch {
    // A full storage must not turn a logged problem into a failure.
  }
}

export function errorLog(): ErrorLogEntry[] {
  const entries = readKey('log/errors')
  return Array.isArray(entries) ? entries : []
}
