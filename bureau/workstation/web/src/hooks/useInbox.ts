/**
 * The inbox: one page of rows from the local server, which searches the decrypted text, filters,
 * sorts and pages (the page never holds the whole inbox). Typing is debounced; an answer is shown
 * only if it is for the latest request.
 */
import { useEffect, useRef, useState } from 'react'
import { DEFAULT_PAGE_SIZE, inboxParams, NO_FILTER, type InboxFilter, type InboxQuery } from '../../../shared/inbox-query'
import type { CasesAnswer } from '../../../shared/types'
import { api } from '../api'

const TYPING_PAUSE_MS = 250

export function useInbox() {
  const [query, setQueryText] = useState('')
  const [filter, setFilterState] = useState<InboxFilter>(NO_FILTER)
  const [sort, setSort] = useState<InboxQuery['sort']>()
  const [paging, setPaging] = useState({ page: 1, pageSize: DEFAULT_PAGE_SIZE })
  const [answer, setAnswer] = useState<CasesAnswer>()
  const [error, setError] = useState<string>()
  const [loading, setLoading] = useState(true)
  const [reloading, setReloading] = useState(false)
  const seq = useRef(0)
  const typed = useRef(false)

  const request: InboxQuery = { q: query, filter, sort, ...paging }
  const params = inboxParams(request)

  const fetchRows = async (p: string) => {
    const mine = ++seq.current
    setLoading(true)
    try {
      const a = await api<CasesAnswer>(`/api/cases?${p}`)
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
    const pause = typed.current && query ? TYPING_PAUSE_MS : 0
    typed.current = false
    const t = setTimeout(() => void fetchRows(params), pause)
    return () => clearTimeout(t)
  }, [params])

  /** Fetches every case again from the server (new reports, status set elsewhere). */
  const reload = async () => {
    setReloading(true)
    try {
      await api('/api/reload', { method: 'POST', body: {} })
      await fetchRows(params)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setReloading(false)
    }
  }

  return {
    query,
    setQuery: (q: string) => {
      typed.current = true
      setQueryText(q)
      setPaging((p) => ({ ...p, page: 1 }))
    },
    filter,
    setFilter: (f: InboxFilter) => {
      setFilterState(f)
      setPaging((p) => ({ ...p, page: 1 }))
    },
    sort,
    setSort,
    paging,
    setPaging,
    rows: answer?.rows ?? [],
    answer,
    /** The answer on screen is for the search typed now. */
    current: answer !== undefined && answer.q === query.slice(0, 200),
    error,
    loading,
    reload,
    reloading,
  }
}
