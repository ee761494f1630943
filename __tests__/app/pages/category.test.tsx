/** @jest-environment jsdom */
import { fireEvent, screen } from '@testing-library/react'
import Taro from '../../mocks/taro'
import { draftOf } from '../support/drafts'
import { clickNext, errorAt, redirects, renderPage, resetApp } from '../support/pages'
import { CATEGORIES } from '@/domain/categories'
import { loadDraft } from '@/drafts/store'
import CategoryStep from '@/report/category/index'

jest.mock('@/platform/files', () => require('../support/memory-files'))

beforeEach(resetApp)

describe('category step', () => {
  it('lists the eight categories of the notice', () => {
    renderPage(CategoryStep, { draft: draftOf('d1') })
    for (const c of CATEGORIES) expect(screen.getByTestId(`category-${c.code}`).textContent).toContain(c.name)
    expect(screen.getByText('第 1 / 7 步')).toBeTruthy()
  })

  it('requires a choice: the message appears at the field and nothing navigates', () => {
    renderPage(CategoryStep, { draft: draftOf('d1') })
    clickNext()
    expect(errorAt('category')).toBe('请选择举报类别')
    expect(screen.getByRole('alert').textContent).toContain('还有 1 处需要修改')
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '请选择举报类别' }))
    expect(redirects()).toEqual([])
  })

  it('a chosen category is marked, saved and leads to the details step', () => {
    renderPage(CategoryStep, { draft: draftOf('d1') })
    clickNext()
    fireEvent.click(screen.getByTestId('category-loan'))
    expect(screen.getByTestId('category-loan').getAttribute('aria-selected')).toBe('true')
    expect(errorAt('category')).toBeNull()
    clickNext()
    expect(redirects()).toEqual(['/report/details/index?id=d1'])
    expect(loadDraft('d1')?.category).toBe('loan')
  })

  it('"展开说明" expands a description without choosing the category', () => {
    renderPage(CategoryStep, { draft: draftOf('d1') })
    const card = screen.getByTestId('category-nude')
    fireEvent.click(card.querySelector('.link')!)
    expect(card.getAttribute('aria-selected')).toBe('false')
    expect(card.querySelector('.card__text--clamped')).toBeNull()
  })

  it('shows the missing-draft page for an unknown id', () => {
    renderPage(CategoryStep, { params: { id: 'gone' } })
    expect(screen.getByText('找不到这份草稿，它可能已被删除。')).toBeTruthy()
    fireEvent.click(screen.getByText('返回首页'))
    expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' })
  })
})
