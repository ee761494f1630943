/** @jest-environment jsdom */
import { fireEvent, screen } from '@testing-library/react'
import { draftOf } from '../support/drafts'
import { clickNext, errorAt, opened, renderPage, resetApp } from '../support/pages'
import { loadDraft } from '@/drafts/store'
import DeclarationStep from '@/report/declaration/index'

jest.mock('@/platform/files', () => require('../support/memory-files'))

beforeEach(resetApp)

afterEach(() => {
  jest.useRealTimers()
})

describe('declaration step', () => {
  it('requires both ticks', () => {
    renderPage(DeclarationStep, { draft: draftOf('d1') })
    clickNext()
    expect(errorAt('declaration.truthful')).toBe('请确认线索真实')
    expect(errorAt('declaration.liability')).toBe('请确认已知悉诬告陷害的法律责任')
    fireEvent.click(screen.getByTestId('declare-truthful'))
    expect(errorAt('declaration.truthful')).toBeNull()
    clickNext()
    expect(errorAt('declaration.liability')).toBe('请确认已知悉诬告陷害的法律责任')
    expect(opened()).toEqual([])
  })

  it('both ticks record when the declaration was made and lead to the review', () => {
    jest.useFakeTimers({ now: new Date('2024-05-20T08:00:00.000Z'), doNotFake: ['setTimeout', 'clearTimeout', 'queueMicrotask', 'nextTick', 'setImmediate'] })
    renderPage(DeclarationStep, { draft: draftOf('d1') })
    fireEvent.click(screen.getByTestId('declare-truthful'))
    fireEvent.click(screen.getByTestId('declare-liability'))
    expect(screen.getByTestId('declare-liability').getAttribute('aria-checked')).toBe('true')
    clickNext()
    expect(opened()).toEqual(['/report/review/index?id=d1'])
    expect(loadDraft('d1')?.declaration).toEqual({ truthful: true, liability: true, declaredAt: '2024-05-20T08:00:00.000Z' })
  })

  it('taking a tick back clears the declaration time', () => {
    renderPage(DeclarationStep, { draft: draftOf('d1', { declaration: { truthful: true, liability: true, declaredAt: '2024-05-01T00:00:00.000Z' } }) })
    fireEvent.click(screen.getByTestId('declare-truthful'))
    clickNext()
    expect(opened()).toEqual([])
    expect(errorAt('declaration.truthful')).toBe('请确认线索真实')
    fireEvent.click(screen.getByTestId('declare-truthful'))
    clickNext()
    const declaredAt = loadDraft('d1')?.declaration.declaredAt
    expect(declaredAt).not.toBe('2024-05-01T00:00:00.000Z')
    expect(Number.isNaN(Date.parse(declaredAt!))).toBe(false)
  })
})
