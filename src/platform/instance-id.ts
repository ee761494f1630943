/**
 * Browser (H5): an id for this tab that survives a reload (sessionStorage is per tab), so that a
 * reloaded page takes over its own outbox lease at once instead of waiting for it to lapse.
 * Returns `candidate` (and remembers it) the first time.
 */
const KEY = 'clue-report/instance'

export function instanceId(candidate: string): string {
  try {
    const store = window.sessionStorage
    const existing = store.getItem(KEY)
    if (existing) return existing
    store.setItem(KEY, candidate)
  } catch {
    // No sessionStorage (private mode, old browser): a fresh id per page load.
  }
  return candidate
}
