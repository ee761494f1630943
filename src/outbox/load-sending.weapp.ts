/** WeChat: the main package holds everything anyway; no async chunks in a mini-program. */
import * as sending from './sending'

export function loadSending(): Promise<typeof sending> {
  return Promise.resolve(sending)
}
