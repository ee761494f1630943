/** The cases kept on this phone, live (src/cases/saved.ts): the case page's list. */
import { useEffect, useState } from 'react'
import { listSavedCases, onSavedCasesChange, type SavedCase } from '@/cases/saved'

export function useSavedCases(): SavedCase[] {
  const [list, setList] = useState(listSavedCases)
  useEffect(() => onSavedCasesChange(() => setList(listSavedCases())), [])
  return list
}
