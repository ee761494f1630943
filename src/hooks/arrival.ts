/**
 * A step to open on top of the first step once that page is on screen (a QR entry with a
 * category lands on the details step with the category step under it). Held in memory only, and
 * taken once: a reload or a later Back to the first step does not forward again.
 */
import type { FlowStep } from './useStep'

let pending: { id: string; step: FlowStep } | undefined

export function forwardOnArrival(id: string, step: FlowStep): void {
  pending = { id, step }
}

/** The step to forward to for this draft, once; undefined afterwards or for another draft. */
export function takeArrival(id: string): FlowStep | undefined {
  if (pending?.id !== id) return undefined
  const { step } = pending
  pending = undefined
  return step
}
