/** @jest-environment jsdom */
import { act, renderHook } from '@testing-library/react'
import Taro, { __pages, __reset, __setRouterParams } from '../../mocks/taro'
import { completeDraft, draftOf } from '../support/drafts'
import { loadDraft, saveDraft } from '@/drafts/store'
import { forwardOnArrival } from '@/hooks/arrival'
import { FLOW_STEPS, useStep, type FlowStep } from '@/hooks/useStep'
import { urlOf } from '@/routes'

jest.mock('@/platform/files', () => require('../support/memory-files'))
jest.mock('@/platform/scroll-to', () => ({ scrollToElement: jest.fn() }))
import { scrollToElement } from '@/platform/scroll-to'

beforeEach(() => {
  __reset()
  jest.mocked(scrollToElement).mockClear()
})

/** The page stack below the page under test (weapp shape), ending with the page itself. */
function stack(...routes: string[]) {
  for (const route of routes) __pages.push({ route, options: { id: 'd1' } })
}

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
    expect(Taro.navigateTo).not.toHaveBeenCalled()
  })

  it('brings the first field to fix on screen (links.1 when only the second link is wrong)', () => {
    saveDraft(completeDraft('d1', { links: ['https://ok.example.com', 'weixin://dl/chat'] }))
    const { result } = open('details', { id: 'd1' })
    act(() => result.current.next())
    expect(Object.keys(result.current.errors)).toEqual(['links.1'])
    expect(scrollToElement).toHaveBeenCalledWith('field-links-1')
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
    'a valid %s step saves and opens %s on top of it (so Back returns)',
    (step, target) => {
      saveDraft(completeDraft('d1'))
      const { result } = open(step, { id: 'd1' })
      act(() => result.current.update({ extra: { freeText: '刚输入' } }))
      act(() => result.current.next())
      expect(Taro.showToast).not.toHaveBeenCalled()
      expect(Taro.navigateTo).toHaveBeenCalledWith({ url: urlOf(target, { id: 'd1' }) })
      expect(Taro.redirectTo).not.toHaveBeenCalled()
      // Flushed before leaving, without waiting for the debounce.
      expect(loadDraft('d1')?.extra.freeText).toBe('刚输入')
    },
  )

  it('replaces the page instead when WeChat\'s page stack is full (10 pages)', () => {
    saveDraft(completeDraft('d1'))
    stack(...Array(9).fill('report/details/index'))
    const { result } = open('details', { id: 'd1' })
    act(() => result.current.next())
    expect(Taro.navigateTo).not.toHaveBeenCalled()
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/report/evidence/index?id=d1' })
  })

  it('from=review goes back to the review below it after a valid step', () => {
    saveDraft(completeDraft('d1'))
    stack('pages/index/index', 'report/review/index', 'report/details/index')
    const { result } = open('details', { id: 'd1', from: 'review' })
    expect(result.current.fromReview).toBe(true)
    act(() => result.current.next())
    expect(Taro.navigateBack).toHaveBeenCalledWith({ delta: 1 })
    expect(Taro.navigateTo).not.toHaveBeenCalled()
  })

  it('from=review opens the review in place when it is not below (a reload on H5)', () => {
    saveDraft(completeDraft('d1'))
    const { result } = open('details', { id: 'd1', from: 'review' })
    act(() => result.current.next())
    expect(Taro.navigateBack).not.toHaveBeenCalled()
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/report/review/index?id=d1' })
  })

  it('from=details (the office changed from the details step) returns to details, not on to the reporter step', () => {
    saveDraft(completeDraft('d1'))
    stack('report/details/index', 'report/branch/index')
    const { result } = open('branch', { id: 'd1', from: 'details' })
    act(() => result.current.next())
    expect(Taro.navigateBack).toHaveBeenCalledWith({ delta: 1 })
    expect(Taro.navigateTo).not.toHaveBeenCalled()
  })

  it('does nothing without a draft', () => {
    const { result } = open('category', { id: 'gone' })
    expect(result.current.missing).toBe(true)
    act(() => result.current.next())
    expect(Taro.redirectTo).not.toHaveBeenCalled()
    expect(Taro.navigateTo).not.toHaveBeenCalled()
    expect(Taro.showToast).not.toHaveBeenCalled()
  })
})

describe('useStep: back()', () => {
  it.each<[FlowStep, string, string]>([
    ['details', 'report/category/index', '/report/category/index?id=d1'],
    ['evidence', 'report/details/index', '/report/details/index?id=d1'],
    ['review', 'report/declaration/index', '/report/declaration/index?id=d1'],
  ])('from %s goes back to the previous step below it', (step, below) => {
    saveDraft(draftOf('d1'))
    stack(below, `report/${step}/index`)
    const { result } = open(step, { id: 'd1' })
    act(() => result.current.back())
    expect(Taro.navigateBack).toHaveBeenCalledWith({ delta: 1 })
    expect(Taro.redirectTo).not.toHaveBeenCalled()
  })

  it.each<[FlowStep, string]>([
    ['details', '/report/category/index?id=d1'],
    ['evidence', '/report/details/index?id=d1'],
    ['review', '/report/declaration/index?id=d1'],
  ])('from %s opened directly (drafts list, reload) opens the previous step in place', (step, url) => {
    saveDraft(draftOf('d1'))
    stack('pages/drafts/index', `report/${step}/index`)
    const { result } = open(step, { id: 'd1' })
    act(() => result.current.back())
    expect(Taro.navigateBack).not.toHaveBeenCalled()
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url })
  })

  it('does not go back to the same step of another draft', () => {
    saveDraft(draftOf('d1'))
    __pages.push({ route: 'report/category/index', options: { id: 'other' } }, { route: 'report/details/index', options: { id: 'd1' } })
    const { result } = open('details', { id: 'd1' })
    act(() => result.current.back())
    expect(Taro.navigateBack).not.toHaveBeenCalled()
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/report/category/index?id=d1' })
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
    expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' })
  })

  it('with from=review returns to the review, keeping what was typed', () => {
    saveDraft(draftOf('d1'))
    stack('report/review/index', 'report/reporter/index')
    const { result } = open('reporter', { id: 'd1', from: 'review' })
    act(() => result.current.update({ description: '改过的内容' }))
    act(() => result.current.back())
    expect(Taro.navigateBack).toHaveBeenCalledWith({ delta: 1 })
    expect(loadDraft('d1')?.description).toBe('改过的内容')
  })
})

describe('arriving from a QR entry that chose the category', () => {
  it('the category step opens the details step on top of itself, once', () => {
    saveDraft(draftOf('d1', { category: 'loan', branch: 'yd' }))
    forwardOnArrival('d1', 'details')
    const first = open('category', { id: 'd1' })
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/report/details/index?id=d1' })
    first.unmount()
    open('category', { id: 'd1' })
    expect(Taro.navigateTo).toHaveBeenCalledTimes(1)
  })

  it('not for another draft', () => {
    saveDraft(draftOf('d1'))
    forwardOnArrival('other', 'details')
    open('category', { id: 'd1' })
    expect(Taro.navigateTo).not.toHaveBeenCalled()
  })
})

describe('a step shown again after Back', () => {
  it('reads the draft again, so an edit here keeps what the later step changed', () => {
    saveDraft(draftOf('d1', { category: 'loan' }))
    const { result } = open('category', { id: 'd1' })
    // The details step (opened on top) saved a description; then Back shows this page again.
    saveDraft({ ...loadDraft('d1')!, description: '在下一步写的经过', updatedAt: new Date(Date.now() + 1000).toISOString() })
    const shows = jest.mocked(Taro.useDidShow).mock.calls
    act(() => shows[shows.length - 1][0]())
    expect(result.current.draft?.description).toBe('在下一步写的经过')
    act(() => result.current.update({ category: 'nude' }))
    act(() => result.current.flush())
    expect(loadDraft('d1')).toMatchObject({ category: 'nude', description: '在下一步写的经过' })
  })
})
