/**
 * Applies a QR-code or link entry (branch and/or category preselected) once, when the home page
 * opens: a new draft is created with the preselection and the flow opens at the first open step.
 */
import { useRouter } from '@tarojs/taro'
import { useEffect, useRef } from 'react'
import { parseEntry } from '@/domain/entry'
import { createDraft } from '@/drafts/store'
import { replace } from '@/navigation'
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
    createDraft({ branch: target.branch, category: target.category }).then((draft) =>
      replace(target.category ? 'details' : 'category', { id: draft.id }),
    )
  }, [hasTarget, target.branch, target.category])

  return hasTarget
}
