/** @jest-environment jsdom */
import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import Taro, { __storage } from '../../mocks/taro'
import { memoryFiles } from '../support/memory-files'
import { attachmentOf, draftOf } from '../support/drafts'
import { renderPage, resetApp } from '../support/pages'
import { listDrafts, saveDraft } from '@/drafts/store'
import PrivacyPage from '@/pages/privacy/index'
import { writeKey } from '@/platform/storage'
import { saveJob } from '@/outbox/store'
import type { OutboxJob } from '@/outbox'
import { offerKeyList, resetKeyStoreForTests } from '@/keys/store'

jest.mock('@/platform/files', () => require('../support/memory-files'))

beforeEach(async () => {
  resetApp()
  resetKeyStoreForTests()
  saveDraft(draftOf('d1', { attachments: [attachmentOf('d1', 1)] }))
  saveDraft(draftOf('d2'))
  await memoryFiles.storeFile('att/d1/a1', memoryFiles.addTemp('t1', 1024))
  writeKey('privacy/decision', { agreed: true, at: '2024-05-20T08:00:00.000Z' })
  __storage.set('outbox/abc', JSON.stringify({ queued: true }))
})

describe('privacy page', () => {
  it('explains what stays on the phone and what is not collected', () => {
    renderPage(PrivacyPage)
    expect(screen.getByText('保存在这部手机上的内容')).toBeTruthy()
    expect(screen.getByText('我们不收集的信息')).toBeTruthy()
    expect(screen.getByText(/30 天没有修改的草稿/)).toBeTruthy()
  })

  it('wiping asks for confirmation; declining keeps everything', async () => {
    Taro.showModal.mockResolvedValueOnce({ confirm: false, cancel: true })
    renderPage(PrivacyPage)
    fireEvent.click(screen.getByTestId('wipe-all'))
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0))
    })
    expect(Taro.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '删除本机全部数据？' }))
    expect(listDrafts()).toHaveLength(2)
    expect(memoryFiles.keys()).toEqual(['att/d1/a1'])
    expect(__storage.has('outbox/abc')).toBe(true)
    expect(Taro.reLaunch).not.toHaveBeenCalled()
  })

  it('confirming removes every draft, file, decision and queued report, then goes home', async () => {
    renderPage(PrivacyPage)
    fireEvent.click(screen.getByTestId('wipe-all'))
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' }))
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '已全部删除', icon: 'success' })
    expect(listDrafts()).toEqual([])
    expect([...__storage.keys()]).toEqual([])
    expect(memoryFiles.keys()).toEqual([])
  })

  it('warns about unsent reports and receipts not yet confirmed before wiping', async () => {
    const object = { key: 'enc/x/report', size: 96, sha256: 'a'.repeat(64) }
    const job = (id: string, phase: OutboxJob['phase']): OutboxJob => ({
      version: 1, id, createdAt: '2024-05-20T08:00:00.000Z', declaredAt: '2024-05-20T08:00:00.000Z', files: [],
      idempotencyKey: 'k'.repeat(22), receipt: '1234567812345678', phase, attempt: 0,
      header: { v: 1, suite: 'x25519-hkdf-sha256-aes256cbc-hmacsha256', kid: '1a25be3e6b4b9a7b', epk: 'A'.repeat(43) + '=' },
      report: object, attachments: [], submissionId: 's1',
    })
    saveJob(job('j1', 'uploading'))
    saveJob(job('j2', 'uploading'))
    saveJob(job('j3', 'done'))
    Taro.showModal.mockResolvedValueOnce({ confirm: false, cancel: true })
    renderPage(PrivacyPage)
    fireEvent.click(screen.getByTestId('wipe-all'))
    await waitFor(() => expect(Taro.showModal).toHaveBeenCalled())
    const { content } = (Taro.showModal as jest.Mock).mock.calls[0][0] as { content: string }
    expect(content).toContain('有 2 份举报还没有发送完成')
    expect(content).toContain('有 1 份已提交举报的查询码您还没有确认保存')
  })

  it('shows the fingerprint (kid in groups of four) of the key reports are encrypted to, and of the built-in signing key', () => {
    renderPage(PrivacyPage)
    expect(screen.getByTestId('key-fingerprint').textContent).toBe('1a25 be3e 6b4b 9a7b')
    expect(screen.getByText(/签名密钥指纹 60a7 45a2 3efc daeb，列表序号 0/)).toBeTruthy()
  })

  it('after a signed list is accepted, shows its current key; wiping keeps the accepted list', async () => {
    const { generateBureauKeyPair } = await import('../../../server/src/envelope')
    const { readDevSigningKey, signKeyList } = await import('../../../server/src/keylist')
    const key = generateBureauKeyPair()
    const list = signKeyList({ sequence: 4, issuedAt: '2024-06-01T00:00:00Z', keys: [{ kid: key.kid, publicKey: key.publicKey.toString('base64'), current: true }] }, await readDevSigningKey())
    expect(offerKeyList(JSON.parse(JSON.stringify(list))).accepted).toBe(true)
    renderPage(PrivacyPage)
    expect(screen.getByTestId('key-fingerprint').textContent).toBe(key.kid.replace(/(.{4})(?=.)/g, '$1 '))
    expect(screen.getByText(/列表序号 4/)).toBeTruthy()
    fireEvent.click(screen.getByTestId('wipe-all'))
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalled())
    // The rollback floor survives: a wipe must not let an older list back in.
    expect([...__storage.keys()]).toEqual(['keys/accepted'])
  })
})
