/**
 * The conversation with the resident (issue 14's case channel). The case channel (reply sealer
 * with the resident's reply key, message endpoints) is built on the `case-server` branch; until it
 * is merged here, a case has no messages and the reply action is disabled in the page.
 */
import type { MessageView } from '../shared/types'
import type { WorkstationContext } from './app'
import type { CaseEntry } from './vault'

/** Whether this build can read and send case-channel messages. */
export const CASE_CHANNEL_AVAILABLE = false

export async function loadMessages(_ctx: WorkstationContext, _entry: CaseEntry): Promise<MessageView[]> {
  return []
}
