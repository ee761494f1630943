/** @jest-environment jsdom */
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { draftOf } from '../support/drafts'
import { clickNext, errorAt, fieldsWithErrors, opened, renderPage, resetApp, type } from '../support/pages'
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
    expect(opened()).toEqual([])
  })

  it('a description under 20 characters is refused at the field', () => {
    renderPage(DetailsStep, { draft: draftOf('d1', { category: 'other', happenedAt: '2024-01-05T10:30' }) })
    type('description', SHORT)
    clickNext()
    expect(errorAt('description')).toBe(`请详细描述受害经过，至少20个字（现在${Array.from(SHORT).length}个字）`)
    expect(fieldsWithErrors()).toEqual(['description'])
    expect(opened()).toEqual([])
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
    expect(opened()).toEqual(message ? [] : ['/report/evidence/index?id=d1'])
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
    expect(opened()).toEqual(['/report/evidence/index?id=d1'])
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
    expect(opened()).toEqual(['/report/evidence/index?id=d1'])
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
    expect(opened()).toEqual(['/report/evidence/index?id=d1'])
    const saved = loadDraft('d1')!
    expect(saved.description).toBe(LONG_ENOUGH)
    expect(saved.links).toEqual(['www.example.com', 'https://example.cn/a'])
    expect(saved.party.accounts).toBe('wxid_abc')
  })

  describe('issue 12', () => {
    const base = () => draftOf('d1', { category: 'other', happenedAt: '2024-01-05T10:30', description: LONG_ENOUGH })

    it.each(['甜心交友', '“甜心”交友App', '甜心交友App https://tianxin.example.com', '某某贷\n快乐借App'])(
      '1: "对方的网站、App 名称" accepts %j',
      (text) => {
        renderPage(DetailsStep, { draft: base() })
        type('party-websites', text)
        clickNext()
        expect(errorAt('party.websites')).toBeNull()
        expect(opened()).toEqual(['/report/evidence/index?id=d1'])
        expect(loadDraft('d1')?.party.websites).toBe(text)
      },
    )

    it('1: a link written there is still checked as a link', () => {
      renderPage(DetailsStep, { draft: base() })
      type('party-websites', '甜心交友 https://bad_host.cn')
      clickNext()
      expect(errorAt('party.websites')).toMatch(/“https:\/\/bad_host.cn”：网址中的域名不正确/)
    })

    it('1: "对方让您下载的App或链接" (裸聊) accepts an App name', () => {
      renderPage(DetailsStep, { draft: draftOf('d1', { category: 'nude', happenedAt: '2024-01-05T10:30', description: LONG_ENOUGH, extra: { platform: '某交友App' } }) })
      type('extra-appLinks', '“甜心”交友App')
      clickNext()
      expect(errorAt('extra.appLinks')).toBeNull()
      expect(opened()).toEqual(['/report/evidence/index?id=d1'])
    })

    it("2: each link's message sits directly under its own box, which is marked; the valid one is not", () => {
      renderPage(DetailsStep, { draft: base() })
      type('link-0', 'weixin://dl/chat')
      fireEvent.click(screen.getByTestId('add-link'))
      type('link-1', 'www.baidu.com')
      clickNext()
      const box0 = screen.getByTestId('link-0')
      const box1 = screen.getByTestId('link-1')
      const error = document.querySelector('[data-error-for="links.0"]')!
      expect(error.textContent).toBe('只支持以 http:// 或 https:// 开头的网址')
      // Right after its own box, inside that link's row; nothing between them.
      expect(box0.nextElementSibling).toBe(error)
      expect(box0.closest('[data-field="links.0"]')).toBe(error.closest('[data-field="links.0"]'))
      expect(box1.closest('[data-field="links.1"]')!.querySelector('[data-error-for]')).toBeNull()
      expect(box0.getAttribute('aria-invalid')).toBe('true')
      expect(box0.className).toContain('input--error')
      expect(box1.getAttribute('aria-invalid')).toBe('false')
      expect(box1.className).not.toContain('input--error')
      // The row's remove button comes after the message, not between the box and it.
      expect(screen.getByTestId('remove-link-0').compareDocumentPosition(error) & Node.DOCUMENT_POSITION_PRECEDING).toBeTruthy()
    })

    it('3: a 3,000-character link is kept whole (no length cap on the box) and accepted', () => {
      const link = 'https://example.com/' + 'a'.repeat(2980)
      renderPage(DetailsStep, { draft: base() })
      expect(screen.getByTestId('link-0').hasAttribute('maxlength')).toBe(false)
      type('link-0', link)
      clickNext()
      expect(loadDraft('d1')?.links).toEqual([link])
      expect(opened()).toEqual(['/report/evidence/index?id=d1'])
    })

    it('3: a link longer than the limit is refused with the limit and its length, never cut', () => {
      const link = 'https://example.com/' + 'a'.repeat(8000)
      renderPage(DetailsStep, { draft: base() })
      type('link-0', link)
      clickNext()
      expect(errorAt('links.0')).toBe('链接过长：现在有8020个字符，最多可以填8000个字符')
      expect((screen.getByTestId('link-0') as HTMLInputElement).value).toBe(link)
    })

    it('3: no multi-line box is capped (Taro and WeChat cut at 140 characters by default)', () => {
      const { unmount } = renderPage(DetailsStep, { draft: draftOf('d1', { category: 'loan' }) })
      for (const box of Array.from(document.querySelectorAll('textarea, input:not([aria-label^="picker"])'))) {
        expect([box.getAttribute('data-testid'), box.getAttribute('maxlength')]).toEqual([box.getAttribute('data-testid'), null])
      }
      const accounts = 'wxid_'.repeat(60)
      type('party-accounts', accounts)
      expect((screen.getByTestId('party-accounts') as HTMLTextAreaElement).value).toBe(accounts)
      unmount()
      expect(loadDraft('d1')?.party.accounts).toBe(accounts)
    })

    it('4: amount boxes are text boxes with a numeric keyboard hint; "不清楚" shows in the box', () => {
      renderPage(DetailsStep, { draft: draftOf('d1', { category: 'loan', happenedAt: '2024-01-05T10:30', description: LONG_ENOUGH, extra: { app: '快乐借' } }) })
      const box = screen.getByTestId('extra-receivedAmount') as HTMLInputElement
      expect(box.type).toBe('text')
      expect(box.getAttribute('inputmode')).toBe('decimal')
      fireEvent.click(screen.getByTestId('extra-receivedAmount-unknown'))
      expect(box.value).toBe('不清楚')
      clickNext()
      expect(loadDraft('d1')?.extra.receivedAmount).toBe('不清楚')
    })

    it('4: full-width digits are kept, tidied when the resident leaves the box, and the resident is told', async () => {
      renderPage(DetailsStep, { draft: draftOf('d1', { category: 'loan', happenedAt: '2024-01-05T10:30', description: LONG_ENOUGH, extra: { app: '快乐借' } }) })
      const box = screen.getByTestId('extra-contractAmount') as HTMLInputElement
      type('extra-contractAmount', '２００００')
      expect(box.value).toBe('２００００')
      expect(document.querySelector('[data-note-for="extra-contractAmount"]')).toBeNull()
      fireEvent.blur(box)
      expect(box.value).toBe('20000')
      // The note comes a moment later, so a tap that left the box does not land on moved content.
      expect(document.querySelector('[data-note-for="extra-contractAmount"]')).toBeNull()
      await waitFor(() => expect(document.querySelector('[data-note-for="extra-contractAmount"]')?.textContent).toBe('已把您填写的“２００００”整理为“20000”，请核对。'))
      clickNext()
      expect(loadDraft('d1')?.extra.contractAmount).toBe('20000')
      // Typing again clears the note.
      type('extra-contractAmount', '20001')
      expect(document.querySelector('[data-note-for="extra-contractAmount"]')).toBeNull()
    })

    it('4: an amount already in order is left exactly as typed, without a note', () => {
      renderPage(DetailsStep, { draft: draftOf('d1', { category: 'loan', extra: { app: 'x' } }) })
      type('extra-contractAmount', '5000元')
      fireEvent.blur(screen.getByTestId('extra-contractAmount'))
      expect((screen.getByTestId('extra-contractAmount') as HTMLInputElement).value).toBe('5000元')
      expect(document.querySelector('[data-note-for]')).toBeNull()
    })

    it('6: a date alone is recorded as the date, never as midnight; the time stays "可不选"', () => {
      renderPage(DetailsStep, { draft: draftOf('d1', { category: 'other', description: LONG_ENOUGH }) })
      fireEvent.change(screen.getByTestId('happened-date-input'), { target: { value: '2024-01-05' } })
      expect(screen.getByText('选择时间（可不选）')).toBeTruthy()
      expect(screen.queryByText('00:00')).toBeNull()
      clickNext()
      expect(loadDraft('d1')?.happenedAt).toBe('2024-01-05')
    })

    it('6: a chosen time can be taken back, leaving the date alone', () => {
      renderPage(DetailsStep, { draft: draftOf('d1', { category: 'other', description: LONG_ENOUGH, happenedAt: '2024-01-05T21:15' }) })
      expect(screen.getByText('21:15')).toBeTruthy()
      fireEvent.click(screen.getByTestId('clear-time'))
      expect(screen.getByText('选择时间（可不选）')).toBeTruthy()
      clickNext()
      expect(loadDraft('d1')?.happenedAt).toBe('2024-01-05')
    })

    it('10: the category and office chosen by a QR code are at the top, each with a way to change it', () => {
      renderPage(DetailsStep, { draft: draftOf('d1', { category: 'loan', branch: 'yd' }) })
      const top = screen.getByTestId('choices')
      const body = document.querySelector('.step__body')!
      expect(body.firstElementChild).toBe(top)
      expect(screen.getByTestId('chosen-category').textContent).toBe('(二)网络“套路贷”犯罪')
      expect(screen.getByTestId('chosen-branch').textContent).toBe('大同市公安局御东分局扫黑办')
      fireEvent.click(screen.getByTestId('change-branch'))
      expect(opened()).toEqual(['/report/branch/index?id=d1&from=details'])
      fireEvent.click(screen.getByTestId('change-category'))
      // Not below this page in the stack (opened directly): the category step opens in its place.
      expect(opened()).toEqual(['/report/branch/index?id=d1&from=details', '/report/category/index?id=d1'])
    })
  })
})
