/** @jest-environment jsdom */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import Taro from '../../mocks/taro'
import { attachmentOf, completeDraft, draftOf } from '../support/drafts'
import { navigations, redirects, renderPage, resetApp } from '../support/pages'
import { __pages } from '../../mocks/taro'
import ReviewStep from '@/report/review/index'
import { listDrafts, loadDraft } from '@/drafts/store'
import { listJobs, loadJob } from '@/outbox'
import { idle, resetOutboxForTests } from '@/outbox/runner'

jest.mock('@/platform/files', () => require('../support/memory-files'))

beforeEach(() => {
  resetApp()
  resetOutboxForTests()
})

afterEach(async () => {
  await idle()
})

describe('review step', () => {
  it('shows what was entered, section by section', () => {
    const draft = completeDraft('d1', {
      attachments: [attachmentOf('d1', 1, { name: '转账记录.png', size: 2048, label: '交易记录' })],
      party: { accounts: 'wxid_bad', phones: '13800138000', websites: '' },
    })
    renderPage(ReviewStep, { draft })
    expect(within(screen.getByTestId('review-category')).getByText('(八)利用信息网络实施的其他涉黑涉恶违法犯罪')).toBeTruthy()
    const details = within(screen.getByTestId('review-details'))
    expect(details.getByText('2024年1月5日 10:30')).toBeTruthy()
    expect(details.getByText(draft.description)).toBeTruthy()
    expect(details.getByText('www.example.com/post/1')).toBeTruthy()
    expect(details.getByText('wxid_bad')).toBeTruthy()
    expect(screen.getByTestId('review-attachment').textContent).toBe('1. [交易记录] 转账记录.png（2 KB）')
    const branch = within(screen.getByTestId('review-branch'))
    expect(branch.getByText('大同市公安局御东分局扫黑办')).toBeTruthy()
    expect(branch.getByText('举报电话：0352-7788110')).toBeTruthy()
    expect(within(screen.getByTestId('review-reporter')).getByText('匿名举报')).toBeTruthy()
    expect(within(screen.getByTestId('review-declaration')).getByText('已确认内容真实，知悉诬告责任')).toBeTruthy()
    expect(screen.queryByText('这一部分还没有完成')).toBeNull()
    expect(screen.getByText(/已完成 6 \/ 6 部分/)).toBeTruthy()
  })

  it('masks a real-name reporter\'s ID number', () => {
    renderPage(ReviewStep, {
      draft: completeDraft('d1', { reporter: { anonymous: false, name: '张三', mobile: '13800138000', idNumber: '11010519491231002X' } }),
    })
    const reporter = within(screen.getByTestId('review-reporter'))
    expect(reporter.getByText('实名举报')).toBeTruthy()
    expect(reporter.getByText('张三')).toBeTruthy()
    expect(reporter.getByText('110105********002X')).toBeTruthy()
    expect(screen.queryByText('11010519491231002X')).toBeNull()
  })

  it.each(['category', 'details', 'evidence', 'branch', 'reporter', 'declaration'])('"修改" on %s opens that step with from=review', (step) => {
    renderPage(ReviewStep, { draft: completeDraft('d1') })
    fireEvent.click(screen.getByTestId(`edit-${step}`))
    // On top of the review, so that Back (or the step's "保存并返回") comes back to it.
    expect(navigations()).toEqual([`/report/${step}/index?id=d1&from=review`])
    expect(redirects()).toEqual([])
  })

  it('submitting a complete report queues it in the outbox and opens the progress page', async () => {
    renderPage(ReviewStep, { draft: completeDraft('d1') })
    fireEvent.click(screen.getByTestId('submit'))
    await waitFor(() => expect(redirects()).toEqual(['/report/submit/index?id=d1']))
    const job = loadJob('d1')!
    expect(job.receipt).toMatch(/^\d{16}$/)
    expect(job.idempotencyKey).toMatch(/^[A-Za-z0-9_-]{22,64}$/)
    // A queued report is no longer a draft: it leaves the draft list (its record stays until the receipt is saved).
    expect(listDrafts()).toEqual([])
    expect(loadDraft('d1')).toBeDefined()
    await idle()
  })

  it('submitting the same draft twice never makes a second job', async () => {
    renderPage(ReviewStep, { draft: completeDraft('d1') })
    fireEvent.click(screen.getByTestId('submit'))
    fireEvent.click(screen.getByTestId('submit'))
    await waitFor(() => expect(redirects()).toHaveLength(1))
    const first = loadJob('d1')!
    fireEvent.click(screen.getByTestId('submit'))
    await waitFor(() => expect(redirects()).toHaveLength(2))
    expect(listJobs().map((j) => j.id)).toEqual(['d1'])
    expect(loadJob('d1')!.idempotencyKey).toBe(first.idempotencyKey)
    expect(loadJob('d1')!.receipt).toBe(first.receipt)
    await idle()
  })

  it('a report already in the outbox is not submitted again: the button opens its progress', async () => {
    renderPage(ReviewStep, { draft: completeDraft('d1') })
    fireEvent.click(screen.getByTestId('submit'))
    await waitFor(() => expect(redirects()).toHaveLength(1))
    await idle()
    const job = loadJob('d1')!
    cleanup()
    renderPage(ReviewStep, { params: { id: 'd1' } })
    expect(screen.getByTestId('submit').textContent).toBe('查看发送进度')
    expect(screen.getByText(/这份举报已经提交/)).toBeTruthy()
    fireEvent.click(screen.getByTestId('submit'))
    await waitFor(() => expect(redirects()).toHaveLength(2))
    expect(redirects()[1]).toBe('/report/submit/index?id=d1')
    expect(loadJob('d1')!.idempotencyKey).toBe(job.idempotencyKey)
  })

  it('is refused while the campaign does not accept reports, and nothing is queued', async () => {
    jest.useFakeTimers({ now: new Date('2023-03-01T04:00:00Z'), doNotFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask'] })
    try {
      renderPage(ReviewStep, { draft: completeDraft('d1', { happenedAt: '2023-02-01T10:30' }) })
      expect(screen.queryByText('这一部分还没有完成')).toBeNull()
      fireEvent.click(screen.getByTestId('submit'))
      await waitFor(() => expect(Taro.showModal).toHaveBeenCalled())
      expect((Taro.showModal as jest.Mock).mock.calls[0][0].title).toBe('暂不受理在线举报')
      expect(listJobs()).toEqual([])
      expect(redirects()).toEqual([])
    } finally {
      jest.useRealTimers()
    }
  })

  it('an incomplete report marks the missing parts and is not submitted', () => {
    renderPage(ReviewStep, { draft: draftOf('d1', { category: 'loan' }) })
    expect(screen.getAllByText('这一部分还没有完成')).toHaveLength(3)
    for (const step of ['details', 'branch', 'declaration']) {
      expect(screen.getByTestId(`review-${step}`).className).toContain('review__section--missing')
    }
    expect(within(screen.getByTestId('review-details')).getAllByText('未填写').length).toBeGreaterThan(0)
    fireEvent.click(screen.getByTestId('submit'))
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '请先完成标红的部分', icon: 'none' })
    expect(Taro.showModal).not.toHaveBeenCalled()
  })

  it('"上一步" goes back to the declaration below it in the page stack', () => {
    __pages.push({ route: 'report/declaration/index', options: { id: 'd1' } }, { route: 'report/review/index', options: { id: 'd1' } })
    renderPage(ReviewStep, { draft: completeDraft('d1') })
    fireEvent.click(screen.getByText('上一步'))
    expect(Taro.navigateBack).toHaveBeenCalledWith({ delta: 1 })
    expect(redirects()).toEqual([])
  })

  it('"上一步" opens the declaration in place when the review was opened directly (e.g. from the drafts list)', () => {
    __pages.push({ route: 'pages/drafts/index', options: {} }, { route: 'report/review/index', options: { id: 'd1' } })
    renderPage(ReviewStep, { draft: completeDraft('d1') })
    fireEvent.click(screen.getByText('上一步'))
    expect(Taro.navigateBack).not.toHaveBeenCalled()
    expect(redirects()).toEqual(['/report/declaration/index?id=d1'])
  })
})
