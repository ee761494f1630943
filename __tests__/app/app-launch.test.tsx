/** @jest-environment jsdom */
/** What the app does at launch (src/app.ts): start the privacy bridge, purge stale drafts and say so. */
import { render, waitFor } from '@testing-library/react'
import Taro from '../mocks/taro'
import { memoryFiles } from './support/memory-files'
import { draftOf } from './support/drafts'
import { resetApp } from './support/pages'
import App from '@/app'
import { listDrafts, saveDraft } from '@/drafts/store'

jest.mock('@/platform/files', () => require('./support/memory-files'))

const DAY = 24 * 60 * 60 * 1000

function launch() {
  render(
    <App>
      <div>page</div>
    </App>,
  )
  expect(Taro.useLaunch).toHaveBeenCalled()
  const onLaunch = Taro.useLaunch.mock.calls[0][0] as () => void
  onLaunch()
}

beforeEach(resetApp)

describe('app launch', () => {
  it('deletes drafts untouched for 30 days with their files, and tells the user how many', async () => {
    saveDraft(draftOf('fresh', {}, new Date(Date.now() - 2 * DAY)))
    saveDraft(draftOf('old1', {}, new Date(Date.now() - 31 * DAY)))
    saveDraft(draftOf('old2', {}, new Date(Date.now() - 90 * DAY)))
    await memoryFiles.storeFile('att/old1/a1', memoryFiles.addTemp('t', 10))
    launch()
    await waitFor(() => expect(Taro.showModal).toHaveBeenCalled())
    expect(Taro.showModal).toHaveBeenCalledWith({
      title: '已清理旧草稿',
      content: '有 2 份草稿超过 30 天没有修改，已从手机上删除。',
      showCancel: false,
    })
    expect(listDrafts().map((d) => d.id)).toEqual(['fresh'])
    expect(memoryFiles.keys()).toEqual([])
  })

  it('says nothing when nothing was stale', async () => {
    saveDraft(draftOf('fresh', {}, new Date(Date.now() - DAY)))
    launch()
    await new Promise((r) => setTimeout(r, 10))
    expect(Taro.showModal).not.toHaveBeenCalled()
    expect(listDrafts()).toHaveLength(1)
  })
})
