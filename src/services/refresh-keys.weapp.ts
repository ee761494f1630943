/** WeChat: the main package holds everything anyway; no async chunks in a mini-program. */
import { refreshKeyList } from './key-list'

export function refreshKeyListSoon(): void {
  refreshKeyList().catch(() => undefined)
}
