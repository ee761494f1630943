/**
 * The receipt page's logic: the receipt of an accepted report, copying it, and the confirmation
 * that it was saved. Only after that confirmation are the draft and the encrypted copies deleted;
 * until then the home page keeps pointing here, so a receipt is never lost.
 */
import Taro, { useRouter } from '@tarojs/taro'
import { useCallback, useEffect, useState } from 'react'
import { saveCase } from '@/cases/saved'
import { confirmReceipt, groupReceipt } from '@/outbox'
import { goHome } from '@/navigation'
import { guardLeaving } from '@/platform/leave-guard'
import { useOutboxJob } from './useOutbox'

export const LEAVE_WARNING = '查询码只显示在这里，离开前请确认已经抄下或截图保存。'

export function useReceipt() {
  const { params } = useRouter()
  const view = useOutboxJob(params.id)
  const [confirmed, setConfirmed] = useState(false)
  /** The "确认已保存查询码？" dialog is open. */
  const [asking, setAsking] = useState(false)
  /** 在本机保存查询码: off unless the resident turns it on (anyone holding the phone could then open the case). */
  const [keep, setKeep] = useState(false)
  const accepted = view?.job.phase === 'done'
  const receipt = accepted ? view!.job.receipt : undefined

  // WeChat: the back button asks first while the receipt is not confirmed.
  useEffect(() => {
    if (!accepted || confirmed) return undefined
    return guardLeaving(LEAVE_WARNING)
  }, [accepted, confirmed])

  const copy = useCallback(async () => {
    if (!receipt) return
    try {
      await Taro.setClipboardData({ data: receipt })
      Taro.showToast({ title: '查询码已复制', icon: 'none' })
    } catch {
      Taro.showToast({ title: '复制没有成功，请手动抄写', icon: 'none' })
    }
  }, [receipt])

  /** "我已保存": asks once more, in the page's own dialog (it keeps the code's groups whole). */
  const saved = useCallback(() => {
    if (view && accepted) setAsking(true)
  }, [view, accepted])

  const cancelSaved = useCallback(() => setAsking(false), [])

  const confirmSaved = useCallback(async () => {
    if (!view || !accepted) return
    setAsking(false)
    const { job } = view
    // Kept only on an explicit choice, with what was derived while encrypting (no second KDF).
    if (keep && job.caseKeys && job.submissionId && job.receipt) saveCase({ caseId: job.submissionId, receipt: job.receipt, auth: job.caseKeys.auth, seed: job.caseKeys.seed })
    await confirmReceipt(view.job.id)
    setConfirmed(true)
    goHome()
  }, [view, accepted, keep])

  /** A report queued before the case channel has no derived keys to keep. */
  const canKeep = !!view?.job.caseKeys

  return { view, receipt, grouped: receipt ? groupReceipt(receipt) : undefined, copy, saved, asking, cancelSaved, confirmSaved, keep, setKeep, canKeep }
}
