/**
 * Browser (H5): the check of saved cases at launch is a separate chunk, fetched after the first
 * screen (and only when a case is kept on this phone), so that the home page's first load stays
 * small (npm run size). Offline, the badge keeps the count of the last check.
 */
import { hasSavedCases } from '@/cases/saved-index'

export function checkSavedCasesSoon(): void {
  if (!hasSavedCases()) return
  import('@/cases/check')
    .then((m) => m.checkSavedCases())
    .catch(() => undefined)
}
