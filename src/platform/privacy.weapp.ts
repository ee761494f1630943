/**
 * WeChat asks the app to obtain the user's consent before privacy-relevant APIs (chooseMedia,
 * chooseMessageFile) run; the app must answer through the resolve callback it receives.
 */
import Taro from '@tarojs/taro'

export type PrivacyRequest = (answer: (agreed: boolean) => void) => void

export function listenForPrivacyRequests(onRequest: PrivacyRequest): () => void {
  const handler = (resolve: (result: { event: 'agree' | 'disagree'; buttonId?: string }) => void) => {
    onRequest((agreed) => resolve(agreed ? { event: 'agree', buttonId: 'privacy-agree' } : { event: 'disagree' }))
  }
  if (typeof Taro.onNeedPrivacyAuthorization === 'function') Taro.onNeedPrivacyAuthorization(handler as never)
  return () => undefined
}
