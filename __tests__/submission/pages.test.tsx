/**
 * @jest-environment jsdom
 *
 * The pages of issue 5 in jsdom: the receipt must be confirmed before anything is deleted, the
 the outbox lists and cancels, the progress page
 * shows bars and hands over to the receipt, and the home page never lets a receipt get lost.
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { SendProgress } from '@/components/SendProgress'
import Taro, { __storage } from '../mocks/taro'
import { memoryFiles } from '../app/support/memory-files'
import { completeDraft } from '../app/support/drafts'
import { renderPage, resetApp } from '../app/support/pages'
import { SUITE } from '@/crypto'
import { listDrafts, loadDraft, saveDraft } from '@/drafts/store'
import { listJobs, loadJob, type OutboxJob } from '@/outbox'
import { idle, resetOutboxForTests } from '@/outbox/runner'
import { saveJob } from '@/outbox/store'
import { listSavedCases } from '@/cases/saved'
import Home from '@/pages/index/index'
import OutboxPage from '@/pages/outbox/index'
import ReceiptPage from '@/pages/receipt/index'
import SubmitPage from '@/report/submit/index'

jest.mock('@/platform/files', () => require('../app/support/memory-files'))

const mockRequest = Taro.request as unknown as jest.Mock
const RECEIPT = '0123456789012345'

function jobOf(id: string, patch: Partial<OutboxJob> = {}): OutboxJob {
  return {
    version: 1,
    id,
    createdAt: '2024-05-20T08:00:00.000Z',
    declaredAt: '2024-05-20T07:59:00.000Z',
    category: 'loan',
    branch: 'yd',
    files: [{ name: '转账记录.png', label: '交易记录', size: 300_000 }],
    idempotencyKey: 'k'.repeat(32),
    receipt: RECEIPT,
    phase: 'done',
    header: { v: 2, suite: SUITE, kid: '0123456789abcdef', epk: 'A'.repeat(43) + '=' },
    report: { key: `enc/${id}/report`, size: 1072, crc32: 'a'.repeat(8) },
    attachments: [{ key: `enc/${id}/0`, size: 300_048, crc32: 'b'.repeat(8) }],
    submissionId: 'c'.repeat(32),
    acceptedAt: '2024-05-20T08:05:00.000Z',
    attempt: 0,
    ...patch,
  }
}

/** A queued report as the runner leaves it: draft, original file, encrypted copies, job. */
async function queued(id: string, patch: Partial<OutboxJob> = {}): Promise<OutboxJob> {
  saveDraft(completeDraft(id, { attachments: [{ id: 'a1', label: '交易记录', name: '转账记录.png', mime: 'image/png', size: 300_000, ref: `att/${id}/a1` }] }))
  await memoryFiles.appendFile(`att/${id}/a1`, new Uint8Array(10))
  await memoryFiles.appendFile(`enc/${id}/report`, new Uint8Array(10))
  await memoryFiles.appendFile(`enc/${id}/0`, new Uint8Array(10))
  const job = jobOf(id, patch)
  saveJob(job)
  return job
}

beforeEach(() => {
  resetApp()
  resetOutboxForTests()
  mockRequest.mockReset()
})

afterEach(async () => {
  await idle()
})

describe('receipt page', () => {
  it('shows the 16 digits grouped 4-4-4-4 with a copy button and a plain warning', async () => {
    await queued('r1')
    renderPage(ReceiptPage, { params: { id: 'r1' } })
    expect(screen.getByTestId('receipt-code').textContent).toBe('0123 4567 8901 2345')
    expect(screen.getByText(/丢失后无法找回/)).toBeTruthy()
    fireEvent.click(screen.getByTestId('receipt-copy'))
    await waitFor(() => expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: RECEIPT }))
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '查询码已复制', icon: 'none' })
  })

  it('deletes nothing until "我已保存" is confirmed; then the draft, its files and the encrypted copies go', async () => {
    await queued('r1')
    renderPage(ReceiptPage, { params: { id: 'r1' } })

    fireEvent.click(screen.getByTestId('receipt-saved'))
    // The page's own dialog repeats the code, each group of four unbreakable (not a system modal).
    const groups = Array.from(screen.getByTestId('receipt-confirm-code').querySelectorAll('.code-group')).map((g) => g.textContent?.trim())
    expect(groups).toEqual(['0123', '4567', '8901', '2345'])
    fireEvent.click(screen.getByTestId('receipt-confirm-cancel'))
    await act(async () => undefined)
    expect(screen.queryByTestId('receipt-confirm-dialog')).toBeNull()
    expect(loadJob('r1')).toBeDefined()
    expect(loadDraft('r1')).toBeDefined()
    expect(memoryFiles.keys()).toEqual(['att/r1/a1', 'enc/r1/0', 'enc/r1/report'])
    expect(Taro.reLaunch).not.toHaveBeenCalled()

    fireEvent.click(screen.getByTestId('receipt-saved'))
    fireEvent.click(screen.getByTestId('receipt-confirm'))
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' }))
    expect(listJobs()).toEqual([])
    expect(loadDraft('r1')).toBeUndefined()
    expect(memoryFiles.keys()).toEqual([])
  })

  const KEYS = { auth: 'A'.repeat(42) + 'Q', seed: 'S'.repeat(43) + '=' }

  it('keeps nothing on the phone by default: confirming forgets the 查询码 with the job', async () => {
    await queued('k0', { caseKeys: KEYS })
    renderPage(ReceiptPage, { params: { id: 'k0' } })
    const keep = screen.getByTestId('receipt-keep')
    expect(keep.getAttribute('aria-checked')).toBe('false')
    expect(screen.getByTestId('receipt-keep-warning').textContent).toContain('任何拿到这部手机的人都能打开这个案件')
    fireEvent.click(screen.getByTestId('receipt-saved'))
    fireEvent.click(screen.getByTestId('receipt-confirm'))
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalled())
    expect(listSavedCases()).toEqual([])
    expect(JSON.stringify([...__storage.entries()])).not.toContain(RECEIPT)
  })

  it('keeps the case only when the resident ticks 在本机保存查询码, with the keys derived while encrypting', async () => {
    await queued('k1', { caseKeys: KEYS })
    renderPage(ReceiptPage, { params: { id: 'k1' } })
    fireEvent.click(screen.getByTestId('receipt-keep'))
    expect(screen.getByTestId('receipt-keep').getAttribute('aria-checked')).toBe('true')
    fireEvent.click(screen.getByTestId('receipt-saved'))
    fireEvent.click(screen.getByTestId('receipt-confirm'))
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalled())
    expect(listSavedCases()).toMatchObject([{ caseId: 'c'.repeat(32), receipt: RECEIPT, auth: KEYS.auth, seed: KEYS.seed, unread: 0, seen: [] }])
    expect(listJobs()).toEqual([])
  })

  it('offers no keeping for a report queued before the case channel (no derived keys)', async () => {
    await queued('k2')
    renderPage(ReceiptPage, { params: { id: 'k2' } })
    expect(screen.queryByTestId('receipt-keep')).toBeNull()
  })

  it('never shows a receipt for a report that is not accepted yet', async () => {
    await queued('r2', { phase: 'uploading', acceptedAt: undefined })
    renderPage(ReceiptPage, { params: { id: 'r2' } })
    expect(screen.queryByTestId('receipt-code')).toBeNull()
    expect(screen.getByText(/还没有提交完成/)).toBeTruthy()
  })

  it('says so when the receipt was already confirmed', () => {
    renderPage(ReceiptPage, { params: { id: 'gone' } })
    expect(screen.getByText(/已经确认保存过了/)).toBeTruthy()
  })
})

describe('outbox page', () => {
  it('lists waiting reports with a plain status', async () => {
    await queued('w1', { phase: 'encrypted', submissionId: undefined, acceptedAt: undefined, attempt: 2, retryAt: '2099-01-01T00:00:00.000Z', lastError: { kind: 'offline', message: '网络连接不上', at: '2024-05-20T08:01:00.000Z' } })
    renderPage(OutboxPage)
    const [item] = screen.getAllByTestId('outbox-item')
    expect(item.textContent).toContain('网络“套路贷”犯罪')
    expect(item.textContent).toContain('等待网络，恢复后会自动发送')
    fireEvent.click(item)
    expect((Taro.navigateTo as jest.Mock).mock.calls[0][0].url).toBe('/pages/outbox/index?id=w1')
  })

  it('shows what is pending and cancels only after confirmation; the draft goes back to the drafts', async () => {
    await queued('w1', { phase: 'uploading', acceptedAt: undefined, retryAt: '2099-01-01T00:00:00.000Z', lastError: { kind: 'timeout', message: 'x', at: '2024-05-20T08:01:00.000Z' } })
    renderPage(OutboxPage, { params: { id: 'w1' } })
    const detail = screen.getByTestId('outbox-detail')
    expect(detail.textContent).toContain('转账记录.png')
    expect(screen.getByTestId('progress-total')).toBeTruthy()
    expect(listDrafts()).toEqual([])

    ;(Taro.showModal as jest.Mock).mockResolvedValueOnce({ confirm: false, cancel: true })
    fireEvent.click(screen.getByTestId('outbox-cancel'))
    await waitFor(() => expect(Taro.showModal).toHaveBeenCalledTimes(1))
    expect((Taro.showModal as jest.Mock).mock.calls[0][0].title).toBe('取消发送这份举报？')
    await act(async () => undefined)
    expect(loadJob('w1')).toBeDefined()

    fireEvent.click(screen.getByTestId('outbox-cancel'))
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalled())
    expect(loadJob('w1')).toBeUndefined()
    expect(memoryFiles.keys()).toEqual(['att/w1/a1'])
    expect(listDrafts().map((d) => d.id)).toEqual(['w1'])
  })

  it('offers no cancel once the finalize was sent', async () => {
    await queued('f1', { phase: 'finalizing', acceptedAt: undefined, finalizeSent: true, retryAt: '2099-01-01T00:00:00.000Z', lastError: { kind: 'offline', message: 'x', at: '2024-05-20T08:01:00.000Z' } })
    renderPage(OutboxPage, { params: { id: 'f1' } })
    expect(screen.queryByTestId('outbox-cancel')).toBeNull()
    expect(screen.getByText('举报已上传完毕，正在完成提交，不能再取消。')).toBeTruthy()
  })
})

describe('progress page', () => {
  it('shows per-file and total bars', async () => {
    await queued('p1', { phase: 'uploading', acceptedAt: undefined, report: { key: 'enc/p1/report', size: 150_000, crc32: 'a'.repeat(8) } })
    renderPage(SubmitPage, { params: { id: 'p1' } })
    expect(screen.getByText('正在提交举报')).toBeTruthy()
    expect(screen.getAllByTestId('progress-file')).toHaveLength(1)
    const total = screen.getByTestId('progress-total')
    // The report itself went with the create: the bar has moved.
    expect(Number(total.getAttribute('data-percent'))).toBeGreaterThan(0)
    expect(Number(total.getAttribute('data-percent'))).toBeLessThan(100)
  })

  it('shows encryption and upload separately, each with the time left once it is known', () => {
    const job = { ...jobOf('e1'), phase: 'encrypting' as const, header: undefined, report: undefined, attachments: undefined, submissionId: undefined, acceptedAt: undefined }
    const view = {
      job,
      status: 'encrypting' as const,
      text: '正在手机上加密，请稍候',
      progress: { activity: 'encrypting' as const, encrypted: { done: 100_000, total: 300_001 }, files: [], uploaded: { done: 0, total: 0 }, encryptLeftMs: 150_000 },
    }
    const { rerender } = render(<SendProgress view={view} />)
    const bar = screen.getByTestId('progress-encrypt')
    expect(bar.getAttribute('data-percent')).toBe('33')
    expect(bar.textContent).toContain('还需约 3 分钟')
    // Before an estimate: how much is done instead.
    rerender(<SendProgress view={{ ...view, progress: { ...view.progress, encryptLeftMs: undefined } }} />)
    expect(screen.getByTestId('progress-encrypt').textContent).toContain('98 KB / 293 KB')
    // Uploading: the encryption stage is done, the total bar carries its own estimate.
    const uploading = {
      ...view,
      job: { ...jobOf('e1'), phase: 'uploading' as const, acceptedAt: undefined },
      status: 'sending' as const,
      progress: { activity: 'uploading' as const, encrypted: { done: 1, total: 1 }, files: [{ name: 'x', done: 100_048, total: 300_048 }], uploaded: { done: 100_048, total: 300_048 }, uploadLeftMs: 40_000 },
    }
    rerender(<SendProgress view={uploading} />)
    expect(screen.queryByTestId('progress-encrypt')).toBeNull()
    expect(screen.getByText('1. 在手机上加密（已完成）')).toBeTruthy()
    expect(screen.getByTestId('progress-total').textContent).toContain('还需约 40 秒')
  })

  it('hands over to the receipt page once the report is accepted', async () => {
    await queued('p2')
    renderPage(SubmitPage, { params: { id: 'p2' } })
    await waitFor(() => expect((Taro.redirectTo as jest.Mock).mock.calls.map((c) => c[0].url)).toEqual(['/pages/receipt/index?id=p2']))
  })

  it('tells the resident a waiting report is safe and will be sent automatically', async () => {
    await queued('p3', { phase: 'encrypted', submissionId: undefined, acceptedAt: undefined, retryAt: '2099-01-01T00:00:00.000Z', lastError: { kind: 'offline', message: 'x', at: '2024-05-20T08:01:00.000Z' } })
    renderPage(SubmitPage, { params: { id: 'p3' } })
    expect(screen.getByText('举报已放入待发送')).toBeTruthy()
    expect(screen.getByText('等待网络，恢复后会自动发送')).toBeTruthy()
    expect(screen.getByText(/不会丢失/)).toBeTruthy()
  })
})

describe('home page', () => {
  it('keeps an unconfirmed receipt reachable, lists pending reports, and opens the status page', async () => {
    await queued('h1')
    await queued('h2', { phase: 'encrypted', submissionId: undefined, acceptedAt: undefined, retryAt: '2099-01-01T00:00:00.000Z', lastError: { kind: 'offline', message: 'x', at: '2024-05-20T08:01:00.000Z' } })
    renderPage(Home)
    expect(screen.getByTestId('receipt-pending').textContent).toContain('您有一份举报已提交，请保存查询码')
    expect(screen.getByTestId('open-outbox').textContent).toContain('待发送的举报（1）')
    expect(screen.getByTestId('open-outbox').textContent).toContain('等待网络，恢复后会自动发送')
    // Queued reports are not drafts any more.
    expect(screen.getByTestId('open-drafts').textContent).toBe('我的草稿（0）')

    fireEvent.click(screen.getByTestId('receipt-pending'))
    fireEvent.click(screen.getByTestId('open-outbox'))
    fireEvent.click(screen.getByTestId('open-case'))
    expect((Taro.navigateTo as jest.Mock).mock.calls.map((c) => c[0].url)).toEqual([
      '/pages/receipt/index?id=h1',
      '/pages/outbox/index',
      '/pages/case/index',
    ])
  })

  it('shows neither when nothing is queued', () => {
    renderPage(Home)
    expect(screen.queryByTestId('receipt-pending')).toBeNull()
    expect(screen.queryByTestId('open-outbox')).toBeNull()
    expect(screen.getByTestId('open-case').textContent).toBe('查看办理进度和留言')
  })
})
