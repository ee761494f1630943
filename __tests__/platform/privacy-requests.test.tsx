/** @jest-environment jsdom */
/**
 * The bridge from WeChat's global privacy request to the dialog on the page
 * (src/services/privacy-requests.ts), wired to the WeChat implementation of the platform hook.
 * The bridge keeps module state, so the tests run in order against one started bridge.
 */
import { act, fireEvent, render, renderHook, screen } from '@testing-library/react'
import Taro, { __storage } from '../mocks/taro'
import { PrivacyDialog } from '@/components/PrivacyDialog'
import { answerPrivacyRequest, privacyDeclined, startPrivacyBridge, usePrivacyRequest } from '@/services/privacy-requests'

jest.mock('@/platform/privacy', () => require('@/platform/privacy.weapp'))

type Resolve = jest.Mock<void, [{ event: 'agree' | 'disagree'; buttonId?: string }]>

function wechatAsks(): Resolve {
  const handler = Taro.onNeedPrivacyAuthorization.mock.calls[0][0] as (resolve: Resolve) => void
  const resolve: Resolve = jest.fn()
  act(() => handler(resolve))
  return resolve
}

beforeAll(() => {
  startPrivacyBridge()
  startPrivacyBridge()
})

beforeEach(() => {
  __storage.clear()
})

describe('privacy request bridge', () => {
  it('registers with WeChat once, however often it is started', () => {
    expect(Taro.onNeedPrivacyAuthorization).toHaveBeenCalledTimes(1)
  })

  it('nothing is asked before WeChat asks', () => {
    const { result } = renderHook(() => usePrivacyRequest())
    expect(result.current).toBe(false)
    expect(privacyDeclined()).toBe(false)
  })

  it('agreeing answers WeChat, remembers the decision and closes the dialog', () => {
    const { result } = renderHook(() => usePrivacyRequest())
    const resolve = wechatAsks()
    expect(result.current).toBe(true)
    act(() => answerPrivacyRequest(true))
    expect(resolve).toHaveBeenCalledWith({ event: 'agree', buttonId: 'privacy-agree' })
    expect(result.current).toBe(false)
    expect(privacyDeclined()).toBe(false)
    expect(JSON.parse(__storage.get('privacy/decision')!)).toMatchObject({ agreed: true })
  })

  it('declining answers disagree and is remembered so the page can explain', () => {
    const resolve = wechatAsks()
    act(() => answerPrivacyRequest(false))
    expect(resolve).toHaveBeenCalledWith({ event: 'disagree' })
    expect(privacyDeclined()).toBe(true)
  })

  it('a second answer does not resolve the same request twice', () => {
    const resolve = wechatAsks()
    act(() => answerPrivacyRequest(true))
    act(() => answerPrivacyRequest(true))
    expect(resolve).toHaveBeenCalledTimes(1)
  })

  it('the dialog appears when WeChat asks; its buttons answer', () => {
    render(<PrivacyDialog />)
    expect(screen.queryByRole('dialog')).toBeNull()
    const first = wechatAsks()
    expect(screen.getByRole('dialog').textContent).toContain('不同意也可以继续举报')
    const agree = screen.getByText('同意')
    // WeChat only accepts the consent from the button it was told about.
    expect(agree.id).toBe('privacy-agree')
    expect(agree.getAttribute('data-open-type')).toBe('agreePrivacyAuthorization')
    fireEvent.click(agree)
    expect(first).toHaveBeenCalledTimes(1)
    expect(first).toHaveBeenCalledWith({ event: 'agree', buttonId: 'privacy-agree' })
    expect(screen.queryByRole('dialog')).toBeNull()

    const second = wechatAsks()
    fireEvent.click(screen.getByText('不同意'))
    expect(second).toHaveBeenCalledWith({ event: 'disagree' })
    expect(screen.queryByRole('dialog')).toBeNull()
  })
})
