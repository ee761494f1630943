/**
 * The real WeChat build, walked against the real server: entry from a mini-program code (scene)
 * and from an ordinary-link QR code (q) with the preselection on screen; and the whole report with
 * two pictures and a PDF, down to the receipt, the status page, and the bureau's decryption.
 */
import { startServer, type RunningServer } from '../harness'
import { openAllSubmissions } from '../stored'
import { DESCRIPTION, LENDING_APP, LINK, LOAN, makeFixtures, PHONES, STEP, today, walkFromDetails, waitForStep, YUDONG } from './flow'
import { closeAll, launch, newDevice } from './harness'

// One server for the file: only the last test submits, and it checks what the server holds.
let server: RunningServer

beforeAll(async () => {
  server = await startServer()
})

afterEach(closeAll)

afterAll(async () => {
  await server?.stop()
})

function report(line: string) {
  process.stdout.write(`[weapp] ${line}\n`)
}

test('a mini-program code (scene b=yd&c=loan) opens the details step with 套路贷 and 御东分局 preselected', async () => {
  const device = newDevice(server)
  const { mp, screen } = await launch(device, { path: 'pages/index/index', query: { scene: encodeURIComponent('b=yd&c=loan') }, scene: 1047 })
  await screen.waitForRoute('report/details/index')
  await waitForStep(screen, STEP.details)
  expect(mp.loadedPackages.has('report')).toBe(true)
  await screen.tap('上一步')
  await waitForStep(screen, STEP.category)
  expect(await screen.itemText(LOAN)).toContain('✓ 已选择')
  expect(screen.text().match(/✓ 已选择/g)).toHaveLength(1)
  await screen.tap('下一步')
  await waitForStep(screen, STEP.details)
  mp.check()
})

test('an ordinary-link QR code (q=https://…/r?b=zs&c=nude) preselects 裸聊敲诈 and 直属分局', async () => {
  const device = newDevice(server)
  const link = `${server.url}/r?b=zs&c=nude`
  const { mp, screen } = await launch(device, { path: 'pages/index/index', query: { q: encodeURIComponent(link), scancode_time: String(Math.floor(Date.now() / 1000)) }, scene: 1011 })
  await screen.waitForRoute('report/details/index')
  await screen.tap('上一步')
  await waitForStep(screen, STEP.category)
  expect(await screen.itemText('网络“裸聊”敲诈犯罪')).toContain('✓ 已选择')
  // On to the branch step, filling in what the details step requires: 直属分局 is chosen.
  await screen.tap('下一步')
  await waitForStep(screen, STEP.details)
  await screen.choose('事情是什么时候发生的？', today())
  await screen.fill('详细描述受害经过', DESCRIPTION)
  await screen.fill('交友平台或App名称', '某交友App')
  await screen.tap('下一步')
  await waitForStep(screen, STEP.evidence)
  await screen.tap('下一步')
  await waitForStep(screen, STEP.branch)
  expect(await screen.itemText('大同市公安局直属分局扫黑办')).toContain('✓ 已选择')
  expect(await screen.itemText(YUDONG)).not.toContain('✓ 已选择')
  // Each step replaced the one before: the stack stays one page deep.
  expect(mp.stack.pages).toHaveLength(1)
  mp.check()
})

test('the whole report: two pictures and a PDF, receipt, status 已收到, and the bureau decrypts exactly what was entered', async () => {
  const device = newDevice(server)
  const files = makeFixtures()
  const started = Date.now()
  const { mp, screen } = await launch(device, { path: 'pages/index/index', query: { scene: encodeURIComponent('b=yd&c=loan') }, scene: 1047 })
  const { keystrokes } = await walkFromDetails(screen, device, files, { typing: 'keys' })

  // The review shows what was entered.
  const review = screen.text()
  expect(review).toContain(DESCRIPTION)
  expect(review).toContain(LINK)
  expect(review).toContain(YUDONG)
  expect(review).toContain('匿名举报')
  await screen.tap('加密并提交')
  await screen.waitForRoute('pages/receipt/index', 60000)
  const code = (await screen.waitForText(/^\d{4} \d{4} \d{4} \d{4}$/)) && screen.text().match(/\d{4} \d{4} \d{4} \d{4}/)![0]
  await screen.tap('我已保存')
  await screen.tapModal('我已保存')
  await screen.waitForRoute('pages/index/index')
  await screen.waitForText('我的草稿（0）')

  // The status page, as a resident uses it: a wrong code first, then the real one.
  await screen.tap('查询举报进度')
  await screen.waitForRoute('pages/status/index')
  await screen.fill('查询码', '1234')
  await screen.tap('查询')
  await screen.waitForText(/16 位/)
  await screen.fill('查询码', code)
  await screen.tap('查询')
  await screen.waitForText('已收到', 15000)

  // What the server holds opens with the bureau's key into exactly what was entered.
  const stored = await openAllSubmissions(server.dataDir)
  expect(stored).toHaveLength(1)
  expect(stored[0].state).toBe('accepted')
  const r = stored[0].report
  expect(r.category).toBe('loan')
  expect(r.branch).toBe('yd')
  expect(r.description).toBe(DESCRIPTION)
  expect(r.links.filter((l: string) => l)).toEqual([LINK])
  expect(r.party.phones).toBe(PHONES)
  expect(r.extra.app).toBe(LENDING_APP)
  expect(r.reporter).toEqual({ anonymous: true, name: '', mobile: '', idNumber: '' })
  expect(r.declaration).toMatchObject({ truthful: true, liability: true })
  expect(r.attachments.map((a: { label: string }) => a.label)).toEqual(['截图', '截图', '交易记录'])
  expect(r.attachments.map((a: { mime: string }) => a.mime)).toEqual(['image/png', 'image/png', 'application/pdf'])
  expect(r.attachments[2].name).toBe('转账记录.pdf')
  r.attachments.forEach((a: { size: number; sha256: string }, n: number) => {
    expect(a.size).toBe(files[n].bytes.length)
    expect(a.sha256).toBe(files[n].sha256)
    expect(stored[0].attachments[n].equals(files[n].bytes)).toBe(true)
  })

  // Figures: what setData costs on a phone.
  const loads = new Map<number, { route: string; bytes: number }>()
  for (const rec of mp.setDataLog) if (!loads.has(rec.pageId)) loads.set(rec.pageId, { route: rec.route, bytes: rec.bytes })
  report(`setData per keystroke in the description field: ${keystrokes.length} keys, min ${Math.min(...keystrokes)} B, median ${keystrokes.slice().sort((a, b) => a - b)[keystrokes.length >> 1]} B, max ${Math.max(...keystrokes)} B`)
  for (const { route, bytes } of loads.values()) report(`setData on page load: ${route} ${bytes} B`)
  report(`walk: ${mp.setDataLog.length} setData calls, ${mp.setDataLog.reduce((n, x) => n + x.bytes, 0)} B in all, ${Date.now() - started} ms`)
  expect(Math.max(...keystrokes)).toBeLessThan(4096)
  expect(mp.parts.network.state.peakInFlight).toBeLessThanOrEqual(10)
  mp.check()
})
