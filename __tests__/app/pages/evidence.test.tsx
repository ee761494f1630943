/** @jest-environment jsdom */
import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import Taro from '../../mocks/taro'
import { memoryFiles } from '../support/memory-files'
import { attachmentOf, draftOf, MB } from '../support/drafts'
import { clickNext, errorAt, opened, renderPage, resetApp } from '../support/pages'
import { loadDraft } from '@/drafts/store'
import type { PickedFile } from '@/platform/files.types'
import { pickRecords, pickScreenshots } from '@/platform/pick'
import EvidenceStep from '@/report/evidence/index'

jest.mock('@/platform/files', () => require('../support/memory-files'))
jest.mock('@/platform/pick', () => ({ pickScreenshots: jest.fn(), pickRecords: jest.fn() }))

const pickShots = pickScreenshots as jest.MockedFunction<typeof pickScreenshots>
const pickFiles = pickRecords as jest.MockedFunction<typeof pickRecords>

function temp(name: string, size: number, mime: string): PickedFile {
  return { name, size, mime, source: memoryFiles.addTemp(`wxfile://tmp/${name}`, size) }
}

beforeEach(() => {
  resetApp()
  pickShots.mockReset()
  pickFiles.mockReset()
})

async function settle() {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0))
  })
}

describe('evidence step', () => {
  it('no files is fine: next leads to the branch step', () => {
    renderPage(EvidenceStep, { draft: draftOf('d1', { category: 'loan' }) })
    expect(screen.getByTestId('attachment-summary').textContent).toBe('已添加 0 / 20 个，合计 0 B')
    expect(screen.getByText('网络“套路贷”犯罪：最有用的证据')).toBeTruthy()
    clickNext()
    expect(opened()).toEqual(['/report/branch/index?id=d1'])
  })

  it('adds picked screenshots: stored, listed, saved with the draft', async () => {
    pickShots.mockResolvedValueOnce([temp('a.png', 2048, 'image/png'), temp('b.jpg', 3 * MB, 'image/jpeg')])
    renderPage(EvidenceStep, { draft: draftOf('d1') })
    fireEvent.click(screen.getByTestId('add-screenshots'))
    await waitFor(() => expect(screen.getAllByTestId('attachment')).toHaveLength(2))
    await settle()
    expect(pickShots).toHaveBeenCalledWith(20)
    expect(screen.getByTestId('attachment-summary').textContent).toBe('已添加 2 / 20 个，合计 3.0 MB')
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '已添加 2 个文件', icon: 'none' })
    expect(memoryFiles.keys()).toHaveLength(2)
    // Image thumbnails come from the file store.
    const thumbs = Array.from(document.querySelectorAll('img')).map((i) => i.getAttribute('src'))
    expect(thumbs.every((src) => src?.startsWith('memory://att/d1/'))).toBe(true)
    clickNext()
    expect(opened()).toEqual(['/report/branch/index?id=d1'])
    const saved = loadDraft('d1')!
    expect(saved.attachments.map((a) => [a.name, a.label, a.size])).toEqual([
      ['a.png', '截图', 2048],
      ['b.jpg', '截图', 3 * MB],
    ])
  })

  it('adds transaction records with their label and asks only for the room left', async () => {
    pickFiles.mockResolvedValueOnce([temp('流水.pdf', 5000, 'application/pdf')])
    renderPage(EvidenceStep, { draft: draftOf('d1', { attachments: [attachmentOf('d1', 1), attachmentOf('d1', 2)] }) })
    fireEvent.click(screen.getByTestId('add-records'))
    await waitFor(() => expect(screen.getAllByTestId('attachment')).toHaveLength(3))
    await settle()
    expect(pickFiles).toHaveBeenCalledWith(18)
    expect(screen.getByText('流水.pdf')).toBeTruthy()
    clickNext()
    expect(loadDraft('d1')!.attachments[2]).toMatchObject({ name: '流水.pdf', label: '交易记录', mime: 'application/pdf' })
  })

  it('refuses files over the limits with a modal and keeps the others', async () => {
    pickShots.mockResolvedValueOnce([temp('big.png', 21 * MB, 'image/png'), temp('ok.png', 100, 'image/png'), temp('音频.mp3', 100, 'audio/mpeg')])
    renderPage(EvidenceStep, { draft: draftOf('d1') })
    fireEvent.click(screen.getByTestId('add-screenshots'))
    await waitFor(() => expect(Taro.showModal).toHaveBeenCalled())
    expect(Taro.showModal).toHaveBeenCalledWith({
      title: '部分文件未添加',
      content: '「big.png」未添加：单个文件不能超过 20 MB\n「音频.mp3」未添加：只支持图片、PDF、Excel（xls/xlsx）和 CSV 文件',
      showCancel: false,
    })
    await waitFor(() => expect(screen.getAllByTestId('attachment')).toHaveLength(1))
    await settle()
    expect(screen.getByText('ok.png')).toBeTruthy()
    expect(memoryFiles.keys()).toHaveLength(1)
  })

  it('refuses a program renamed setup.jpg in plain words and adds nothing (issue 12, item 7)', async () => {
    const exe = Uint8Array.from(Buffer.from('MZ\x90\x00This program cannot be run in DOS mode.', 'latin1'))
    pickShots.mockResolvedValueOnce([{ name: 'setup.jpg', size: 4096, mime: 'image/jpeg', source: memoryFiles.addTemp('wxfile://tmp/setup.jpg', 4096, exe) }])
    renderPage(EvidenceStep, { draft: draftOf('d1') })
    fireEvent.click(screen.getByTestId('add-screenshots'))
    await waitFor(() => expect(Taro.showModal).toHaveBeenCalled())
    expect(Taro.showModal).toHaveBeenCalledWith({
      title: '文件未添加',
      content: '「setup.jpg」未添加：文件名是图片，但文件不是图片（内容是Windows 程序），不能作为证明材料。请重新选择原始的截图',
      showCancel: false,
    })
    await settle()
    expect(screen.queryAllByTestId('attachment')).toHaveLength(0)
    expect(memoryFiles.keys()).toEqual([])
  })

  it('with 20 files already, says so instead of opening the picker', async () => {
    const full = Array.from({ length: 20 }, (_, i) => attachmentOf('d1', i))
    renderPage(EvidenceStep, { draft: draftOf('d1', { attachments: full }) })
    await settle()
    fireEvent.click(screen.getByTestId('add-screenshots'))
    await waitFor(() => expect(Taro.showModal).toHaveBeenCalled())
    expect(pickShots).not.toHaveBeenCalled()
    expect(Taro.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: expect.stringContaining('最多只能添加 20 个文件') }))
  })

  it('a cancelled picker changes nothing and says nothing', async () => {
    pickShots.mockResolvedValueOnce([])
    renderPage(EvidenceStep, { draft: draftOf('d1') })
    fireEvent.click(screen.getByTestId('add-screenshots'))
    await settle()
    expect(screen.queryAllByTestId('attachment')).toHaveLength(0)
    expect(Taro.showToast).not.toHaveBeenCalled()
    expect(Taro.showModal).not.toHaveBeenCalled()
  })

  it('a declined privacy authorization explains that text-only reports still work', async () => {
    pickShots.mockRejectedValueOnce({ errMsg: 'chooseMedia:fail privacy permission is not authorized' })
    renderPage(EvidenceStep, { draft: draftOf('d1') })
    fireEvent.click(screen.getByTestId('add-screenshots'))
    await screen.findByText(/您没有同意读取照片和文件/)
    expect(Taro.showToast).not.toHaveBeenCalled()
  })

  it('another picker failure is reported with a toast', async () => {
    pickShots.mockRejectedValueOnce(new Error('boom'))
    renderPage(EvidenceStep, { draft: draftOf('d1') })
    fireEvent.click(screen.getByTestId('add-screenshots'))
    await waitFor(() => expect(Taro.showToast).toHaveBeenCalledWith({ title: '无法读取所选文件，请重试', icon: 'none' }))
  })

  it('deleting a file asks first, then removes it from the draft and the file store', async () => {
    const a1 = attachmentOf('d1', 1, { name: '一.pdf', mime: 'application/pdf' })
    const a2 = attachmentOf('d1', 2, { name: '二.pdf', mime: 'application/pdf' })
    await memoryFiles.storeFile(a1.ref, memoryFiles.addTemp('t1', a1.size))
    await memoryFiles.storeFile(a2.ref, memoryFiles.addTemp('t2', a2.size))
    renderPage(EvidenceStep, { draft: draftOf('d1', { attachments: [a1, a2] }) })
    const deleteLinks = () => screen.getAllByText('删除')

    Taro.showModal.mockResolvedValueOnce({ confirm: false, cancel: true })
    fireEvent.click(deleteLinks()[0])
    await settle()
    expect(screen.getAllByTestId('attachment')).toHaveLength(2)
    expect(memoryFiles.has(a1.ref)).toBe(true)

    fireEvent.click(deleteLinks()[0])
    await waitFor(() => expect(screen.getAllByTestId('attachment')).toHaveLength(1))
    await settle()
    expect(memoryFiles.keys()).toEqual([a2.ref])
    clickNext()
    expect(loadDraft('d1')!.attachments.map((a) => a.id)).toEqual([a2.id])
  })

  it('a label can be changed', () => {
    renderPage(EvidenceStep, { draft: draftOf('d1', { attachments: [attachmentOf('d1', 1, { mime: 'application/pdf', name: 'x.pdf' })] }) })
    fireEvent.click(screen.getByText('交易记录'))
    clickNext()
    expect(loadDraft('d1')!.attachments[0].label).toBe('交易记录')
  })

  it('an image whose stored copy is lost shows an icon and is not asked for again and again', async () => {
    const spy = jest.spyOn(memoryFiles, 'displayUrl')
    const lost = attachmentOf('d1', 1, { name: 'lost.png' })
    renderPage(EvidenceStep, { draft: draftOf('d1', { attachments: [lost] }) })
    await settle()
    const calls = spy.mock.calls.length
    await settle()
    await settle()
    // At most one more fetch for the draft reloaded on mount, then nothing.
    expect(calls).toBeLessThanOrEqual(2)
    expect(spy.mock.calls.length).toBe(calls)
    expect(document.querySelector('img')).toBeNull()
    expect(screen.getByText('PNG')).toBeTruthy()
    spy.mockRestore()
  })

  it('a stored file over the per-file limit blocks the step with the message at that file', async () => {
    const big = attachmentOf('d1', 1, { name: 'huge.pdf', mime: 'application/pdf', size: 25 * MB })
    renderPage(EvidenceStep, { draft: draftOf('d1', { attachments: [big] }) })
    clickNext()
    expect(errorAt('attachments.0')).toBe('“huge.pdf”有25MB，单个文件不能超过20MB')
    expect(opened()).toEqual([])
  })

  it('more than 100 MB in all blocks the step with the message at the field', () => {
    const many = Array.from({ length: 6 }, (_, i) => attachmentOf('d1', i, { size: 18 * MB, mime: 'application/pdf', name: `f${i}.pdf` }))
    renderPage(EvidenceStep, { draft: draftOf('d1', { attachments: many }) })
    clickNext()
    expect(errorAt('attachments')).toBe('文件合计108MB，总大小不能超过100MB，请删除部分文件')
    expect(opened()).toEqual([])
  })
})
