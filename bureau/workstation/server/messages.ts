/**
 * The conversation with the resident (issue 14's case channel). Filled in once the case channel's
 * repository methods and crypto are merged; until then a case has no messages.
 */
import type { MessageView } from '../shared/types'
import type { WorkstationContext } from './app'
import type { CaseEntry } from './vault'

export async function loadMessages(_ctx: WorkstationContext, _entry: CaseEntry): Promise<MessageView[]> {
  return []
}
