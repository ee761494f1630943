/**
 * Applies a QR-code or link entry (branch and/or category preselected) once, when the home page
 * opens: a new draft is created with the preselection and the flow opens at the first open step,
 * with the steps before it underneath so that Back leads through them.
 */
import { useRouter } from '@tarojs/taro'
import { useEffect, useRef } from 'react'
import { parseEntry } from '@/domain/entry'
import { createDraft } from '@/drafts/store'
import { replace } from '@/navigation'
import { forwardOnArrival } from './arrival'
import { useCampaignConfig } from './useCampaignConfig'

export function useEntry(): boolean {
  const { params } = useRouter()
  const config = useCampaignConfig()
  const applied = useRef(false)
  const target = parseEntry({ scene: params.scene, q: params.q, query: params }, config)
  const hasTarget = !!(target.branch || target.category)

  useEffect(() => {
    if (!hasTarget || applied.current) return
    applied.current = true
    // The category step goes under the details step, so Back from details shows the category:
    // the category page opens the details step on top of itself once it is on screen (opening
    // both at once races in Taro's H5 router).
    createDraft({ branch: target.branch, category: target.category }).then((draft) => {
      if (target.category) forwardOnArrival(draft.id, 'details')
      return replace('category', { id: draft.id })
    })
  }, [hasTarget, target.branch, target.category])

  return hasTarget
}
