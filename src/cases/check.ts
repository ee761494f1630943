/**
 * The launch check of the cases kept on this phone: asks the server for each case's message list
 * (authenticated by the stored A: no key derivation, no decryption) and counts the bureau messages
 * not yet seen here, for the home page's badge. No push, no account: the phone asks, the server
 * learns only that someone holding A looked.
 */
import { fetchCase } from '@/services/case-api'
import { listSavedCases, updateSavedCase } from './saved'

/** Bureau messages of `messages` whose msgId is not in `seen`. */
export function unseenBureauMessages(messages: { msgId: string; from: string }[], seen: readonly string[]): number {
  return messages.filter((m) => m.from === 'bureau' && !seen.includes(m.msgId)).length
}

/** Checks every saved case once; a case that cannot be checked now keeps its last count. Answers the total unread. */
export async function checkSavedCases(now = new Date()): Promise<number> {
  let total = 0
  for (const saved of listSavedCases()) {
    try {
      const view = await fetchCase(saved.auth)
      const unread = unseenBureauMessages(view.messages, saved.seen)
      updateSavedCase(saved.caseId, { unread, checkedAt: now.toISOString() })
      total += unread
    } catch {
      total += saved.unread
    }
  }
  return total
}
