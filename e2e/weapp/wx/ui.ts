/**
 * Native dialogs, recorded and answered by the test.
 * - wx.showModal (https://developers.weixin.qq.com/miniprogram/dev/api/ui/interaction/wx.showModal.html):
 *   stays open until the test taps one of its buttons (mp.tapModal) or a scripted answer
 *   (scriptModal) takes it; confirmText / cancelText longer than 4 characters fail, as WeChat
 *   documents ("最多 4 个字符"), and are reported; answers { confirm, cancel }.
 * - wx.showToast (https://developers.weixin.qq.com/miniprogram/dev/api/ui/interaction/wx.showToast.html):
 *   recorded; with an icon (success / error / loading) WeChat shows at most 7 Chinese characters
 *   of the title, so a longer title is cut on screen and reported.
 * - wx.showLoading / hideLoading / hideToast: recorded.
 * Every modal and toast stays in `history` for assertions.
 */
import { asyncApi, WxFail, type ApiContext } from './api'

export interface ModalRecord {
  title: string
  content: string
  showCancel: boolean
  confirmText: string
  cancelText: string
  answer?: 'confirm' | 'cancel'
}

export interface ToastRecord {
  kind: 'toast' | 'loading'
  title: string
  icon: string
}

const TEXT_MAX = 4
const ICON_TITLE_MAX = 7

export function createUi(ctx: ApiContext) {
  const modals: ModalRecord[] = []
  const open: { record: ModalRecord; answer: (confirm: boolean) => void }[] = []
  const toasts: ToastRecord[] = []
  const scripted: ((m: ModalRecord) => boolean | undefined)[] = []

  const showModal = asyncApi(ctx, 'showModal', (o) => {
    const record: ModalRecord = {
      title: String(o.title ?? ''),
      content: String(o.content ?? ''),
      showCancel: o.showCancel !== false,
      confirmText: String(o.confirmText ?? '确定'),
      cancelText: String(o.cancelText ?? '取消'),
    }
    for (const key of ['confirmText', 'cancelText'] as const) {
      if ([...record[key]].length > TEXT_MAX) {
        ctx.violation(`showModal: ${key} "${record[key]}" is longer than ${TEXT_MAX} characters`)
        throw new WxFail(`${key} length should not larger than 4 Chinese characters`)
      }
    }
    modals.push(record)
    return new Promise<Record<string, unknown>>((resolve) => {
      const answer = (confirm: boolean) => {
        record.answer = confirm ? 'confirm' : 'cancel'
        const i = open.findIndex((m) => m.record === record)
        if (i >= 0) open.splice(i, 1)
        resolve({ confirm, cancel: !confirm })
      }
      const script = scripted.shift()
      const decided = script?.(record)
      if (decided !== undefined) answer(decided)
      else open.push({ record, answer })
    })
  })

  const showToast = asyncApi(ctx, 'showToast', (o) => {
    const title = String(o.title ?? '')
    const icon = String(o.icon ?? 'success')
    if (icon !== 'none' && [...title].length > ICON_TITLE_MAX) ctx.violation(`showToast: with icon "${icon}" WeChat shows at most ${ICON_TITLE_MAX} characters; "${title}" is cut on screen`)
    toasts.push({ kind: 'toast', title, icon })
  })

  return {
    modals,
    toasts,
    /** Modals on screen now, oldest first. */
    openModals: () => open.map((m) => m.record),
    /** Taps a button of the modal on top ("确定"/"取消" or its custom texts). */
    tapModal(label: string): ModalRecord {
      const top = open[0]
      if (!top) throw new Error(`tapModal("${label}"): no modal is open`)
      const r = top.record
      if (label === r.confirmText) top.answer(true)
      else if (r.showCancel && label === r.cancelText) top.answer(false)
      else throw new Error(`tapModal("${label}"): the modal "${r.title}" has buttons ${r.showCancel ? `"${r.cancelText}", ` : ''}"${r.confirmText}"`)
      return r
    },
    /** Answers the next modal without waiting for it (true = confirm). */
    scriptModal(answer: (m: ModalRecord) => boolean | undefined) {
      scripted.push(answer)
    },
    api: {
      showModal,
      showToast,
      hideToast: asyncApi(ctx, 'hideToast', () => undefined),
      showLoading: asyncApi(ctx, 'showLoading', (o) => void toasts.push({ kind: 'loading', title: String(o.title ?? ''), icon: 'loading' })),
      hideLoading: asyncApi(ctx, 'hideLoading', () => undefined),
      showActionSheet: asyncApi(ctx, 'showActionSheet', () => {
        throw new Error('wx.showActionSheet is not faked by e2e/weapp (add it to wx/ui.ts)')
      }),
    },
  }
}
