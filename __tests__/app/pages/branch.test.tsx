/** @jest-environment jsdom */
import { fireEvent, screen, within } from '@testing-library/react'
import Taro from '../../mocks/taro'
import { draftOf } from '../support/drafts'
import { clickNext, errorAt, opened, renderPage, resetApp } from '../support/pages'
import { loadDraft } from '@/drafts/store'
import BranchStep from '@/report/branch/index'

jest.mock('@/platform/files', () => require('../support/memory-files'))

beforeEach(resetApp)

describe('branch step', () => {
  it('requires a choice', () => {
    renderPage(BranchStep, { draft: draftOf('d1') })
    clickNext()
    expect(errorAt('branch')).toBe('请选择受理单位')
    expect(opened()).toEqual([])
  })

  it("shows each office's contact details exactly as the notice gives them", () => {
    renderPage(BranchStep, { draft: draftOf('d1') })
    const yd = within(screen.getByTestId('branch-yd'))
    expect(yd.getByText('大同市公安局御东分局扫黑办')).toBeTruthy()
    expect(yd.getByText('举报电话：0352-7788110')).toBeTruthy()
    expect(yd.getByText('邮编：037009')).toBeTruthy()
    expect(yd.getByText('地址：山西省大同市公安局御东分局扫黑办')).toBeTruthy()
    expect(within(screen.getByTestId('branch-zs')).getByText('举报电话：0352-6023774')).toBeTruthy()
  })

  it('the issuer has no phone in the notice: no phone line, no call button, nothing made up', () => {
    renderPage(BranchStep, { draft: draftOf('d1') })
    const issuer = screen.getByTestId('branch-sj')
    expect(issuer.textContent).toContain('大同市公安局扫黑办')
    expect(issuer.textContent).not.toContain('举报电话')
    expect(issuer.textContent).not.toContain('邮编')
    expect(within(issuer).queryByText('拨打')).toBeNull()
    expect(within(issuer).getByText('通告未公布电话')).toBeTruthy()
    expect(within(issuer).getByText('通告未公布地址')).toBeTruthy()
  })

  it('call and copy use the phone number without selecting the office', () => {
    renderPage(BranchStep, { draft: draftOf('d1') })
    const yd = within(screen.getByTestId('branch-yd'))
    fireEvent.click(yd.getByText('拨打'))
    expect(Taro.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '03527788110' })
    const [copyAddress, copyPhone] = yd.getAllByText('复制')
    fireEvent.click(copyPhone)
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: '0352-7788110' })
    fireEvent.click(copyAddress)
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: '山西省大同市公安局御东分局扫黑办' })
    expect(screen.getByTestId('branch-yd').getAttribute('aria-checked')).toBe('false')
  })

  it('a chosen office is saved and leads to the reporter step', () => {
    renderPage(BranchStep, { draft: draftOf('d1') })
    fireEvent.click(screen.getByTestId('branch-sj'))
    expect(screen.getByTestId('branch-sj').textContent).toContain('✓ 已选择')
    clickNext()
    expect(opened()).toEqual(['/report/reporter/index?id=d1'])
    expect(loadDraft('d1')?.branch).toBe('sj')
  })

  it('a branch preselected by a QR code is already chosen', () => {
    renderPage(BranchStep, { draft: draftOf('d1', { branch: 'zs' }) })
    expect(screen.getByTestId('branch-zs').getAttribute('aria-checked')).toBe('true')
    clickNext()
    expect(opened()).toEqual(['/report/reporter/index?id=d1'])
  })
})
