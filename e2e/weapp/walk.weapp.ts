/**
 * The real WeChat build, walked against the real server: entry from a mini-program code (scene)
 * and from an ordinary-link QR code (q) with the preselection on screen; WeChat's back arrow
 * through the steps; and the whole report with two pictures and a PDF, down to the receipt, the
 * status page, and the bureau's decryption.
 */
import { REPORT_SCHEMA } from '../../src/domain/report-plaintext'
import { startServer, type RunningServer } from '../harness'
import { openAllSubmissions } from '../stored'
import { bureau, DEV_KEY_FILE, residentMessages } from '../bureau-cli'
import { DESCRIPTION, LENDING_APP, LINK, LOAN, makeFixtures, PHONES, RECEIPT_CODE, STEP, today, walkFromDetails, waitForStep, YUDONG } from './flow'
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
  await waitForStep(screen, STEP.details)
  // Both choices are named at the top of the step, above its first field, each with a way to change it.
  const top = screen.text()
  expect(top).toMatch(/举报类别\n\(一\)网络“裸聊”敲诈犯罪\n更改类别\n受理单位\n大同市公安局直属分局扫黑办\n更改单位/)
  expect(top.indexOf('受理单位')).toBeLessThan(top.indexOf('事情是什么时候发生的？'))
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
  // Each step was opened on top of the one before, for the same draft (so Back returns through them).
  expect(mp.stack.pages.map((p) => p.route)).toEqual(['report/category/index', 'report/details/index', 'report/evidence/index', 'report/branch/index'])
  expect(new Set(mp.stack.pages.map((p) => p.query.id)).size).toBe(1)
  mp.check()
})

test("WeChat's back arrow on step 2 returns to step 1, and the draft is intact there and back (issue 12)", async () => {
  const device = newDevice(server)
  const { mp, screen } = await launch(device, { path: 'pages/index/index', query: { scene: encodeURIComponent('b=yd&c=loan') }, scene: 1047 })
  await screen.waitForRoute('report/details/index')
  await waitForStep(screen, STEP.details)
  const id = screen.query.id
  expect(id).toMatch(/^[0-9a-f]+$/)
  await screen.choose('事情是什么时候发生的？', today())
  await screen.fill('详细描述受害经过', DESCRIPTION)
  const shownDate = screen.text().match(/\d{4}年\d{1,2}月\d{1,2}日/)?.[0]
  expect(shownDate).toBeTruthy()
  const depth = mp.stack.pages.length

  // The navigation bar's back arrow, not the app's 上一步: WeChat pops the page.
  await screen.back()
  await screen.waitForRoute('report/category/index')
  await waitForStep(screen, STEP.category)
  expect(mp.stack.pages).toHaveLength(depth - 1)
  expect(mp.stack.history[mp.stack.history.length - 1]).toEqual({ route: 'report/category/index', how: 'navigateBack' })
  expect(screen.query.id).toBe(id)
  expect(await screen.itemText(LOAN)).toContain('✓ 已选择')
  expect(screen.text().match(/✓ 已选择/g)).toHaveLength(1)
  // What was typed on step 2 was saved when it was left.
  const saved = JSON.parse(device.storage.get(`drafts/item/${id}`) ?? 'null')
  expect(saved).toMatchObject({ id, category: 'loan', branch: 'yd', description: DESCRIPTION })
  expect(saved.happenedAt).toMatch(new RegExp(`^${today()}`))

  // And forward again: step 2 shows it all, still one draft.
  await screen.tap('下一步')
  await waitForStep(screen, STEP.details)
  expect(screen.query.id).toBe(id)
  expect(await screen.valueOf('详细描述受害经过')).toBe(DESCRIPTION)
  expect(screen.text()).toContain(shownDate!)
  expect(mp.stack.pages).toHaveLength(depth)
  expect(JSON.parse(device.storage.get('drafts/index') ?? '[]')).toHaveLength(1)
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
  const code = await screen.textOf(RECEIPT_CODE)
  expect(code).toMatch(RECEIPT_CODE)
  // "我已保存" asks once more in the page's own dialog (not WeChat's modal), showing the same code.
  await screen.tap('我已保存')
  await screen.waitForText('确认已保存查询码？')
  expect(mp.parts.ui.openModals()).toEqual([])
  expect(mp.parts.ui.modals).toEqual([])
  expect(screen.text().match(new RegExp(code.split(' ').join('\\s+'), 'g'))).toHaveLength(2)
  // "再看看" closes it and stays; the receipt is still there.
  await screen.tap('再看看')
  await screen.waitFor('the dialog to close', () => !screen.has('确认已保存查询码？'))
  expect(screen.route).toBe('pages/receipt/index')
  expect(await screen.textOf(RECEIPT_CODE)).toBe(code)
  await screen.tap('我已保存')
  await screen.tap('是的，已保存')
  await screen.waitForRoute('pages/index/index')
  await screen.waitForText('我的草稿（0）')

  // The case page, as a resident uses it: a wrong code first, then the real one.
  await screen.tap('查看办理进度和留言')
  await screen.waitForRoute('pages/case/index')
  await screen.fill('查询码', '1234')
  await screen.tap('打开案件')
  await screen.waitForText(/16 位/)
  await screen.fill('查询码', code)
  await screen.tap('打开案件')
  await screen.waitForText('已收到', 60000)

  // What the server holds opens with the bureau's key into exactly what was entered.
  const stored = await openAllSubmissions(server.dataDir)
  expect(stored).toHaveLength(1)
  expect(stored[0].state).toBe('accepted')
  const r = stored[0].report
  expect(r.schema).toBe(REPORT_SCHEMA)
  expect(r.category).toBe('loan')
  expect(r.branch).toBe('yd')
  // Only a date was picked: it arrives as a date alone, no midnight made up (issue 12).
  expect(r.happenedAt).toBe(today())
  expect(r.description).toBe(DESCRIPTION)
  expect(r.links.filter((l: string) => l)).toEqual([LINK])
  expect(r.party).toEqual({ accounts: '', phones: PHONES, websites: '' })
  expect(Object.entries(r.extra).filter(([, v]) => v !== '')).toEqual([['app', LENDING_APP]])
  expect(r.reporter).toEqual({ anonymous: true, name: '', mobile: '', idNumber: '' })
  expect(r.declaration).toMatchObject({ truthful: true, liability: true })
  expect(r.attachments.map((a: { label: string }) => a.label)).toEqual(['截图', '截图', '交易记录'])
  expect(r.attachments.map((a: { mime: string }) => a.mime)).toEqual(['image/png', 'image/png', 'application/pdf'])
  expect(r.attachments[2].name).toBe('转账记录.pdf')
  // Envelope v2 (report@3): no plaintext hash is listed; the decrypted bytes are compared instead.
  expect(r.schema).toBe('clue-report/report@3')
  r.attachments.forEach((a: { size: number; sha256?: string }, n: number) => {
    expect(a.size).toBe(files[n].bytes.length)
    expect(a.sha256).toBeUndefined()
    expect(stored[0].attachments[n].equals(files[n].bytes)).toBe(true)
  })

  // The case page (issue 14): the bureau replies with its CLI; the resident refreshes, reads the
  // reply (marked new), answers; the answer reaches the server once.
  const replied = await bureau(['reply', stored[0].id, '--text', '请补充对方的收款账号。', '--data', server.dataDir, '--key', DEV_KEY_FILE])
  expect(replied.code).toBe(0)
  await screen.tap('刷新')
  await screen.waitForText('请补充对方的收款账号。', 30000)
  expect(screen.text()).toContain('新消息')
  await screen.fill('回复', '对方收款账号尾号 8842。')
  await screen.tap('发送')
  await screen.waitForText('对方收款账号尾号 8842。')
  await screen.waitFor('the answer to be delivered', () => !screen.has('我（尚未送达）'), 60000)
  expect(await residentMessages(server.dataDir, stored[0].id)).toEqual([{ state: 'accepted', files: 0 }])
  // The case page reads it back from the server (the resident's own copy, decrypted on the phone).
  await screen.waitFor('the answer read back from the server', () => !screen.has('正在刷新…') && screen.text().includes('对方收款账号尾号 8842。'), 30000)

  // Figures: what setData costs on a phone.
  const loads = new Map<number, { route: string; bytes: number }>()
  for (const rec of mp.setDataLog) if (!loads.has(rec.pageId)) loads.set(rec.pageId, { route: rec.route, bytes: rec.bytes })
  report(`setData per keystroke in the description field: ${keystrokes.length} keys, min ${Math.min(...keystrokes)} B, median ${keystrokes.slice().sort((a, b) => a - b)[keystrokes.length >> 1]} B, max ${Math.max(...keystrokes)} B`)
  for (const { route, bytes } of loads.values()) report(`setData on page load: ${route} ${bytes} B`)
  report(`walk: ${mp.setDataLog.length} setData calls, ${mp.setDataLog.reduce((n, x) => n + x.bytes, 0)} B in all, ${Date.now() - started} ms`)
  expect(Math.max(...keystrokes)).toBeLessThan(4096)
  expect(mp.parts.network.state.peakInFlight).toBeLessThanOrEqual(10)
  // Every "go to the first mistake" found its field, on each step that had one.
  const scrolls = mp.parts.view.scrolls
  expect(scrolls.map((x) => x.route)).toEqual(['report/details/index', 'report/details/index', 'report/reporter/index', 'report/declaration/index'])
  for (const x of scrolls) expect(x.matched).toEqual([x.selector!.slice(1)])
  mp.check()
})
