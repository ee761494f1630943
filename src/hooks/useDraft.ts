/**
 * Loads one draft and saves every change automatically. Saves are debounced so typing does not
 * write storage on every key, and flushed when the page hides or unmounts so nothing typed is lost.
 * When the page shows again (Back from a later step), the draft is read again: the later step
 * may have changed it, and an edit here must not write an old copy over that change.
 */
import { useDidHide, useDidShow, useUnload } from '@tarojs/taro'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { DraftReport } from '@/domain/types'
import { loadDraft, saveDraft } from '@/drafts/store'
import { onLeaveApp } from '@/platform/lifecycle'

export const SAVE_DELAY_MS = 400

export type DraftUpdate = Partial<DraftReport> | ((draft: DraftReport) => Partial<DraftReport>)

export function useDraft(id: string | undefined) {
  const [draft, setDraft] = useState<DraftReport | undefined>(() => (id ? loadDraft(id) : undefined))
  const [missing, setMissing] = useState(false)
  // The latest state is kept in a ref too, so a change can be computed, queued and flushed
  // synchronously (e.g. save the draft before deleting a file it no longer references).
  const latest = useRef<DraftReport | undefined>(draft)
  const pending = useRef<DraftReport | undefined>()
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>()

  useEffect(() => {
    const loaded = id ? loadDraft(id) : undefined
    latest.current = loaded
    setDraft(loaded)
    setMissing(!loaded)
  }, [id])

  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = undefined
    if (pending.current) {
      saveDraft(pending.current)
      pending.current = undefined
    }
  }, [])

  const update = useCallback(
    (change: DraftUpdate) => {
      const current = latest.current
      if (!current) return
      const patch = typeof change === 'function' ? change(current) : change
      const next: DraftReport = { ...current, ...patch, updatedAt: new Date().toISOString() }
      latest.current = next
      pending.current = next
      if (timer.current) clearTimeout(timer.current)
      timer.current = setTimeout(flush, SAVE_DELAY_MS)
      setDraft(next)
    },
    [flush],
  )

  useDidShow(() => {
    if (!id || pending.current) return
    const stored = loadDraft(id)
    if (stored && stored.updatedAt !== latest.current?.updatedAt) {
      latest.current = stored
      setDraft(stored)
    }
  })
  useDidHide(flush)
  useUnload(flush)
  useEffect(() => {
    const stop = onLeaveApp(flush)
    return () => {
      stop()
      flush()
    }
  }, [flush])

  return { draft, missing, update, flush }
}
