/** WeChat: the main package holds everything anyway; no async chunks in a mini-program. */
import { checkSavedCases } from '@/cases/check'

export function checkSavedCasesSoon(): void {
  checkSavedCases().catch(() => undefined)
}
