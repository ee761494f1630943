/**
 * The resident declines the privacy authorization WeChat asks for before the album opens: the app
 * says that text alone is fine, and a text-only report is still made and sent.
 */
import { startServer, type RunningServer } from '../harness'
import { openAllSubmissions } from '../stored'
import { DESCRIPTION, STEP, today, waitForStep, LENDING_APP } from './flow'
import { closeAll, launch, newDevice } from './harness'

let server: RunningServer | undefined

afterEach(async () => {
  await closeAll()
  await server?.stop()
  server = undefined
})

test('privacy declined: no files can be added, and a text-only report is still sent', async () => {
  server = await startServer()
  const device = newDevice(server)
  const { mp, screen } = await launch(device, { path: 'pages/index/index', query: { scene: encodeURIComponent('b=yd&c=loan') }, scene: 1047 })
  await waitForStep(screen, STEP.details)
  await screen.choose('事情是什么时候发生的？', today())
  await screen.fill('详细描述受害经过', DESCRIPTION)
  await screen.fill('借款App或平台名称', LENDING_APP)
  await screen.tap('下一步')

  await waitForStep(screen, STEP.evidence)
  await screen.tap('添加截图（相册 / 拍照）')
  await screen.waitForText('需要您的授权')
  await screen.tap('不同意')
  await screen.waitForText(/您没有同意读取照片和文件/)
  expect(mp.parts.privacy.log).toEqual([{ referrer: 'chooseMedia', answer: 'disagree' }])
  expect(device.privacyAgreed).toBe(false)
  // The album never opened: nothing was picked.
  expect(screen.text()).toContain('已添加 0 / 20')
  await screen.tap('下一步')

  await waitForStep(screen, STEP.branch)
  await screen.tap('下一步')
  await waitForStep(screen, STEP.reporter)
  await screen.tap('下一步')
  await waitForStep(screen, STEP.declaration)
  await screen.tap(/我提供的内容真实/)
  await screen.tap(/我知道谎报/)
  await screen.tap('确认声明')
  await waitForStep(screen, STEP.review)
  expect(screen.text()).toContain('未添加（可只提交文字）')
  await screen.tap('加密并提交')
  await screen.waitForRoute('pages/receipt/index', 60000)
  await screen.waitForText(/^\d{4} \d{4} \d{4} \d{4}$/)

  const stored = await openAllSubmissions(server.dataDir)
  expect(stored).toHaveLength(1)
  expect(stored[0].state).toBe('accepted')
  expect(stored[0].report.description).toBe(DESCRIPTION)
  expect(stored[0].report.attachments).toEqual([])
  mp.check()
})
