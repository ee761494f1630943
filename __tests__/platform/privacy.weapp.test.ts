/** WeChat's privacy-authorization hook (src/platform/privacy.weapp.ts). */
import Taro, { __reset } from '../mocks/taro'
import { listenForPrivacyRequests } from '@/platform/privacy.weapp'
import { listenForPrivacyRequests as listenInBrowser } from '@/platform/privacy'

type Resolve = (result: { event: 'agree' | 'disagree'; buttonId?: string }) => void

beforeEach(__reset)

function registeredHandler(): (resolve: Resolve, info?: unknown) => void {
  expect(Taro.onNeedPrivacyAuthorization).toHaveBeenCalledTimes(1)
  return Taro.onNeedPrivacyAuthorization.mock.calls[0][0] as (resolve: Resolve) => void
}

describe('listenForPrivacyRequests (weapp)', () => {
  it.each<[boolean, Parameters<Resolve>[0]]>([
    [true, { event: 'agree', buttonId: 'privacy-agree' }],
    [false, { event: 'disagree' }],
  ])('answer(%s) resolves WeChat\'s request with %j', (agreed, expected) => {
    const onRequest = jest.fn()
    listenForPrivacyRequests(onRequest)
    const resolve = jest.fn()
    registeredHandler()(resolve, { referrer: 'chooseMedia' })
    expect(onRequest).toHaveBeenCalledTimes(1)
    expect(resolve).not.toHaveBeenCalled()
    const answer = onRequest.mock.calls[0][0] as (agreed: boolean) => void
    answer(agreed)
    expect(resolve).toHaveBeenCalledWith(expected)
  })

  it('the agree button id matches the dialog\'s button', () => {
    const { readFileSync } = require('fs') as typeof import('fs')
    const dialog = readFileSync(require.resolve('@/components/PrivacyDialog'), 'utf8')
    expect(dialog).toContain('id="privacy-agree"')
    expect(dialog).toContain('openType="agreePrivacyAuthorization"')
  })

  it('does nothing on a base library without the API', () => {
    const saved = Taro.onNeedPrivacyAuthorization
    ;(Taro as { onNeedPrivacyAuthorization?: unknown }).onNeedPrivacyAuthorization = undefined
    try {
      expect(() => listenForPrivacyRequests(jest.fn())()).not.toThrow()
    } finally {
      Taro.onNeedPrivacyAuthorization = saved
    }
  })
})

describe('listenForPrivacyRequests (browser)', () => {
  it('never asks', () => {
    const onRequest = jest.fn()
    listenInBrowser(onRequest)()
    expect(onRequest).not.toHaveBeenCalled()
    expect(Taro.onNeedPrivacyAuthorization).not.toHaveBeenCalled()
  })
})
