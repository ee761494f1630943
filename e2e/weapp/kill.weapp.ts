/**
 * The system kills the app in the middle of an upload (WeChat gives no signal): the realm is
 * dropped, storage and user files stay, temporary files go. Launched again from the task bar, the
 * report completes on its own, and the server holds it exactly once.
 */
import { startServer, type RunningServer } from '../harness'
import { openAllSubmissions } from '../stored'
import { DESCRIPTION, makeFixtures, walkFromDetails } from './flow'
import { closeAll, launch, newDevice } from './harness'

let server: RunningServer | undefined

afterEach(async () => {
  await closeAll()
  await server?.stop()
  server = undefined
})

test('killed mid-upload and launched again: the report completes by itself, exactly once', async () => {
  server = await startServer()
  const device = newDevice(server)
  // Incompressible pictures of ~1.2 MB each, so each takes several upload chunks.
  const files = makeFixtures({ width: 700, height: 600 })
  const first = await launch(device, { path: 'pages/index/index', query: { scene: encodeURIComponent('b=yd&c=loan') }, scene: 1047 })
  await walkFromDetails(first.screen, device, files)
  await first.screen.tap('加密并提交')

  // Kill once the server has acknowledged a couple of chunks of the first attachment.
  const puts = () => first.mp.parts.network.state.requests.filter((r) => r.method === 'PUT' && r.status && r.status < 300).length
  await first.screen.waitFor('two acknowledged upload chunks', () => puts() >= 2, 60000)
  await first.mp.kill()
  const before = await openAllSubmissions(server.dataDir)
  expect(before).toHaveLength(1)
  expect(before[0].state).not.toBe('accepted')

  // Launched again from the task bar: nothing to do but wait.
  const started = Date.now()
  const second = await launch(device, { scene: 1001 })
  // Well before the killed launch's 30 s outbox lease would lapse: the new launch takes it over at once.
  await second.screen.waitForText('您有一份举报已提交，请保存查询码', 20000)
  const resumedMs = Date.now() - started
  process.stdout.write(`[weapp] relaunch after a kill: the report was accepted ${resumedMs} ms after launch\n`)
  await second.screen.tap('您有一份举报已提交，请保存查询码')
  await second.screen.waitForRoute('pages/receipt/index')
  await second.screen.waitForText(/^\d{4} \d{4} \d{4} \d{4}$/)

  const stored = await openAllSubmissions(server.dataDir)
  expect(stored).toHaveLength(1)
  expect(stored[0].state).toBe('accepted')
  expect(stored[0].report.description).toBe(DESCRIPTION)
  stored[0].attachments.forEach((bytes, n) => expect(bytes.equals(files[n].bytes)).toBe(true))
  second.mp.check()
})
