/**
 * Browser (H5) network state: navigator.onLine and the window's online/offline events. onLine
 * false is reliable ("certainly offline"); true only means "maybe online", so callers still try.
 */
export async function isOnline(): Promise<boolean> {
  if (typeof navigator === 'undefined' || typeof navigator.onLine !== 'boolean') return true
  return navigator.onLine
}

/** Calls back with the new state whenever the browser goes online or offline. */
export function onNetworkChange(callback: (online: boolean) => void): () => void {
  if (typeof window === 'undefined') return () => undefined
  const online = () => callback(true)
  const offline = () => callback(false)
  window.addEventListener('online', online)
  window.addEventListener('offline', offline)
  return () => {
    window.removeEventListener('online', online)
    window.removeEventListener('offline', offline)
  }
}
