import { useMemo } from 'react'
import { buildTrust } from '@/keys/anchor'
import { groupedKid } from '@/keys/fingerprint'
import { acceptedKeySet } from '@/keys/store'

export interface KeyFingerprints {
  /** kid of the key new reports are encrypted to, in groups of four. */
  encryption?: string
  /** kid of the bureau's signing key built into the app, in groups of four. */
  signing?: string
  /** Sequence of the key list in force (0: the list bundled in the app). */
  sequence: number
}

/** The fingerprints a careful resident or journalist can compare with what the bureau publishes. */
export function useKeyFingerprints(): KeyFingerprints {
  return useMemo(() => {
    const set = acceptedKeySet()
    const current = set.keys.find((k) => k.current)
    const anchor = buildTrust()?.anchor
    return {
      encryption: current ? groupedKid(current.kid) : undefined,
      signing: anchor ? groupedKid(anchor.kid) : undefined,
      sequence: set.sequence,
    }
  }, [])
}
