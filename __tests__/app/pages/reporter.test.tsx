/** @jest-environment jsdom */
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { draftOf } from '../support/drafts'
import { clickNext, errorAt, fieldsWithErrors, opened, renderPage, resetApp, type } from '../support/pages'
import { loadDraft } from '@/drafts/store'
import ReporterStep from '@/report/reporter/index'

jest.mock('@/platform/files', () => require('../support/memory-files'))

beforeEach(resetApp)

/** The standard example of GB 11643 (check character X). */
const VALID_ID = '11010519491231002X'

describe('reporter step', () => {
  it('is anonymous by default and needs nothing more', () => {
    renderPage(ReporterStep, { draft: draftOf('d1') })
    expect(screen.getByTestId('reporter-anonymous').getAttribute('aria-checked')).toBe('true')
    expect(screen.queryByTestId('reporter-name')).toBeNull()
    clickNext()
    expect(opened()).toEqual(['/report/declaration/index?id=d1'])
  })

  it('a real-name report needs a name and a valid mobile number', () => {
    renderPage(ReporterStep, { draft: draftOf('d1') })
    fireEvent.click(screen.getByTestId('reporter-named'))
    clickNext()
    expect(errorAt('reporter.name')).toBe('实名举报请填写姓名')
    expect(errorAt('reporter.mobile')).toBe('请填写手机号码')
    expect(errorAt('reporter.idNumber')).toBeNull()
    expect(opened()).toEqual([])

    type('reporter-name', '张三')
    type('reporter-mobile', '1380013800')
    expect(fieldsWithErrors()).toEqual(['reporter.mobile'])
    expect(errorAt('reporter.mobile')).toBe('请填写正确的11位手机号码')
    type('reporter-mobile', '138 0013 8000')
    clickNext()
    expect(opened()).toEqual(['/report/declaration/index?id=d1'])
    expect(loadDraft('d1')?.reporter).toEqual({ anonymous: false, name: '张三', mobile: '138 0013 8000', idNumber: '' })
  })

  it.each<[string, string | null]>([
    ['110105194912310021', '身份证号码校验位不正确，请核对'],
    ['11010519491231002', '身份证号码应为18位'],
    ['990105194912310021', '身份证号码的地区码不正确'],
    ['110105194902300024', '身份证号码中的出生日期不正确'],
    [VALID_ID, null],
    [VALID_ID.toLowerCase(), null],
  ])('ID number %s → %s', (id, message) => {
    renderPage(ReporterStep, { draft: draftOf('d1', { reporter: { anonymous: false, name: '张三', mobile: '13800138000', idNumber: '' } }) })
    type('reporter-id', id)
    clickNext()
    expect(errorAt('reporter.idNumber')).toBe(message)
    expect(opened()).toEqual(message ? [] : ['/report/declaration/index?id=d1'])
  })

  it('switching back to anonymous clears the errors and lets the reporter go on', () => {
    renderPage(ReporterStep, { draft: draftOf('d1') })
    fireEvent.click(screen.getByTestId('reporter-named'))
    clickNext()
    expect(fieldsWithErrors()).toEqual(['reporter.name', 'reporter.mobile'])
    fireEvent.click(screen.getByTestId('reporter-anonymous'))
    expect(fieldsWithErrors()).toEqual([])
    clickNext()
    expect(opened()).toEqual(['/report/declaration/index?id=d1'])
  })

  describe('issue 12', () => {
    const named = () => draftOf('d1', { reporter: { anonymous: false, name: '张三', mobile: '', idNumber: '' } })

    it('4: the mobile box is a text box with a phone keyboard hint and holds +86 and spaces', () => {
      renderPage(ReporterStep, { draft: named() })
      const box = screen.getByTestId('reporter-mobile') as HTMLInputElement
      expect(box.type).toBe('text')
      expect(box.getAttribute('inputmode')).toBe('tel')
      type('reporter-mobile', '+86 138 0013 8000')
      expect(box.value).toBe('+86 138 0013 8000')
      expect(errorAt('reporter.mobile')).toBeNull()
    })

    it.each<[string, string]>([
      ['+86 138 0013 8000', '13800138000'],
      ['1３８00138000', '13800138000'],
      ['１３８００１３８０００', '13800138000'],
    ])('4: %j is tidied to %s when the resident leaves the box, and the resident is told', async (typed, tidied) => {
      renderPage(ReporterStep, { draft: named() })
      type('reporter-mobile', typed)
      fireEvent.blur(screen.getByTestId('reporter-mobile'))
      expect((screen.getByTestId('reporter-mobile') as HTMLInputElement).value).toBe(tidied)
      await waitFor(() => expect(document.querySelector('[data-note-for="reporter-mobile"]')?.textContent).toBe(`已把您填写的“${typed}”整理为“${tidied}”，请核对。`))
      clickNext()
      expect(loadDraft('d1')?.reporter.mobile).toBe(tidied)
    })

    it('3: the name is not cut at 30 characters; a longer one is refused with a message', () => {
      renderPage(ReporterStep, { draft: named() })
      const long = '张'.repeat(31)
      type('reporter-name', long)
      clickNext()
      expect((screen.getByTestId('reporter-name') as HTMLInputElement).value).toBe(long)
      expect(errorAt('reporter.name')).toBe('姓名不能超过30个字')
    })

    it('the ID number hint does not say 选填 a second time', () => {
      renderPage(ReporterStep, { draft: named() })
      const field = document.querySelector('[data-field="reporter.idNumber"]')!
      expect(field.textContent!.match(/选填/g)).toHaveLength(1)
    })
  })
})
