/** @jest-environment jsdom */
import { fireEvent, screen, waitFor } from '@testing-library/react'
import Taro from '../../mocks/taro'
import { draftOf } from '../support/drafts'
import { navigations, redirects, renderPage, resetApp } from '../support/pages'
import { listDrafts } from '@/drafts/store'
import Home from '@/pages/index/index'
import { saveDraft } from '@/drafts/store'

jest.mock('@/platform/files', () => require('../support/memory-files'))

/** Fakes only the clock: promises and the autosave timer stay real. */
function setClock(iso: string) {
  jest.useFakeTimers({
    now: new Date(iso),
    doNotFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask'],
  })
}

beforeEach(resetApp)

afterEach(() => {
  jest.useRealTimers()
})

describe('home page', () => {
  it.each<[string, string, string, boolean]>([
    ['during the campaign', '2023-06-01T04:00:00Z', '专项行动进行中，还有 214 天', true],
    ['on its first day (China time)', '2023-03-08T16:30:00Z', '专项行动进行中，还有 298 天', true],
    ['on its last day, late evening China time', '2023-12-31T15:30:00Z', '专项行动进行中，还有 1 天', true],
    ['after it ended (reports still accepted)', '2023-12-31T16:30:00Z', '专项行动已结束，仍可继续举报', true],
    ['before it starts', '2023-03-01T04:00:00Z', '专项行动将于 8 天后开始', false],
  ])('%s shows the period and the state', (_name, now, state, accepting) => {
    setClock(now)
    renderPage(Home)
    expect(screen.getByTestId('campaign-period').textContent).toBe('专项行动时间：2023年3月9日 至 2023年12月31日')
    expect(screen.getByTestId('campaign-state').textContent).toBe(state)
    expect(screen.queryByTestId('start-report') !== null).toBe(accepting)
    if (!accepting) expect(screen.getByText(/如需报警请拨打 110/)).toBeTruthy()
  })

  it('"我要举报" creates a draft and opens the category step', async () => {
    setClock('2023-06-01T04:00:00Z')
    renderPage(Home)
    fireEvent.click(screen.getByTestId('start-report'))
    await waitFor(() => expect(Taro.navigateTo).toHaveBeenCalled())
    const drafts = listDrafts()
    expect(drafts).toHaveLength(1)
    expect(drafts[0].createdAt).toBe('2023-06-01T04:00:00.000Z')
    expect(drafts[0].category).toBeUndefined()
    expect(navigations()).toEqual([`/report/category/index?id=${drafts[0].id}`])
  })

  it('lists unfinished drafts (at most three) and counts them all', () => {
    setClock('2023-06-01T04:00:00Z')
    for (let i = 1; i <= 4; i++) saveDraft(draftOf(`d${i}`, { category: 'loan' }, new Date(`2023-05-2${i}T00:00:00Z`)))
    renderPage(Home)
    expect(screen.getAllByTestId('draft')).toHaveLength(3)
    expect(screen.getByTestId('open-drafts').textContent).toBe('我的草稿（4）')
    expect(screen.getAllByText('网络“套路贷”犯罪')).toHaveLength(3)
    // Resuming opens the first unfinished step.
    fireEvent.click(screen.getAllByTestId('resume-draft')[0])
    expect(navigations()).toEqual(['/report/details/index?id=d4'])
  })

  it.each<[string, string]>([
    ['open-notice', '/pages/notice/index'],
    ['open-drafts', '/pages/drafts/index'],
    ['open-privacy', '/pages/privacy/index'],
  ])('%s opens %s', (testId, url) => {
    renderPage(Home)
    fireEvent.click(screen.getByTestId(testId))
    expect(navigations()).toEqual([url])
  })

  it('a QR-code entry opens the flow instead of the home page', async () => {
    renderPage(Home, { params: { b: 'yd', c: 'loan' } })
    expect(screen.getByText('正在打开举报页面…')).toBeTruthy()
    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalled())
    const [draft] = listDrafts()
    expect(draft).toMatchObject({ branch: 'yd', category: 'loan' })
    // The category step in place of the home page; it opens the details step on top of itself,
    // so that Back from details shows the category.
    expect(redirects()).toEqual([`/report/category/index?id=${draft.id}`])
  })
})
