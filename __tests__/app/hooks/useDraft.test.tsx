/** @jest-environment jsdom */
import { act, renderHook } from '@testing-library/react'
import Taro, { __reset } from '../../mocks/taro'
import { draftOf } from '../support/drafts'
import { loadDraft, saveDraft } from '@/drafts/store'
import { SAVE_DELAY_MS, useDraft } from '@/hooks/useDraft'
import { storageKeys } from '@/platform/storage'

jest.mock('@/platform/files', () => require('../support/memory-files'))

function draftWrites(id: string): number {
  return Taro.setStorageSync.mock.calls.filter((call: unknown[]) => call[0] === storageKeys.draft(id)).length
}

beforeEach(() => {
  __reset()
  jest.useFakeTimers({ now: new Date('2024-05-20T08:00:00.000Z') })
  saveDraft(draftOf('d1'))
  Taro.setStorageSync.mockClear()
})

afterEach(() => {
  jest.useRealTimers()
})

describe('useDraft', () => {
  it('loads the draft', () => {
    const { result } = renderHook(() => useDraft('d1'))
    expect(result.current.draft?.id).toBe('d1')
    expect(result.current.missing).toBe(false)
  })

  it.each([['an unknown id', 'nope'], ['no id', undefined]])('reports a missing draft for %s', (_name, id) => {
    const { result } = renderHook(() => useDraft(id))
    expect(result.current.draft).toBeUndefined()
    expect(result.current.missing).toBe(true)
  })

  it('updates at once but writes storage only after the debounce delay', () => {
    const { result } = renderHook(() => useDraft('d1'))
    act(() => result.current.update({ description: '第一' }))
    act(() => result.current.update((d) => ({ description: `${d.description}，第二` })))
    expect(result.current.draft?.description).toBe('第一，第二')
    act(() => jest.advanceTimersByTime(SAVE_DELAY_MS - 1))
    expect(draftWrites('d1')).toBe(0)
    expect(loadDraft('d1')?.description).toBe('')
    act(() => jest.advanceTimersByTime(1))
    expect(draftWrites('d1')).toBe(1)
    expect(loadDraft('d1')?.description).toBe('第一，第二')
  })

  it('restarts the delay on every change (typing does not write on every key)', () => {
    const { result } = renderHook(() => useDraft('d1'))
    for (const text of ['a', 'ab', 'abc', 'abcd']) {
      act(() => result.current.update({ description: text }))
      act(() => jest.advanceTimersByTime(SAVE_DELAY_MS - 100))
    }
    expect(draftWrites('d1')).toBe(0)
    act(() => jest.advanceTimersByTime(100))
    expect(draftWrites('d1')).toBe(1)
    expect(loadDraft('d1')?.description).toBe('abcd')
  })

  it('stamps updatedAt with the time of the change', () => {
    const { result } = renderHook(() => useDraft('d1'))
    jest.setSystemTime(new Date('2024-05-21T09:30:00.000Z'))
    act(() => result.current.update({ description: 'x' }))
    expect(result.current.draft?.updatedAt).toBe('2024-05-21T09:30:00.000Z')
  })

  it('flushes a pending change on unmount', () => {
    const { result, unmount } = renderHook(() => useDraft('d1'))
    act(() => result.current.update({ description: '离开前输入的内容' }))
    expect(draftWrites('d1')).toBe(0)
    unmount()
    expect(loadDraft('d1')?.description).toBe('离开前输入的内容')
    // The cancelled timer writes nothing more.
    act(() => jest.advanceTimersByTime(SAVE_DELAY_MS * 2))
    expect(draftWrites('d1')).toBe(1)
  })

  it('flushes when the browser tab is hidden', () => {
    const { result } = renderHook(() => useDraft('d1'))
    act(() => result.current.update({ description: '切到后台' }))
    act(() => {
      window.dispatchEvent(new Event('pagehide'))
    })
    expect(loadDraft('d1')?.description).toBe('切到后台')
  })

  it('registers flush for Taro page hide and unload', () => {
    const { result } = renderHook(() => useDraft('d1'))
    act(() => result.current.update({ description: '页面隐藏' }))
    const onHide = Taro.useDidHide.mock.calls[Taro.useDidHide.mock.calls.length - 1][0] as () => void
    const onUnload = Taro.useUnload.mock.calls[Taro.useUnload.mock.calls.length - 1][0] as () => void
    expect(onHide).toBe(result.current.flush)
    expect(onUnload).toBe(result.current.flush)
    act(() => onHide())
    expect(loadDraft('d1')?.description).toBe('页面隐藏')
  })

  it('an explicit flush with nothing pending writes nothing', () => {
    const { result } = renderHook(() => useDraft('d1'))
    act(() => result.current.flush())
    expect(draftWrites('d1')).toBe(0)
  })
})
