/**
 * The cases kept on this phone, live (src/cases/saved.ts): the case page's list, and the home
 * page's badge of bureau messages not seen yet (counted by the launch check). No crypto here:
 * the home page's first load reaches this module.
 */
import { useEffect, useState } from 'react'
import { listSavedCases, onSavedCasesChange, type SavedCase } from '@/cases/saved'

export function useSavedCases(): SavedCase[] {
  const [list, setList] = useState(listSavedCases)
  useEffect(() => onSavedCasesChange(() => setList(listSavedCases())), [])
  return list
}

/** New bureau messages over every saved case. */
export function useUnreadTotal(): number {
  return useSavedCases().reduce((n, c) => n + c.unread, 0)
}
