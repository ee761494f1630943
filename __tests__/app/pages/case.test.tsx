/**
 * @jest-environment jsdom
 *
 * The case page in jsdom: the 查询码's format is checked before any work; the conversation shows
 * bureau messages with new ones and requests for material marked; 回复 and 补充材料 are a draft
 * saved on every change and become ONE outbox job (saved before any network call); a case closed
 * for writing says why, and takes nothing. The crypto and the network (src/cases/open.ts) are
 * stood in for here: __tests__/cases/channel.test.ts runs them for real against the server.
 */
import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import Taro from '../../mocks/taro'
import { memoryFiles } from '../support/memory-files'
import { renderPage, resetApp, type } from '../support/pages'
import type { ConversationEntry } from '@/cases/open'
import { loadMessageDraft } from '@/cases/drafts'
import { findSavedCase, saveCase } from '@/cases/saved'
import { listMessageJobs } from '@/outbox/store'
import { resetOutboxForTests } from '@/outbox/runner'
import type { PickedFile } from '@/platform/files.types'
import { pickScreenshots } from '@/platform/pick'
import type { CaseView } from '@/services/case-api'
import CasePage, { closedText } from '@/pages/case/index'

jest.mock('@/platform/files', () => require('../support/memory-files'))
jest.mock('@/platform/pick', () => ({ pickScreenshots: jest.fn(), pickRecords: jest.fn() }))
jest.mock('@/outbox/runner', () => ({ ...jest.requireActual('@/outbox/runner'), kick: jest.fn(async () => undefined) }))
jest.mock('@/cases/open', () => ({
  ...jest.requireActual('@/cases/open'),
  openCaseWithReceipt: jest.fn(),
  openConversation: jest.fn(),
}))
jest.mock('@/services/case-api', () => ({ ...jest.requireActual('@/services/case-api'), fetchCase: jest.fn() }))

const open = jest.requireMock('@/cases/open') as { openCaseWithReceipt: jest.Mock; openConversation: jest.Mock }
const api = jest.requireMock('@/services/case-api') as { fetchCase: jest.Mock }
const pickShots = pickScreenshots as jest.MockedFunction<typeof pickScreenshots>

const CASE = 'c'.repeat(32)
const KEYS = { caseId: CASE, auth: 'A'.repeat(42) + 'Q', seed: 'S'.repeat(43) + '=', legacy: false }
const ASK = 'a'.repeat(32)
const OWN = 'b'.repeat(32)
const LATER = 'd'.repeat(32)

function viewOf(patch: Partial<CaseView> = {}): CaseView {
  return {
    caseId: CASE,
    status: 'reviewing',
    changedAt: '2026-01-02T03:04:05.000Z',
    canWrite: true,
    legacy: false,
    replyKeyKnown: true,
    messages: [],
    ...patch,
  }
}

function entry(msgId: string, from: 'bureau' | 'resident', text: string, requestsMaterial = false, seq = 1): ConversationEntry {
  return {
    meta: { msgId, seq, from, at: '2026-01-03T08:00:00.000Z', state: 'accepted', size: 100, attachments: 0 },
    message: { schema: 'clue-report/case-message@1', caseId: CASE, msgId, from, writtenAt: '2026-01-03T08:00', text, requestsMaterial, inReplyTo: null, attachments: [] },
  }
}

async function settle() {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0))
  })
}

async function openWithCode(conversation: ConversationEntry[], view = viewOf()) {
  open.openCaseWithReceipt.mockResolvedValueOnce({ keys: KEYS, view })
  open.openConversation.mockResolvedValue(conversation)
  renderPage(CasePage)
  type('case-input', '0123 4567 8901 2345')
  fireEvent.click(screen.getByTestId('case-open'))
  await screen.findByTestId('case-status')
}

beforeEach(() => {
  resetApp()
  resetOutboxForTests()
  open.openCaseWithReceipt.mockReset()
  open.openConversation.mockReset()
  api.fetchCase.mockReset()
  pickShots.mockReset()
})

describe('opening a case', () => {
  it.each([
    ['', '请输入 16 位查询码'],
    ['1234 5678 9012', '查询码是 16 位数字，您输入了 12 位'],
    ['1234 5678 9012 34ab', '查询码只包含数字，请检查是否输错'],
  ])('refuses %j before deriving anything: %s', (text, message) => {
    renderPage(CasePage)
    type('case-input', text)
    fireEvent.click(screen.getByTestId('case-open'))
    expect(document.querySelector('[data-error-for="receipt"]')?.textContent).toBe(message)
    expect(open.openCaseWithReceipt).not.toHaveBeenCalled()
  })

  it('passes the digits without spaces and shows the status, its note, and the conversation with new replies marked', async () => {
    await openWithCode([entry(ASK, 'bureau', '请补充截图。', true, 1), entry(OWN, 'resident', '好的。', false, 2), entry(LATER, 'bureau', '收到，谢谢。', false, 3)], viewOf({ note: '已转交御东分局核查' }))
    expect(open.openCaseWithReceipt.mock.calls[0][0]).toBe('0123456789012345')
    expect(screen.getByTestId('case-status').textContent).toContain('核查中')
    expect(screen.getByTestId('case-status').textContent).toContain('已转交御东分局核查')
    const messages = screen.getAllByTestId('case-message')
    expect(messages.map((m) => [m.getAttribute('data-from'), m.getAttribute('data-unread')])).toEqual([
      ['bureau', null],
      ['resident', null],
      ['bureau', 'true'],
    ])
    expect(messages[0].textContent).toContain('请求补充材料')
    expect(messages[2].textContent).toContain('新消息')
  })

  it('a wrong code is said plainly and the page stays ready for another try', async () => {
    const { CaseOpenError, CASE_NOT_FOUND_MESSAGE } = jest.requireActual('@/cases/open')
    open.openCaseWithReceipt.mockRejectedValueOnce(new CaseOpenError(CASE_NOT_FOUND_MESSAGE))
    renderPage(CasePage)
    type('case-input', '0123456789012345')
    fireEvent.click(screen.getByTestId('case-open'))
    await waitFor(() => expect(document.querySelector('[data-error-for="receipt"]')?.textContent).toBe(CASE_NOT_FOUND_MESSAGE))
    expect(screen.queryByTestId('case-status')).toBeNull()
  })

  it('a saved case opens without the code, marks unseen replies once, then remembers them as seen', async () => {
    saveCase({ caseId: CASE, receipt: '0123456789012345', auth: KEYS.auth, seed: KEYS.seed, seen: [ASK], unread: 1 })
    api.fetchCase.mockResolvedValue(viewOf())
    open.openConversation.mockResolvedValue([entry(ASK, 'bureau', '请补充截图。', true, 1), entry(LATER, 'bureau', '还有问题。', false, 2)])
    renderPage(CasePage, { params: { case: CASE } })
    await screen.findByTestId('case-status')
    expect(api.fetchCase).toHaveBeenCalledWith(KEYS.auth)
    expect(open.openCaseWithReceipt).not.toHaveBeenCalled()
    expect(screen.getAllByTestId('case-message').map((m) => m.getAttribute('data-unread'))).toEqual([null, 'true'])
    expect(findSavedCase(CASE)).toMatchObject({ seen: [ASK, LATER], unread: 0 })
  })
})

describe('回复 and 补充材料', () => {
  it('keeps the text and files as a draft on every change, then hands ONE job to the outbox', async () => {
    await openWithCode([entry(ASK, 'bureau', '请补充截图。', true)])
    type('case-reply', '对方另一个账号是 wxid_abc。')
    await settle()
    expect(loadMessageDraft(CASE)?.text).toBe('对方另一个账号是 wxid_abc。')
    pickShots.mockResolvedValueOnce([{ name: '截图.png', size: 2048, mime: 'image/png', source: memoryFiles.addTemp('wxfile://tmp/截图.png', 2048) } as PickedFile])
    fireEvent.click(screen.getByTestId('add-screenshots'))
    await waitFor(() => expect(loadMessageDraft(CASE)?.attachments).toHaveLength(1))

    fireEvent.click(screen.getByTestId('case-send'))
    fireEvent.click(screen.getByTestId('case-send'))
    await settle()
    const jobs = listMessageJobs(CASE)
    expect(jobs).toHaveLength(1)
    expect(jobs[0]).toMatchObject({ caseId: CASE, auth: KEYS.auth, text: '对方另一个账号是 wxid_abc。', inReplyTo: ASK, phase: 'encrypting', files: [{ name: '截图.png', label: '截图', size: 2048 }] })
    expect(jobs[0].msgId).toMatch(/^[0-9a-f]{32}$/)
    expect(memoryFiles.has(jobs[0].sources[0].ref)).toBe(true)
    expect(loadMessageDraft(CASE)).toBeUndefined()
    // Shown at once in the conversation, as not yet delivered.
    expect((await screen.findByTestId('case-pending')).textContent).toContain('对方另一个账号是 wxid_abc。')
  })

  it('refuses an empty message and one over 2000 characters, without changing the text', async () => {
    await openWithCode([])
    fireEvent.click(screen.getByTestId('case-send'))
    await settle()
    expect(document.querySelector('[data-error-for="reply"]')?.textContent).toBe('请填写回复内容或添加材料后再发送。')
    const long = '字'.repeat(2001)
    type('case-reply', long)
    await settle()
    fireEvent.click(screen.getByTestId('case-send'))
    await settle()
    expect(document.querySelector('[data-error-for="reply"]')?.textContent).toBe('消息最多 2000 个字，请删减后再发送。')
    expect(loadMessageDraft(CASE)?.text).toBe(long)
    expect(listMessageJobs(CASE)).toEqual([])
  })

  it('a case past its writing window is readable, says why it takes no more messages, and has no composer', async () => {
    const view = viewOf({ status: 'closed', canWrite: false, closedAt: '2026-01-10T02:00:00.000Z', writableUntil: '2026-02-09T02:00:00.000Z' })
    await openWithCode([entry(ASK, 'bureau', '案件已办结。')], view)
    expect(screen.getAllByTestId('case-message')).toHaveLength(1)
    expect(screen.queryByTestId('case-composer')).toBeNull()
    expect(closedText(view)).toBe('此案件已于2026年1月10日办结。办结后 30 天内可以回复和补充材料，这个期限已于2026年2月9日结束，所以不能再发送消息。以往的消息仍可查看。如有新的线索，请重新举报；紧急情况请拨打 110。')
    expect(screen.getByText(closedText(view))).toBeTruthy()
  })
})

it('the home page shows a badge with the new replies of saved cases', async () => {
  const Home = (await import('@/pages/index/index')).default
  saveCase({ caseId: CASE, receipt: '0123456789012345', auth: KEYS.auth, seed: KEYS.seed, unread: 2 })
  renderPage(Home)
  expect(screen.getByTestId('case-badge').textContent).toBe('2')
  expect(Taro.request).not.toHaveBeenCalled()
})
