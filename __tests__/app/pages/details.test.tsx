/** @jest-environment jsdom */
import { fireEvent, screen } from '@testing-library/react'
import { draftOf } from '../support/drafts'
import { clickNext, errorAt, fieldsWithErrors, redirects, renderPage, resetApp, type } from '../support/pages'
import { loadDraft } from '@/drafts/store'
import DetailsStep from '@/report/details/index'

jest.mock('@/platform/files', () => require('../support/memory-files'))

beforeEach(resetApp)

const LONG_ENOUGH = '对方冒充平台客服，让我下载一个App并转账五千元，之后拉黑了我。'
const SHORT = '被骗了，对方拉黑我'

describe('details step', () => {
  it('blocks an empty form with messages at the time and description fields', () => {
    renderPage(DetailsStep, { draft: draftOf('d1', { category: 'other' }) })
    clickNext()
    expect(errorAt('happenedAt')).toBe('请选择事情发生的时间')
    expect(errorAt('description')).toBe('请详细描述受害经过，至少20个字（现在0个字）')
    expect(redirects()).toEqual([])
  })

  it('a description under 20 characters is refused at the field', () => {
    renderPage(DetailsStep, { draft: draftOf('d1', { category: 'other', happenedAt: '2024-01-05T10:30' }) })
    type('description', SHORT)
    clickNext()
    expect(errorAt('description')).toBe(`请详细描述受害经过，至少20个字（现在${Array.from(SHORT).length}个字）`)
    expect(fieldsWithErrors()).toEqual(['description'])
    expect(redirects()).toEqual([])
  })

  it.each<[string, string | null]>([
    ['abc', '请填写完整的网址，例如 https://www.example.com 或 www.example.cn'],
    ['ftp://example.com', '只支持以 http:// 或 https:// 开头的网址'],
    ['www.example.com', null],
    ['https://example.cn/post/1?x=2', null],
  ])('link "%s" → %s', (link, message) => {
    renderPage(DetailsStep, { draft: draftOf('d1', { category: 'other', happenedAt: '2024-01-05T10:30', description: LONG_ENOUGH }) })
    type('link-0', link)
    clickNext()
    expect(errorAt('links.0')).toBe(message)
    expect(redirects()).toEqual(message ? [] : ['/report/evidence/index?id=d1'])
  })

  it('the happening time is set through the date picker', () => {
    renderPage(DetailsStep, { draft: draftOf('d1', { category: 'other', description: LONG_ENOUGH }) })
    clickNext()
    expect(errorAt('happenedAt')).toBe('请选择事情发生的时间')
    fireEvent.change(screen.getByTestId('happened-date-input'), { target: { value: '2024-01-05' } })
    expect(errorAt('happenedAt')).toBeNull()
    expect(screen.getByText('2024年1月5日')).toBeTruthy()
    fireEvent.change(screen.getByTestId('happened-time-input'), { target: { value: '21:15' } })
    clickNext()
    expect(redirects()).toEqual(['/report/evidence/index?id=d1'])
    expect(loadDraft('d1')?.happenedAt).toBe('2024-01-05T21:15')
  })

  it('a time in the future is refused', () => {
    renderPage(DetailsStep, { draft: draftOf('d1', { category: 'other', description: LONG_ENOUGH, happenedAt: '2999-01-01T00:00' }) })
    clickNext()
    expect(errorAt('happenedAt')).toBe('发生时间不能晚于现在')
  })

  it('required category fields are asked for, and "不清楚" answers them', () => {
    renderPage(DetailsStep, { draft: draftOf('d1', { category: 'loan', description: LONG_ENOUGH, happenedAt: '2024-01-05T10:30' }) })
    expect(screen.getByText('网络“套路贷”犯罪：补充信息')).toBeTruthy()
    clickNext()
    expect(errorAt('extra.app')).toBe('请填写借款App或平台名称，不清楚请填写“不清楚”')
    type('extra-contractAmount', '-5')
    expect(errorAt('extra.contractAmount')).toBe('金额不能为负数')
    type('extra-contractAmount', '5000')
    fireEvent.click(screen.getAllByText('填“不清楚”')[0])
    expect(fieldsWithErrors()).toEqual([])
    clickNext()
    expect(redirects()).toEqual(['/report/evidence/index?id=d1'])
    expect(loadDraft('d1')?.extra).toEqual({ app: '不清楚', contractAmount: '5000' })
  })

  it('party phones are checked when given', () => {
    renderPage(DetailsStep, { draft: draftOf('d1', { category: 'other', description: LONG_ENOUGH, happenedAt: '2024-01-05T10:30' }) })
    type('party-phones', '12')
    clickNext()
    expect(errorAt('party.phones')).toBe('“12”不是有效的电话号码，多个号码请用逗号或换行分隔')
    type('party-phones', '13800138000，0352-7788110')
    expect(errorAt('party.phones')).toBeNull()
  })

  it('valid input is saved and leads to the evidence step', () => {
    renderPage(DetailsStep, { draft: draftOf('d1', { category: 'other', happenedAt: '2024-01-05T10:30' }) })
    type('description', LONG_ENOUGH)
    type('link-0', 'www.example.com')
    fireEvent.click(screen.getByTestId('add-link'))
    type('link-1', 'https://example.cn/a')
    type('party-accounts', 'wxid_abc')
    clickNext()
    expect(redirects()).toEqual(['/report/evidence/index?id=d1'])
    const saved = loadDraft('d1')!
    expect(saved.description).toBe(LONG_ENOUGH)
    expect(saved.links).toEqual(['www.example.com', 'https://example.cn/a'])
    expect(saved.party.accounts).toBe('wxid_abc')
  })
})
