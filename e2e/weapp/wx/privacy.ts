/**
 * Privacy authorization (https://developers.weixin.qq.com/miniprogram/dev/framework/user-privacy/PrivacyAuthorize.html,
 * https://developers.weixin.qq.com/miniprogram/dev/api/open-api/privacy/wx.onNeedPrivacyAuthorization.html):
 * - a privacy API (chooseMedia, chooseMessageFile, …) or wx.requirePrivacyAuthorize called before
 *   the user agreed waits while the app's onNeedPrivacyAuthorization listener shows its dialog;
 *   several waiting calls share one request;
 * - resolve({ event: 'agree', buttonId }) continues them, but only if the user really tapped a
 *   <button open-type="agreePrivacyAuthorization"> with that id ("基础库会检查对应的同意按钮是否被
 *   点击过"); otherwise the calls fail and a violation is reported;
 * - resolve({ event: 'disagree' }) fails them with "privacy permission is not authorized"
 *   (errno 104); the next privacy API asks again;
 * - once agreed, WeChat remembers it for the user (Device.privacyAgreed survives kills);
 * - without a listener WeChat shows its own popup: the test must script it (Device.privacyPopup).
 * getPrivacySetting tells needAuthorization.
 */
import type { Device } from '../device'
import { asyncApi, WxFail, type ApiContext } from './api'

type Resolve = (result: { event?: unknown; buttonId?: unknown }) => void

export function createPrivacy(ctx: ApiContext, device: Device) {
  let listener: ((resolve: Resolve, info: { referrer: string }) => void) | undefined
  let pending: Promise<void> | undefined
  const tapped = new Set<string>()
  const log: { referrer: string; answer?: string }[] = []
  let popupAnswers: ('agree' | 'disagree')[] = []

  const ask = (referrer: string): Promise<void> => {
    if (device.privacyAgreed) return Promise.resolve()
    if (pending) return pending
    const entry: { referrer: string; answer?: string } = { referrer }
    log.push(entry)
    tapped.clear()
    pending = new Promise<void>((done, refuse) => {
      const finish = (agreed: boolean) => {
        pending = undefined
        entry.answer = agreed ? 'agree' : 'disagree'
        if (agreed) {
          device.privacyAgreed = true
          done()
        } else refuse(new WxFail('privacy permission is not authorized', 104))
      }
      if (!listener) {
        const answer = popupAnswers.shift()
        if (!answer) {
          ctx.violation(`${referrer}: WeChat's own privacy popup opened (no onNeedPrivacyAuthorization listener) and the test scripted no answer`)
          finish(false)
        } else finish(answer === 'agree')
        return
      }
      let answered = false
      const resolve: Resolve = (result) => {
        if (answered) return
        const event = result?.event
        if (event === 'exposureAuthorization') return
        answered = true
        if (event === 'agree') {
          const id = String(result?.buttonId ?? '')
          if (!tapped.has(id)) {
            ctx.violation(`privacy: resolve({ event: 'agree', buttonId: '${id}' }) but no <button open-type="agreePrivacyAuthorization" id="${id}"> was tapped`)
            finish(false)
            return
          }
          finish(true)
        } else finish(false)
      }
      const current = listener
      ctx.realm.later('onNeedPrivacyAuthorization listener', () => current(resolve, ctx.realm.copyIn({ referrer })))
    })
    return pending
  }

  return {
    ask,
    log,
    /** The user tapped a button with open-type agreePrivacyAuthorization (before its events run). */
    agreeButtonTapped(id: string) {
      tapped.add(id)
    },
    /** Answers for WeChat's own popup, when the app registers no listener. */
    scriptPopup(...answers: ('agree' | 'disagree')[]) {
      popupAnswers = [...popupAnswers, ...answers]
    },
    api: {
      onNeedPrivacyAuthorization: (fn: unknown) => {
        if (typeof fn === 'function') listener = fn as typeof listener
      },
      requirePrivacyAuthorize: asyncApi(ctx, 'requirePrivacyAuthorize', () => ask('requirePrivacyAuthorize')),
      getPrivacySetting: asyncApi(ctx, 'getPrivacySetting', () => ({ needAuthorization: !device.privacyAgreed, privacyContractName: '《小程序隐私保护指引》' })),
      openPrivacyContract: asyncApi(ctx, 'openPrivacyContract', () => undefined),
    },
  }
}
