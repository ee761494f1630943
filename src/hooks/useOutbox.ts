/**
 * The outbox as the pages see it: a job (or all jobs) with live progress. Re-renders at most about
 * ten times a second however fast chunks go, so the page stays responsive while sending.
 */
import Taro, { useDidShow } from '@tarojs/taro'
import { useCallback, useEffect, useRef, useState } from 'react'
import { cancelJob, canCancel, jobView, outboxViews, retryNow, subscribe, type JobView } from '@/outbox'
import { listMessageJobs } from '@/outbox/store'
import type { MessageJob } from '@/outbox/types'
import { prefetchPages } from '@/platform/prefetch'
import { pathOf } from '@/routes'
import { messageOf } from '@/services/request'

const RENDER_INTERVAL_MS = 100

export function useOutboxValue<T>(read: () => T): T {
  const readRef = useRef(read)
  readRef.current = read
  const [value, setValue] = useState<T>(read)

  useEffect(() => {
    let last = 0
    let pending: ReturnType<typeof setTimeout> | undefined
    const apply = () => {
      last = Date.now()
      setValue(readRef.current())
    }
    const onChange = () => {
      const since = Date.now() - last
      if (since >= RENDER_INTERVAL_MS) apply()
      else if (pending === undefined) {
        pending = setTimeout(() => {
          pending = undefined
          apply()
        }, RENDER_INTERVAL_MS - since)
      }
    }
    apply()
    const stop = subscribe(onChange)
    return () => {
      stop()
      if (pending !== undefined) clearTimeout(pending)
    }
  }, [])

  useDidShow(() => setValue(readRef.current()))
  return value
}

/** One queued report, live. */
export function useOutboxJob(id: string | undefined): JobView | undefined {
  return useOutboxValue(() => (id ? jobView(id) : undefined))
}

/** The messages of a case still in the outbox (being encrypted, sent, or waiting for the network), live. */
export function useCaseMessageJobs(caseId: string | undefined): MessageJob[] {
  return useOutboxValue(() => (caseId ? listMessageJobs(caseId) : []))
}

/** Every queued report, live. */
export function useOutboxList(): JobView[] {
  const views = useOutboxValue(outboxViews)
  const any = views.length > 0
  useEffect(() => {
    // Queued reports must stay reachable offline (H5 loads pages on first visit).
    if (any) prefetchPages([pathOf('outbox'), pathOf('receipt'), pathOf('submit')])
  }, [any])
  return views
}

/** Retry and cancel, with the confirmation a cancel needs. */
export function useOutboxActions() {
  const [cancelling, setCancelling] = useState(false)

  const retry = useCallback((id: string) => {
    void retryNow(id)
  }, [])

  /** Answers true when the report was withdrawn. */
  const cancel = useCallback(async (view: JobView) => {
    if (!canCancel(view.job)) {
      await Taro.showModal({ title: '无法取消', content: '这份举报已经上传完毕，正在完成提交，不能再取消。', showCancel: false })
      return false
    }
    const { confirm } = await Taro.showModal({
      title: '取消发送这份举报？',
      content: '取消后这份举报不会发送给公安机关。填写的内容会放回“我的草稿”，您可以修改后重新提交，也可以删除。',
      confirmText: '取消发送',
      cancelText: '继续发送',
      confirmColor: '#c62828',
    })
    if (!confirm) return false
    setCancelling(true)
    try {
      const result = await cancelJob(view.job.id)
      if (result === 'too-late') {
        await Taro.showModal({ title: '无法取消', content: '这份举报刚刚上传完毕，正在完成提交，不能再取消。', showCancel: false })
        return false
      }
      Taro.showToast({ title: '已取消发送', icon: 'none' })
      return true
    } catch (error) {
      Taro.showModal({ title: '取消没有成功', content: messageOf(error), showCancel: false })
      return false
    } finally {
      setCancelling(false)
    }
  }, [])

  return { retry, cancel, cancelling }
}
