/** The inbox: decrypted rows from the local server, search over the decrypted text (debounced), filters. */
import { useEffect, useMemo, useRef, useState } from 'react'
import type { CaseRow } from '../../../shared/types'
import { api } from '../api'
import { filterRows, newestFirst, NO_FILTER, type InboxFilter } from '../inbox-filter'

interface CasesAnswer {
  rows: CaseRow[]
  refused: string[]
  searchMs: number
  loadedAt: number
  total: number
  /** Why the cases could not be (re)loaded from the server. */
  loadError?: string
}

export function useInbox() {
  const [query, setQuery] = useState('')
  const [filter, setFilter] = useState<InboxFilter>(NO_FILTER)
  const [answer, setAnswer] = useState<CasesAnswer>()
  const [error, setError] = useState<string>()
  const [loading, setLoading] = useState(true)
  const [reloading, setReloading] = useState(false)
  const seq = useRef(0)

  const fetchRows = async (q: string) => {
    const mine = ++seq.current
    setLoading(true)
    try {
      const a = await api<CasesAnswer>(`/api/cases?q=${encodeURIComponent(q)}`)
      if (mine === seq.current) {
        setAnswer(a)
        setError(undefined)
      }
    } catch (e) {
      if (mine === seq.current) setError((e as Error).message)
    } finally {
      if (mine === seq.current) setLoading(false)
    }
  }

  useEffect(() => {
    const t = setTimeout(() => void fetchRows(query), query ? 250 : 0)
    return () => clearTimeout(t)
  }, [query])

  /** Fetches every case again from the server (new reports, status set elsewhere). */
  const reload = async () => {
    setReloading(true)
    try {
      await api('/api/reload', { method: 'POST', body: {} })
      await fetchRows(query)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setReloading(false)
    }
  }

  const rows = useMemo(() => filterRows(newestFirst(answer?.rows ?? []), filter), [answer, filter])
  return { query, setQuery, filter, setFilter, rows, answer, error, loading, reload, reloading }
}
