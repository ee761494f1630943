/** @jest-environment jsdom */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import Taro from '../../mocks/taro'
import { memoryFiles } from '../support/memory-files'
import { attachmentOf, completeDraft, draftOf } from '../support/drafts'
import { navigations, renderPage, resetApp } from '../support/pages'
import { listDrafts, loadDraft, saveDraft } from '@/drafts/store'
import DraftsPage from '@/pages/drafts/index'

jest.mock('@/platform/files', () => require('../support/memory-files'))

beforeEach(async () => {
  resetApp()
  const withFile = draftOf('older', { category: 'nude', attachments: [attachmentOf('older', 1)] }, new Date(Date.now() - 3 * 86400000))
  await memoryFiles.storeFile('att/older/a1', memoryFiles.addTemp('t1', 1024))
  saveDraft(withFile)
  saveDraft(completeDraft('newer', { updatedAt: new Date(Date.now() - 60000).toISOString() }))
})

async function settle() {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0))
  })
}

function cards() {
  return screen.queryAllByTestId('draft')
}

describe('drafts page', () => {
  it('lists the drafts, most recently changed first, with their progress', () => {
    renderPage(DraftsPage)
    expect(cards()).toHaveLength(2)
    expect(cards()[0].textContent).toContain('利用信息网络实施的其他涉黑涉恶违法犯罪')
    expect(cards()[0].textContent).toContain('已完成 6/6 部分 · 0 个文件')
    expect(cards()[1].textContent).toContain('网络“裸聊”敲诈犯罪')
    expect(cards()[1].textContent).toContain('已完成 3/6 部分 · 1 个文件 · 3 天前修改')
  })

  it('resuming a complete draft opens the review, an incomplete one its first missing step', () => {
    renderPage(DraftsPage)
    fireEvent.click(within(cards()[0]).getByTestId('resume-draft'))
    fireEvent.click(within(cards()[1]).getByTestId('resume-draft'))
    expect(navigations()).toEqual(['/report/review/index?id=newer', '/report/details/index?id=older'])
  })

  it('delete asks for confirmation; declining keeps the draft and its files', async () => {
    Taro.showModal.mockResolvedValueOnce({ confirm: false, cancel: true })
    renderPage(DraftsPage)
    fireEvent.click(within(cards()[1]).getByText('删除'))
    await settle()
    expect(Taro.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '删除这份草稿？' }))
    expect(cards()).toHaveLength(2)
    expect(loadDraft('older')).toBeDefined()
    expect(memoryFiles.keys()).toEqual(['att/older/a1'])
  })

  it('confirming deletes the draft and its files', async () => {
    renderPage(DraftsPage)
    fireEvent.click(within(cards()[1]).getByText('删除'))
    await waitFor(() => expect(cards()).toHaveLength(1))
    expect(loadDraft('older')).toBeUndefined()
    expect(memoryFiles.keys()).toEqual([])
    expect(listDrafts().map((d) => d.id)).toEqual(['newer'])
    expect(screen.queryByTestId('delete-all-drafts')).toBeNull()
  })

  it('"删除全部草稿" asks first, then deletes everything', async () => {
    Taro.showModal.mockResolvedValueOnce({ confirm: false, cancel: true })
    renderPage(DraftsPage)
    fireEvent.click(screen.getByTestId('delete-all-drafts'))
    await settle()
    expect(Taro.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '删除全部草稿？', content: '将删除 2 份草稿及其材料，无法恢复。' }))
    expect(cards()).toHaveLength(2)

    fireEvent.click(screen.getByTestId('delete-all-drafts'))
    await waitFor(() => expect(screen.getByText('还没有草稿')).toBeTruthy())
    expect(listDrafts()).toEqual([])
    expect(memoryFiles.keys()).toEqual([])
  })
})
