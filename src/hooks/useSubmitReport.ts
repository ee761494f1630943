/**
 * The review page's submit: checks the report is complete and the campaign is accepting reports,
 * puts it in the outbox (which encrypts and sends it) and opens the progress page.
 */
import Taro, { useDidShow } from '@tarojs/taro'
import { useCallback, useEffect, useRef, useState } from 'react'
import { campaignState } from '@/domain/campaign'
import type { CampaignConfig, DraftReport } from '@/domain/types'
import { replace } from '@/navigation'
import { hasJob, startSubmission } from '@/outbox'
import { prefetchPages } from '@/platform/prefetch'
import { pathOf } from '@/routes'
import { messageOf } from '@/services/request'

export function useSubmitReport(draft: DraftReport | undefined, ready: boolean, config: CampaignConfig) {
  const [submitting, setSubmitting] = useState(false)
  /** Already handed to the outbox (e.g. the resident came back here): submit only shows its progress. */
  const [queued, setQueued] = useState(() => !!draft && hasJob(draft.id))
  const busy = useRef(false)
  const draftId = draft?.id
  useEffect(() => setQueued(!!draftId && hasJob(draftId)), [draftId])
  useDidShow(() => setQueued(!!draftId && hasJob(draftId)))

  // The pages a submission may need must open without network (H5 loads pages on first visit).
  useEffect(() => {
    prefetchPages([pathOf('submit'), pathOf('outbox'), pathOf('receipt'), pathOf('home')])
  }, [])

  const submit = useCallback(async () => {
    if (!draft || busy.current) return
    if (hasJob(draft.id)) {
      await replace('submit', { id: draft.id })
      return
    }
    if (!ready) {
      Taro.showToast({ title: '请先完成标红的部分', icon: 'none' })
      return
    }
    if (!campaignState(config.campaign, new Date()).acceptingReports) {
      Taro.showModal({
        title: '暂不受理在线举报',
        content: '目前不在专项行动受理时间内，无法在线提交。您的举报已保存为草稿。如需报警请拨打 110。',
        showCancel: false,
      })
      return
    }
    busy.current = true
    setSubmitting(true)
    try {
      const job = await startSubmission(draft.id)
      await replace('submit', { id: job.id })
    } catch (error) {
      Taro.showModal({ title: '没有提交成功', content: `${messageOf(error).replace(/。$/, '')}。您的举报仍保存为草稿。`, showCancel: false })
    } finally {
      busy.current = false
      setSubmitting(false)
    }
  }, [draft, ready, config])

  return { submit, submitting, queued }
}
