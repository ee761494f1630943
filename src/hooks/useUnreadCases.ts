/**
 * The home page's badge: new bureau messages over every case kept on this phone, as counted by
 * the launch check. Only src/cases/saved-index.ts: nothing more in the home page's first load.
 */
import { useEffect, useState } from 'react'
import { onSavedCasesChange, unreadTotal } from '@/cases/saved-index'

export function useUnreadTotal(): number {
  const [total, setTotal] = useState(unreadTotal)
  useEffect(() => onSavedCasesChange(() => setTotal(unreadTotal())), [])
  return total
}
