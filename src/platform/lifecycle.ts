/** Browser: the tab may be closed or reloaded at any moment; pagehide is the last reliable signal. */
export function onLeaveApp(callback: () => void): () => void {
  if (typeof window === 'undefined') return () => undefined
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') callback()
  }
  window.addEventListener('pagehide', callback)
  document.addEventListener('visibilitychange', onVisibility)
  return () => {
    window.removeEventListener('pagehide', callback)
    document.removeEventListener('visibilitychange', onVisibility)
  }
}

/** Browser: the tab becomes visible again (the resident switched back to it). */
export function onReturnToApp(callback: () => void): () => void {
  if (typeof window === 'undefined' || typeof document === 'undefined') return () => undefined
  const onVisibility = () => {
    if (document.visibilityState === 'visible') callback()
  }
  const onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted) callback()
  }
  document.addEventListener('visibilitychange', onVisibility)
  window.addEventListener('pageshow', onPageShow)
  return () => {
    document.removeEventListener('visibilitychange', onVisibility)
    window.removeEventListener('pageshow', onPageShow)
  }
}

/** Browser: the page is being unloaded (reload, close, navigation away); pagehide is the last signal. */
export function onAppUnload(callback: () => void): () => void {
  if (typeof window === 'undefined') return () => undefined
  window.addEventListener('pagehide', callback)
  return () => window.removeEventListener('pagehide', callback)
}
