/** WeChat: the main package holds everything anyway; no async chunks in a mini-program. */
import * as messaging from './message/process'

export function loadMessaging(): Promise<typeof messaging> {
  return Promise.resolve(messaging)
}
