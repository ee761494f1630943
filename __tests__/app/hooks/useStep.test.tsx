/** @jest-environment jsdom */
import { act, renderHook } from '@testing-library/react'
import Taro, { __reset, __setRouterParams } from '../../mocks/taro'
import { completeDraft, draftOf } from '../support/drafts'
import { loadDraft, saveDraft } from '@/drafts/store'
import { FLOW_STEPS, useStep, type FlowStep } from '@/hooks/useStep'
import { urlOf } from '@/routes'

jest.mock('@/platform/files', () => require('../support/memory-files'))

beforeEach(() => {
  __reset()
})

function open(step: FlowStep, params: Record<string, string>) {
  __setRouterParams(params)
  return renderHook(() => useStep(step))
}

describe('useStep: next()', () => {
  it('blocks an invalid step: keeps the page, lists the errors and toasts the first message', () => {
    saveDraft(draftOf('d1'))
    const { result } = open('details', { id: 'd1' })
    act(() => result.current.next())
    expect(Object.keys(result.current.errors)).toEqual(['happenedAt', 'description'])
    expect(Taro.showToast).toHaveBeenCalledTimes(1)
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '请选择事情发生的时间', icon: 'none', duration: 2500 })
    expect(Taro.redirectTo).not.toHaveBeenCalled()
  })

  it('shows no errors before the first attempt, then follows the input', () => {
    saveDraft(draftOf('d1'))
    const { result } = open('category', { id: 'd1' })
    expect(result.current.errors).toEqual({})
    act(() => result.current.update({ description: 'x' }))
    expect(result.current.errors).toEqual({})
    act(() => result.current.next())
    expect(result.current.errors).toEqual({ category: '请选择举报类别' })
    act(() => result.current.update({ category: 'loan' }))
    expect(result.current.errors).toEqual({})
  })

  it.each(FLOW_STEPS.slice(0, -1).map((step, i) => [step, FLOW_STEPS[i + 1]] as const))(
    'a valid %s step saves and redirects to %s',
    (step, target) => {
      saveDraft(completeDraft('d1'))
      const { result } = open(step, { id: 'd1' })
      act(() => result.current.update({ extra: { freeText: '刚输入' } }))
      act(() => result.current.next())
      expect(Taro.showToast).not.toHaveBeenCalled()
      expect(Taro.redirectTo).toHaveBeenCalledWith({ url: urlOf(target, { id: 'd1' }) })
      // Flushed before leaving, without waiting for the debounce.
      expect(loadDraft('d1')?.extra.freeText).toBe('刚输入')
    },
  )

  it('from=review returns to the review after a valid step', () => {
    saveDraft(completeDraft('d1'))
    const { result } = open('details', { id: 'd1', from: 'review' })
    expect(result.current.fromReview).toBe(true)
    act(() => result.current.next())
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/report/review/index?id=d1' })
  })

  it('does nothing without a draft', () => {
    const { result } = open('category', { id: 'gone' })
    expect(result.current.missing).toBe(true)
    act(() => result.current.next())
    expect(Taro.redirectTo).not.toHaveBeenCalled()
    expect(Taro.showToast).not.toHaveBeenCalled()
  })
})

describe('useStep: back()', () => {
  it.each<[FlowStep, string]>([
    ['details', '/report/category/index?id=d1'],
    ['evidence', '/report/details/index?id=d1'],
    ['review', '/report/declaration/index?id=d1'],
  ])('from %s goes to the previous step', (step, url) => {
    saveDraft(draftOf('d1'))
    const { result } = open(step, { id: 'd1' })
    act(() => result.current.back())
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url })
  })

  it('from the first step goes back to the page that opened the flow', () => {
    saveDraft(draftOf('d1'))
    const { result } = open('category', { id: 'd1' })
    act(() => result.current.back())
    expect(Taro.navigateBack).toHaveBeenCalled()
    expect(Taro.redirectTo).not.toHaveBeenCalled()
  })

  it('falls back to home when there is nothing to go back to', async () => {
    saveDraft(draftOf('d1'))
    Taro.navigateBack.mockRejectedValueOnce({ errMsg: 'navigateBack:fail cannot navigate back at first page.' })
    const { result } = open('category', { id: 'd1' })
    await act(async () => result.current.back())
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/index/index' })
  })

  it('with from=review returns to the review, keeping what was typed', () => {
    saveDraft(draftOf('d1'))
    const { result } = open('reporter', { id: 'd1', from: 'review' })
    act(() => result.current.update({ description: '改过的内容' }))
    act(() => result.current.back())
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/report/review/index?id=d1' })
    expect(loadDraft('d1')?.description).toBe('改过的内容')
  })
})
