/**
 * Browser (H5): the check of saved cases at launch is a separate chunk, fetched after the first
 * screen, so that the home page's first load stays small (npm run size). Offline, the badge keeps
 * the count of the last check.
 */
export function checkSavedCasesSoon(): void {
  import('@/cases/check')
    .then((m) => m.checkSavedCases())
    .catch(() => undefined)
}
