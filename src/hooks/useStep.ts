/**
 * The logic of one step of the report flow: which draft, validation before leaving, and where
 * "next" and "back" lead. Pages stay thin and only render.
 */
import Taro, { useRouter } from '@tarojs/taro'
import { useCallback, useEffect, useState } from 'react'
import { fieldDomId } from '@/components/field-id'
import { STEPS, validateStep, type StepId } from '@/domain/draft-model'
import { backTo, forward, goHome } from '@/navigation'
import { scrollToElement } from '@/platform/scroll-to'
import { takeArrival } from './arrival'
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

function isFlowStep(x: unknown): x is FlowStep {
  return typeof x === 'string' && (FLOW_STEPS as readonly string[]).includes(x)
}

/**
 * Each step is opened on top of the previous one, so Back (the button, the phone's, the
 * browser's) returns to the previous step with the same draft. A step opened to change one
 * thing (`?from=review`, `?from=details`) returns there instead of going on.
 */
export function useStep(step: FlowStep) {
  const { params } = useRouter()
  const id = params.id
  const from = isFlowStep(params.from) && params.from !== step ? params.from : undefined
  const fromReview = from === 'review'
  const { draft, missing, update, flush } = useDraft(id)
  const config = useCampaignConfig()
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [attempted, setAttempted] = useState(false)

  const validate = useCallback(() => {
    if (!draft || step === 'review') return {}
    return validateStep(step, draft, config, new Date())
  }, [draft, step, config])

  // Arrived from a QR entry that also chose the category: go on to the details step, on top.
  const draftId = draft?.id
  useEffect(() => {
    const onward = draftId ? takeArrival(draftId) : undefined
    if (onward && draftId) forward(onward, { id: draftId })
  }, [draftId])

  // After a first failed attempt, messages follow the input so they disappear once fixed.
  useEffect(() => {
    if (attempted) setErrors(validate())
  }, [attempted, validate])

  const next = useCallback(() => {
    if (!draft) return
    const found = validate()
    setAttempted(true)
    setErrors(found)
    const fields = Object.keys(found)
    if (fields.length > 0) {
      Taro.showToast({ title: found[fields[0]], icon: 'none', duration: 2500 })
      // The first field to fix (the validators list them in page order), on screen and focused.
      scrollToElement(fieldDomId(fields[0]))
      return
    }
    flush()
    if (from) {
      backTo(from, { id: draft.id })
      return
    }
    const target = FLOW_STEPS[FLOW_STEPS.indexOf(step) + 1]
    if (target) forward(target, { id: draft.id })
  }, [draft, validate, flush, from, step])

  const back = useCallback(() => {
    flush()
    const previous = FLOW_STEPS[FLOW_STEPS.indexOf(step) - 1]
    if (from) backTo(from, { id })
    else if (previous) backTo(previous, { id })
    else Taro.navigateBack().catch(() => goHome())
  }, [flush, from, id, step])

  return { draft, missing, update, flush, errors, next, back, config, from, fromReview }
}
