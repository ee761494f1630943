/**
 * What the home page's first load needs of the saved cases (./saved.ts): whether there are any,
 * the badge's count, and change notices. Reads the stored list loosely (a damaged entry counts
 * nothing); the full checks stay in ./saved.ts, which the case page loads.
 */
import { readKey } from '@/platform/storage'

function rawList(): unknown[] {
  const raw = readKey('cases/saved')
  return Array.isArray(raw) ? raw : []
}

export function hasSavedCases(): boolean {
  return rawList().length > 0
}

/** New bureau messages over all saved cases, as of their last check (the home page's badge). */
export function unreadTotal(): number {
  return rawList().reduce<number>((n, c) => {
    const unread = (c as { unread?: unknown } | null)?.unread
    return n + (typeof unread === 'number' && Number.isSafeInteger(unread) && unread > 0 ? unread : 0)
  }, 0)
}

const listeners = new Set<() => void>()

/** Calls `listener` whenever the saved cases change; returns the unsubscribe. */
export function onSavedCasesChange(listener: () => void): () => void {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

export function savedCasesChanged(): void {
  for (const listener of [...listeners]) listener()
}
