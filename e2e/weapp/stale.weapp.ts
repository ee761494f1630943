/**
 * Drafts untouched for longer than STALE_AFTER_DAYS are deleted from the phone at launch, and the
 * resident is told in a dialog. The phone's clock moves on between the two launches.
 */
import { STALE_AFTER_DAYS } from '../../src/domain/draft-model'
import { DESCRIPTION, STEP, waitForStep } from './flow'
import { closeAll, launch, newDevice } from './harness'

afterEach(closeAll)

const DAY = 24 * 3600 * 1000

test('a draft left for more than 30 days is purged at the next launch, and the resident is told', async () => {
  // No server: drafts live on the phone only.
  const device = newDevice()
  const first = await launch(device)
  await first.screen.tap('我要举报')
  await waitForStep(first.screen, STEP.category)
  await first.screen.tap('网络“套路贷”犯罪')
  await first.screen.tap('下一步')
  await waitForStep(first.screen, STEP.details)
  await first.screen.fill('详细描述受害经过', DESCRIPTION)
  await first.mp.kill()
  const userFilesBefore = [...device.storage.keys()].filter((k) => k.startsWith('drafts/item/'))
  expect(userFilesBefore).toHaveLength(1)

  // A day later the draft is still there, and nothing is said.
  const nextDay = await launch(device, { clockOffsetMs: DAY })
  await nextDay.screen.waitForText('我的草稿（1）')
  expect(nextDay.mp.parts.ui.modals).toEqual([])
  await nextDay.mp.kill()

  // Past the limit: gone, and a dialog says so.
  const later = await launch(device, { clockOffsetMs: (STALE_AFTER_DAYS + 1) * DAY })
  const modal = await later.screen.waitFor('the purge dialog', () => later.mp.parts.ui.openModals()[0])
  expect(modal.title).toBe('已清理旧草稿')
  expect(modal.content).toContain(`有 1 份草稿超过 ${STALE_AFTER_DAYS} 天没有修改`)
  await later.screen.tapModal('确定')
  await later.screen.waitForText('我的草稿（0）')
  expect([...device.storage.keys()].filter((k) => k.startsWith('drafts/item/'))).toEqual([])
  later.mp.check()
})
