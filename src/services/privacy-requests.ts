/**
 * Bridges WeChat's global privacy-authorization request to whichever page shows the dialog, and
 * remembers the user's decision so a decline can be explained ("text-only reports still work").
 */
import { useEffect, useState } from 'react'
import { listenForPrivacyRequests } from '@/platform/privacy'
import { readKey, writeKey } from '@/platform/storage'

let pendingAnswer: ((agreed: boolean) => void) | undefined
const listeners = new Set<() => void>()
let started = false

export function startPrivacyBridge(): void {
  if (started) return
  started = true
  listenForPrivacyRequests((answer) => {
    pendingAnswer = answer
    listeners.forEach((notify) => notify())
  })
}

export function answerPrivacyRequest(agreed: boolean): void {
  writeKey('privacy/decision', { agreed, at: new Date().toISOString() })
  const answer = pendingAnswer
  pendingAnswer = undefined
  answer?.(agreed)
  listeners.forEach((notify) => notify())
}

export function privacyDeclined(): boolean {
  return readKey('privacy/decision')?.agreed === false
}

/** Whether a privacy request is waiting for the user's answer right now. */
export function usePrivacyRequest(): boolean {
  const [asking, setAsking] = useState(!!pendingAnswer)
  useEffect(() => {
    const notify = () => setAsking(!!pendingAnswer)
    listeners.add(notify)
    return () => {
      listeners.delete(notify)
    }
  }, [])
  return asking
}
