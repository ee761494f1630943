/** @jest-environment jsdom */
import { fireEvent, screen, waitFor } from '@testing-library/react'
import Taro from '../../mocks/taro'
import { draftOf } from '../support/drafts'
import { clickNext, errorAt, opened, renderPage, resetApp } from '../support/pages'
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
    expect(opened()).toEqual([])
  })

  it('a chosen category is marked, saved and leads to the details step', () => {
    renderPage(CategoryStep, { draft: draftOf('d1') })
    clickNext()
    fireEvent.click(screen.getByTestId('category-loan'))
    expect(screen.getByTestId('category-loan').getAttribute('aria-checked')).toBe('true')
    expect(errorAt('category')).toBeNull()
    clickNext()
    expect(opened()).toEqual(['/report/details/index?id=d1'])
    expect(loadDraft('d1')?.category).toBe('loan')
  })

  /**
   * The layout as a phone measures it: every clamped text shows two lines (48 px); its invisible
   * full twin is taller only where the text is long. (八)'s one-sentence text fits.
   */
  function measured(fullHeights: Record<string, number>) {
    jest.mocked(Taro.createSelectorQuery).mockImplementation(() => {
      const results: unknown[] = []
      const boxes = (selector: string) =>
        Array.from(document.querySelectorAll(selector)).map((el) => {
          const key = (el as HTMLElement).dataset.key!
          return { dataset: { key }, height: selector === '.clamp' ? 48 : (fullHeights[key] ?? 48) }
        })
      const q = {
        selectAll: (selector: string) => ({ fields: () => (results.push(boxes(selector)), q) }),
        exec: (cb: (res: unknown[]) => void) => cb(results),
      }
      return q as never
    })
  }

  it('"展开说明" is offered only where the preview cuts the text, and expands without choosing', async () => {
    measured({ nude: 144, loan: 144, claim: 144, smear: 120, troll: 96, collect: 144, mlm: 144, other: 48 })
    renderPage(CategoryStep, { draft: draftOf('d1') })
    await waitFor(() => expect(screen.getByTestId('expand-nude')).toBeTruthy())
    expect(screen.queryByTestId('expand-other')).toBeNull()
    expect(screen.getByTestId('category-other').textContent).not.toContain('展开说明')
    const card = screen.getByTestId('category-nude')
    fireEvent.click(screen.getByTestId('expand-nude'))
    expect(card.getAttribute('aria-checked')).toBe('false')
    expect(card.querySelector('.card__text--clamped')).toBeNull()
  })

  it('offers no "展开说明" before the layout is measured (nothing to expand is claimed)', () => {
    renderPage(CategoryStep, { draft: draftOf('d1') })
    expect(screen.queryAllByText('展开说明')).toEqual([])
  })

  it('shows the office a QR code chose, with a way to change it that comes back here', () => {
    renderPage(CategoryStep, { draft: draftOf('d1', { branch: 'yd' }) })
    expect(screen.getByTestId('chosen-branch').textContent).toBe('大同市公安局御东分局扫黑办')
    fireEvent.click(screen.getByTestId('change-branch'))
    expect(opened()).toEqual(['/report/branch/index?id=d1&from=category'])
  })

  it('shows the missing-draft page for an unknown id', () => {
    renderPage(CategoryStep, { params: { id: 'gone' } })
    expect(screen.getByText('找不到这份草稿，它可能已被删除。')).toBeTruthy()
    fireEvent.click(screen.getByText('返回首页'))
    expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' })
  })
})
