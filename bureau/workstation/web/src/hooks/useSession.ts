/** The workstation's session state, polled (a poll is not activity: it never keeps the lock away). */
import { useCallback, useEffect, useRef, useState } from 'react'
import { api } from '../api'
import type { SessionState } from '../../../shared/types'

export function useSession(): { state?: SessionState; error?: string; refresh: () => Promise<void> } {
  const [state, setState] = useState<SessionState>()
  const [error, setError] = useState<string>()
  const last = useRef('')
  const refresh = useCallback(async () => {
    try {
      // The poll runs every second: the page re-renders only when the state changed.
      const next = await api<SessionState>('/api/state')
      const text = JSON.stringify(next)
      if (text !== last.current) {
        last.current = text
        setState(next)
      }
      setError(undefined)
    } catch (e) {
      setError((e as Error).message)
    }
  }, [])
  useEffect(() => {
    void refresh()
    const t = setInterval(() => void refresh(), 1000)
    return () => clearInterval(t)
  }, [refresh])
  return { state, error, refresh }
}

/** Tells the workstation the user is active (keys, mouse), at most every 20 s. */
export function useActivityPing(enabled: boolean): void {
  const last = useRef(0)
  useEffect(() => {
    if (!enabled) return
    const ping = () => {
      const now = Date.now()
      if (now - last.current < 20_000) return
      last.current = now
      void api('/api/activity', { method: 'POST', body: {} }).catch(() => undefined)
    }
    window.addEventListener('keydown', ping)
    window.addEventListener('pointerdown', ping)
    return () => {
      window.removeEventListener('keydown', ping)
      window.removeEventListener('pointerdown', ping)
    }
  }, [enabled])
}
