/** @jest-environment jsdom */
import { renderHook, waitFor } from '@testing-library/react'
import Taro, { __reset, __setRouterParams } from '../../mocks/taro'
import { listDrafts } from '@/drafts/store'
import { takeArrival } from '@/hooks/arrival'
import { useEntry } from '@/hooks/useEntry'
import { urlOf } from '@/routes'

jest.mock('@/platform/files', () => require('../support/memory-files'))

beforeEach(() => {
  __reset()
})

describe('useEntry', () => {
  it.each<[string, Record<string, string>, { branch?: string; category?: string }, 'details' | 'category']>([
    ['branch and category in the query', { b: 'yd', c: 'loan' }, { branch: 'yd', category: 'loan' }, 'details'],
    ['only a category', { c: 'collect' }, { branch: undefined, category: 'collect' }, 'details'],
    ['only a branch', { b: 'zs' }, { branch: 'zs', category: undefined }, 'category'],
    ['a mini-program code scene', { scene: encodeURIComponent('b=sj&c=nude') }, { branch: 'sj', category: 'nude' }, 'details'],
    ['a link QR code', { q: encodeURIComponent('https://example.cn/r?b=yd') }, { branch: 'yd', category: undefined }, 'category'],
    ['a known branch beside an unknown category', { b: 'yd', c: 'bogus' }, { branch: 'yd', category: undefined }, 'category'],
  ])('%s: creates a preselected draft, opens the first open step, the category step under it', async (_name, params, preset, page) => {
    __setRouterParams(params)
    const { result } = renderHook(() => useEntry())
    expect(result.current).toBe(true)
    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledTimes(1))
    const drafts = listDrafts()
    expect(drafts).toHaveLength(1)
    expect(drafts[0].branch).toBe(preset.branch)
    expect(drafts[0].category).toBe(preset.category)
    // The category step replaces the entry page; the details step goes on top of it, so Back
    // from details shows the category (issue 12, item 9).
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: urlOf('category', { id: drafts[0].id }) })
    // ... which the category page does once it is on screen (see useStep's test).
    expect(takeArrival(drafts[0].id)).toBe(page === 'details' ? 'details' : undefined)
    expect(Taro.navigateTo).not.toHaveBeenCalled()
  })

  it('applies an entry once, however often the page renders', async () => {
    __setRouterParams({ b: 'yd', c: 'loan' })
    const { rerender } = renderHook(() => useEntry())
    rerender()
    rerender()
    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalled())
    await new Promise((r) => setTimeout(r, 10))
    expect(listDrafts()).toHaveLength(1)
    expect(Taro.redirectTo).toHaveBeenCalledTimes(1)
  })

  it.each<[string, Record<string, string>]>([
    ['no parameters', {}],
    ['an unknown branch and category', { b: 'xx', c: 'yy' }],
    ['an over-long value', { b: 'y'.repeat(40) }],
    ['bad percent-encoding in the scene', { scene: '%E0%A4%A' }],
    ['a scene that is too long', { scene: encodeURIComponent(`b=yd&c=loan&x=${'z'.repeat(40)}`) }],
    ['a q that is not a URL', { q: 'not a url' }],
    ['a branch given twice in a scene', { scene: encodeURIComponent('b=yd&b=zs') }],
    ['unrelated parameters', { id: 'abc', from: 'review' }],
  ])('%s: creates nothing and stays on the page', async (_name, params) => {
    __setRouterParams(params)
    const { result } = renderHook(() => useEntry())
    expect(result.current).toBe(false)
    await new Promise((r) => setTimeout(r, 10))
    expect(listDrafts()).toEqual([])
    expect(Taro.redirectTo).not.toHaveBeenCalled()
    expect(Taro.setStorageSync).not.toHaveBeenCalled()
  })
})
