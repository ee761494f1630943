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
