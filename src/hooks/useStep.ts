/**
 * The logic of one step of the report flow: which draft, validation before leaving, and where
 * "next" and "back" lead. Pages stay thin and only render.
 */
import Taro, { useRouter } from '@tarojs/taro'
import { useCallback, useEffect, useState } from 'react'
import { STEPS, validateStep, type StepId } from '@/domain/draft-model'
import { replace } from '@/navigation'
import { useCampaignConfig } from './useCampaignConfig'
import { useDraft } from './useDraft'

export type FlowStep = StepId | 'review'

/** The six steps that make a report complete, then the review screen. */
export const FLOW_STEPS: readonly FlowStep[] = [...STEPS, 'review']

/** Page titles of the flow (the domain's STEP_TITLES are the short section names). */
export const FLOW_TITLES: Record<FlowStep, string> = {
  category: '选择举报类别',
  details: '描述受害经过',
  evidence: '上传证明材料',
  branch: '选择受理单位',
  reporter: '举报人信息',
  declaration: '真实性声明',
  review: '核对举报内容',
}

export function useStep(step: FlowStep) {
  const { params } = useRouter()
  const id = params.id
  const fromReview = params.from === 'review'
  const { draft, missing, update, flush } = useDraft(id)
  const config = useCampaignConfig()
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [attempted, setAttempted] = useState(false)

  const validate = useCallback(() => {
    if (!draft || step === 'review') return {}
    return validateStep(step, draft, config, new Date())
  }, [draft, step, config])

  // After a first failed attempt, messages follow the input so they disappear once fixed.
  useEffect(() => {
    if (attempted) setErrors(validate())
  }, [attempted, validate])

  const next = useCallback(() => {
    if (!draft) return
    const found = validate()
    setAttempted(true)
    setErrors(found)
    const messages = Object.values(found)
    if (messages.length > 0) {
      Taro.showToast({ title: messages[0], icon: 'none', duration: 2500 })
      return
    }
    flush()
    const target = fromReview ? 'review' : FLOW_STEPS[FLOW_STEPS.indexOf(step) + 1]
    if (target) replace(target, { id: draft.id })
  }, [draft, validate, flush, fromReview, step])

  const back = useCallback(() => {
    flush()
    const previous = FLOW_STEPS[FLOW_STEPS.indexOf(step) - 1]
    if (fromReview) replace('review', { id })
    else if (previous) replace(previous, { id })
    else Taro.navigateBack().catch(() => replace('home'))
  }, [flush, fromReview, id, step])

  return { draft, missing, update, flush, errors, next, back, config, fromReview }
}
