/**
 * The bureau workstation, end to end: the real intake server with its bureau API, reports made by
 * the real client crypto, the real workstation process serving the real Vite build, Debian's
 * Chromium. A member of staff unlocks (a wrong passphrase first), filters and searches, opens a
 * case with its picture, adds an internal note that a second (branch-limited) workstation sees,
 * closes the case and checks the statistics; the audit log lists it all. Then: hostile report
 * content stays text, a revoked token gets a clear error, a branch-limited token sees only its
 * branch (UI and API), and the idle lock locks.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { Fixture, PASSPHRASE, runCli, runInProcess, type ReportSpec, type Sent } from '../__tests__/bureau/fixture'
import { request } from '../__tests__/server/helpers'
import { readDevKey } from '../server/src/envelope/dev-key'
import { legacyKeys, residentKeys, sealResidentMessage } from '../__tests__/support/case-client'
import { ARTIFACTS, ROOT, launchBrowser, makePdf, makePng, phoneContext } from './harness'
import { fillField, tap } from './phone'
import { startWorkstation, type RunningWorkstation } from './workstation-harness'

const PHONE = '13912345678'
const STAFF_REPLY = '已收到您的举报，请补充对方的收款账号截图。'
const RESIDENT_TEXT = '对方今天又打电话来催，说明天上门。'
const LEGACY_REPLY = '您好，请到大同市公安局扫黑办补充转账记录原件。'
const HOSTILE_SCRIPT = '<script>window.__pwned = "script"</script><img src=x onerror="window.__pwned=\'img\'"><b>粗体</b>'
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=\'svg\'"><script>window.__pwned="svg-script"</script><circle r="5"/></svg>')
const HUGE = '很长'.repeat(35_000)

let fx: Fixture
let browser: Browser
const stations: RunningWorkstation[] = []
const sent: Record<string, Sent> = {}
let tokens: Record<'all' | 'yd' | 'temp', { secret: string; id: string }>
const shotsDir = path.join(ARTIFACTS, 'workstation')
const docsShots = process.env.UPDATE_SCREENSHOTS === '1'

async function makeToken(name: string, branches: string[] = []) {
  const r = await runCli(['token', 'create', '--name', name, ...branches.flatMap((b) => ['--branch', b]), '--data', fx.dataDir, '--campaign', fx.env.campaignFile])
  const secret = /cw1_[A-Za-z0-9_-]{43}/.exec(r.stdout)?.[0]
  const id = /编号 ([0-9a-f]{16})/.exec(r.stdout)?.[1]
  if (r.code !== 0 || !secret || !id) throw new Error(r.output)
  return { secret, id }
}

async function shot(page: Page, name: string, docsName?: string, part?: ReturnType<Page['locator']>) {
  if (part) await part.scrollIntoViewIfNeeded()
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: !part })
  if (docsShots && docsName) await (part ?? page).screenshot({ path: path.join(ROOT, 'docs', 'screenshots', docsName), ...(part ? {} : { fullPage: false }) })
}

/** Opens the login URL, saves the connection, and unlocks with the key file. */
async function signIn(ws: RunningWorkstation, token: string, opts: { wrongFirst?: boolean; missingCaFirst?: boolean; keyFiles?: string[] } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true })
  const page = await context.newPage()
  page.on('dialog', (d) => {
    throw new Error(`unexpected dialog: ${d.message()}`)
  })
  await page.goto(ws.loginUrl)
  if (opts.missingCaFirst) {
    // A CA file that is not there: named, with its field, before any connection (review L6).
    const missing = path.join(ws.configDir, 'no-such-ca.pem')
    await page.getByTestId('setup-server').fill('https://127.0.0.1:1')
    await page.getByTestId('setup-token').fill(token)
    await page.getByText('https 证书（可选，由管理员提供）').click()
    await page.getByTestId('setup-ca').fill(missing)
    await page.getByTestId('setup-save').click()
    await expectText(page.getByTestId('setup-error'), `CA 证书文件不存在：${missing}`)
    await expectText(page.locator('.ant-form-item-explain-error'), `CA 证书文件不存在：${missing}`)
    await page.getByTestId('setup-ca').fill('')
  }
  await page.getByTestId('setup-server').fill(fx.server.bureauUrl!)
  await page.getByTestId('setup-token').fill(token)
  await page.getByTestId('setup-save').click()
  await page.locator('input[type=file]').setInputFiles(opts.keyFiles ?? [fx.newKeyFile])
  if (opts.wrongFirst) {
    await page.getByTestId('passphrase').fill('not the passphrase')
    await page.getByTestId('unlock').click()
    await expectText(page.getByTestId('unlock-error'), '口令不正确')
  }
  await page.getByTestId('passphrase').fill(PASSPHRASE)
  await page.getByTestId('unlock').click()
  await page.getByTestId('inbox-count').waitFor()
  return { context, page }
}

async function expectText(locator: ReturnType<Page['locator']>, text: string | RegExp, timeout = 15000) {
  await locator.first().waitFor({ timeout })
  const deadline = Date.now() + timeout
  for (;;) {
    const got = (await locator.first().innerText()).trim()
    if (typeof text === 'string' ? got.includes(text) : text.test(got)) return
    if (Date.now() > deadline) throw new Error(`expected ${String(text)}, got ${JSON.stringify(got.slice(0, 300))}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function rowIds(page: Page): Promise<string[]> {
  return page.locator('[data-testid^="case-row-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('case-row-'.length)))
}

async function pick(page: Page, select: string, option: string) {
  await page.getByTestId(select).click()
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: option }).first().click()
  await page.keyboard.press('Escape')
}

async function waitRows(page: Page, predicate: (ids: string[]) => boolean, what: string) {
  const deadline = Date.now() + 15000
  for (;;) {
    const ids = await rowIds(page)
    if (predicate(ids)) return ids
    if (Date.now() > deadline) throw new Error(`inbox rows never matched (${what}): ${ids.join(',')}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const SPECS: Record<string, ReportSpec> = {
  target: { category: 'loan', branch: 'yd', description: '借了 3000 元，一周后要还 9000 元，不还就给通讯录打电话。', party: { phones: '139 1234 5678' }, files: [{ name: '催收短信.png', bytes: makePng(3, 120, 80) }] },
  sameCategoryOtherBranch: { category: 'loan', branch: 'zs', description: `直属分局辖区的套路贷，对方电话 13800000001，不是 ${PHONE.slice(0, 5)}。` },
  sameBranchOtherCategory: { category: 'nude', branch: 'yd', description: `视频裸聊后被敲诈，对方号码 ${PHONE}。` },
  pdf: { category: 'mlm', branch: 'sj', description: '传销组织的转账记录见 PDF。', files: [{ name: '转账记录.pdf', bytes: makePdf('transfer 5000'), label: '交易记录', mime: 'application/pdf' }] },
  hostile: {
    category: 'troll',
    branch: 'yd',
    description: `${HOSTILE_SCRIPT}\n${HUGE}`,
    links: ['javascript:window.__pwned="link"', 'https://example.invalid/<script>alert(1)</script>'],
    party: { accounts: '<a href="javascript:window.__pwned=1">点我</a>', phones: '', websites: '<iframe src="javascript:window.__pwned=2"></iframe>' },
    files: [{ name: '<img src=x onerror=alert(1)>.svg', bytes: SVG, label: '其他', mime: 'image/svg+xml' }],
  },
  damaged: { category: 'collect', branch: 'sj', description: '软暴力催收，截图附后。', files: [{ name: '截图.png', bytes: makePng(9) }] },
}

beforeAll(async () => {
  fs.mkdirSync(shotsDir, { recursive: true })
  // The real H5 build: step 4 reads the workstation's reply on the resident's case page.
  // Its bureau key is the development key, the one the H5 bundle knows (the phone checks who wrote a reply).
  fx = await Fixture.start({ h5Dir: path.join(ROOT, 'dist', 'h5'), newKey: await readDevKey() })
  for (const [name, spec] of Object.entries(SPECS)) sent[name] = await fx.send(spec, { caseChannel: name === 'target' })
  // A report sealed to the previous key: the workstation is unlocked with the new key only.
  sent.oldKey = await fx.send({ category: 'claim', branch: 'zs', description: '恶意索赔' }, { key: fx.oldKey })
  // A damaged object: one flipped byte in the committed ciphertext of an attachment.
  const blob = fx.blobFile(sent.damaged.id, 0)
  const bytes = fs.readFileSync(blob)
  bytes[bytes.length - 20] ^= 0x01
  fs.writeFileSync(blob, bytes)
  // The resident writes first on the case page (a sealed message to the bureau key, with the 查询码's keys).
  const resident = residentKeys(sent.target.receipt)
  const m = sealResidentMessage({ caseId: sent.target.id, keys: resident, bureauPublicKey: fx.newKey.publicKey, text: RESIDENT_TEXT })
  const posted = await request(fx.server.url, '/api/v1/case/messages', { method: 'POST', headers: { 'case-auth': resident.auth }, body: m.body })
  const finalized = await request(fx.server.url, `/api/v1/case/messages/${m.msgId}/finalize`, { method: 'POST', headers: { 'case-auth': resident.auth } })
  expect([posted.status, finalized.status]).toEqual([201, 200])
  // A legacy report (old app: finalized with the receipt, no replyKey inside) whose resident's new
  // app later registered a reply key D': the workstation may reply only after accepting the risk.
  const salt = await request(fx.server.url, '/api/v1/case/legacy-salt')
  const legacy = legacyKeys(sent.pdf.receipt, Buffer.from(salt.json.salt, 'base64'))
  expect((await request(fx.server.url, '/api/v1/case/reply-key', { method: 'POST', headers: { 'case-auth': legacy.auth }, body: { replyKey: legacy.replyKey } })).status).toBe(200)
  tokens = { all: await makeToken('市局工作站'), yd: await makeToken('御东分局工作站', ['yd']), temp: await makeToken('临时工作站') }
  browser = await launchBrowser()
}, 120000)

afterAll(async () => {
  await browser?.close()
  for (const s of stations) await s.stop()
  if (process.env.DEBUG_WS) for (const s of stations) console.log(s.output())
  await fx?.stop()
})

test('staff: unlock, filter and search, open with picture, note seen by a second token, close, statistics, audit log', async () => {
  const ws = await startWorkstation()
  stations.push(ws)
  expect(ws.loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?s=/)
  const { page, context } = await signIn(ws, tokens.all.secret, { wrongFirst: true, missingCaFirst: true })
  // The one-time login secret works once.
  const again = await (await browser.newContext()).newPage()
  const second = await again.goto(ws.loginUrl)
  expect(second!.status()).toBe(403)
  await again.context().close()

  // The inbox: every case, the old-key one named and the others open.
  const all = await waitRows(page, (ids) => ids.length === 7, 'all seven')
  expect(new Set(all)).toEqual(new Set(Object.values(sent).map((s) => s.id)))
  await expectText(page.getByTestId(`case-row-${sent.oldKey.id}`), '密钥不符')
  await shot(page, '01-inbox', 'workstation-inbox.png')

  // 2. Filter by category and branch, then find the report by a phone number in its text.
  await pick(page, 'filter-category', '套路贷')
  await waitRows(page, (ids) => ids.length === 2 && ids.includes(sent.target.id) && ids.includes(sent.sameCategoryOtherBranch.id), 'loan only')
  await pick(page, 'filter-branch', '御东分局')
  await waitRows(page, (ids) => ids.length === 1 && ids[0] === sent.target.id, 'loan + yd')
  // The search alone matches two reports (the phone number is in both texts, spaced differently)…
  await page.getByTestId('filter-category').locator('.ant-select-clear').click({ force: true })
  await page.getByTestId('filter-branch').locator('.ant-select-clear').click({ force: true })
  await page.locator('input[data-testid=search], [data-testid=search] input').first().fill(PHONE)
  await waitRows(page, (ids) => ids.length === 2 && ids.includes(sent.target.id) && ids.includes(sent.sameBranchOtherCategory.id), 'phone search')
  // …and with the category filter, just the one.
  await pick(page, 'filter-category', '套路贷')
  await waitRows(page, (ids) => ids.length === 1 && ids[0] === sent.target.id, 'phone + loan')
  await expectText(page.getByTestId('inbox-count'), '搜索用时')

  // 3. Open it: every field as on the phone, the picture inline with its integrity check.
  await page.getByTestId(`case-row-${sent.target.id}`).click()
  await expectText(page.getByTestId('report-description'), '一周后要还 9000 元')
  await expectText(page.getByTestId('report-phones'), '139 1234 5678')
  await expectText(page.getByTestId('section-branch'), '大同市公安局御东分局扫黑办')
  const img = page.getByTestId('image-0')
  await img.waitFor()
  await page.waitForFunction(() => {
    const i = document.querySelector('[data-testid="image-0"]') as HTMLImageElement | null
    return !!i && i.complete && i.naturalWidth === 120
  })
  await expectText(page.getByTestId('integrity-0'), '完整性校验通过')

  // 4. Reply in the workstation (sealed here to the reply key from inside the report); the
  //    resident, on the case page of the H5 build with only the 查询码, reads it.
  await page.getByTestId('reply-text').locator('textarea').or(page.locator('textarea[data-testid=reply-text]')).first().fill(STAFF_REPLY)
  await page.getByTestId('reply-ask-material').click()
  await expectText(page.locator('[data-testid=message][data-from=bureau]'), STAFF_REPLY)
  await expectText(page.locator('[data-testid=message][data-from=resident]'), RESIDENT_TEXT)
  expect(await page.locator('[data-testid=message][data-pending=true]').count()).toBe(0)
  await shot(page, '02a-conversation', 'workstation-conversation.png', page.getByTestId('conversation'))
  const phone = await phoneContext(browser)
  const resident = await phone.newPage()
  await resident.goto(`${fx.server.url}/`)
  await tap(resident, resident.locator('[data-testid="open-case"] >> visible=true'))
  await fillField(resident, 'case-input', sent.target.receipt.replace(/(\d{4})(?=\d)/g, '$1 '))
  await tap(resident, resident.locator('[data-testid="case-open"] >> visible=true'))
  const fromBureau = resident.locator('[data-testid="case-message"][data-from="bureau"] >> visible=true').first()
  await fromBureau.waitFor({ timeout: 90000 })
  await expectText(fromBureau, STAFF_REPLY)
  await phone.close()

  // 5. An internal note…
  await page.getByTestId('note-text').fill('已电话联系举报人，约周三来所里做笔录。')
  await page.getByTestId('note-add').click()
  await expectText(page.getByTestId('note'), '约周三来所里做笔录')
  await shot(page, '02-case', 'workstation-case.png')

  // 6. Close the case with a public note.
  await page.locator('[data-testid=status-panel] label', { hasText: '已办结' }).click()
  await page.getByTestId('public-note').fill('线索已核实，感谢您的举报。')
  await page.getByTestId('status-save').click()
  await page.getByTestId('status-saved').waitFor()
  const meta = await request(fx.server.bureauUrl!, `/bureau/v1/cases/${sent.target.id}`, { headers: { authorization: `Bearer ${tokens.all.secret}` } })
  expect(meta.json.case.status).toBe('closed')
  expect(meta.json.case.publicNote).toBe('线索已核实，感谢您的举报。')
  // What the resident's case page reads (the public API, with the key derived from the 查询码).
  const pub = await request(fx.server.url, '/api/v1/case', { method: 'POST', headers: { 'case-auth': residentKeys(sent.target.receipt).auth } })
  expect([pub.status, pub.json.status, pub.json.note]).toEqual([200, 'closed', '线索已核实，感谢您的举报。'])

  // …that a second, branch-limited workstation token sees.
  const ws2 = await startWorkstation()
  stations.push(ws2)
  const yd = await signIn(ws2, tokens.yd.secret)
  const ydIds = await waitRows(yd.page, (ids) => ids.length === 3, 'yd only')
  expect(new Set(ydIds)).toEqual(new Set([sent.target.id, sent.sameBranchOtherCategory.id, sent.hostile.id]))
  await yd.page.getByTestId(`case-row-${sent.target.id}`).click()
  await expectText(yd.page.getByTestId('note'), '约周三来所里做笔录')
  await expectText(yd.page.getByTestId('note'), '市局工作站')
  // Another branch's case is not there, even asked for by id (UI)…
  await yd.page.goto(`${ws2.origin}/#/case/${sent.sameCategoryOtherBranch.id}`)
  await expectText(yd.page.getByTestId('case-error'), '没有这条举报，或此工作站无权查看')
  // …nor through the API directly.
  for (const p of [`/bureau/v1/cases/${sent.sameCategoryOtherBranch.id}`, `/bureau/v1/cases/${sent.pdf.id}/report`, `/bureau/v1/cases/${sent.pdf.id}/attachments/0`, `/bureau/v1/cases/${sent.pdf.id}/notes`]) {
    const r = await request(fx.server.bureauUrl!, p, { headers: { authorization: `Bearer ${tokens.yd.secret}` } })
    expect([p, r.status]).toEqual([p, 404])
  }
  const listed = await request(fx.server.bureauUrl!, '/bureau/v1/cases?limit=100', { headers: { authorization: `Bearer ${tokens.yd.secret}` } })
  expect(listed.json.cases.map((c: { id: string }) => c.id).sort()).toEqual([...ydIds].sort())
  await yd.context.close()

  // 7. Statistics, against the seeded data.
  await page.goto(`${ws.origin}/#/stats`)
  await expectText(page.getByTestId('stat-total'), '7')
  const branchTable = await page.getByTestId('table-branch').innerText()
  const seededBranches = Object.values(sent).map((s) => s.report.branch)
  for (const [name, code] of [['御东分局', 'yd'], ['直属分局', 'zs'], ['大同市公安局扫黑办', 'sj']] as const) {
    expect(branchTable).toMatch(new RegExp(`${name}[^\\n]*\\s+${seededBranches.filter((b) => b === code).length}`))
  }
  const statusTable = await page.getByTestId('table-status').innerText()
  expect(statusTable).toMatch(/已办结\s+1/)
  expect(statusTable).toMatch(/已收到\s+6/)
  const weekly = await page.getByTestId('table-weekly').innerText()
  expect(weekly).toMatch(/套路贷[^\n]*\s+2\s+2/)
  expect(await page.locator('[data-testid="chart-weekly"] canvas').count()).toBe(1)
  await shot(page, '03-stats', 'workstation-stats.png')
  const csv = await page.evaluate(async () => (await fetch('/api/stats.csv')).text())
  expect(csv).toContain('已办结,1')

  // The audit log lists each action, by token name.
  await page.goto(`${ws.origin}/#/audit`)
  await page.getByTestId('audit-action').first().waitFor()
  const audit = await page.getByTestId('audit-table').innerText()
  for (const label of ['列出举报', '下载举报（密文）', '标记已读', '下载附件（密文）', '添加内部备注', '读取内部备注', '设置状态']) expect(audit).toContain(label)
  expect(audit).toContain('市局工作站')
  expect(audit).toContain('御东分局工作站')
  await shot(page, '04-audit')
  await context.close()
})

test('hostile report content stays text: HTML, script tags, javascript: links, SVG with script, enormous fields', async () => {
  const ws = await startWorkstation()
  stations.push(ws)
  const { page, context } = await signIn(ws, tokens.all.secret)
  const violations: string[] = []
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text())
  })
  const t0 = Date.now()
  await page.goto(`${ws.origin}/#/case/${sent.hostile.id}`)
  const description = page.getByTestId('report-description')
  await description.waitFor()
  const openMs = Date.now() - t0
  // The markup is shown as characters, not parsed: no element inside the text, none injected.
  const text = await description.innerText()
  expect(text.startsWith(HOSTILE_SCRIPT)).toBe(true)
  expect(await description.locator('*').count()).toBe(0)
  expect(await page.locator('[data-testid="report"] script, [data-testid="report"] iframe, [data-testid="report"] img, [data-testid="report"] b').count()).toBe(0)
  // Links are text with a copy button, never anchors.
  const links = await page.getByTestId('report-link').allInnerTexts()
  expect(links).toEqual(['javascript:window.__pwned="link"', 'https://example.invalid/<script>alert(1)</script>'])
  expect(await page.locator('a[href^="javascript:"], [href*="example.invalid"]').count()).toBe(0)
  // The enormous field is cut for the page, and says so.
  expect(text.length).toBeLessThan(25_000)
  await expectText(page.getByText('以下内容过长').first(), '受害经过')
  // The SVG is a download (never rendered in the console), served as bytes with a sandbox CSP.
  await page.getByTestId('file-0').waitFor()
  expect(await page.locator('[data-testid="file-0"] img, [data-testid="file-0"] iframe, svg circle').count()).toBe(0)
  const served = await page.evaluate(async (id) => {
    const r = await fetch(`/api/cases/${id}/files/0?view=inline`)
    return { type: r.headers.get('content-type'), csp: r.headers.get('content-security-policy'), disposition: r.headers.get('content-disposition') }
  }, sent.hostile.id)
  expect(served.type).toBe('application/octet-stream')
  expect(served.csp).toMatch(/^sandbox/)
  expect(served.disposition).toMatch(/^attachment; filename="[^"]*\.svg"; filename\*=UTF-8''%3Cimg%20src%3Dx/)
  // Clicking everything there is does not run anything either.
  await page.getByTestId('copy-link').first().click()
  await page.waitForTimeout(300)
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined()
  expect(violations).toEqual([])
  await shot(page, '05-hostile')

  // A damaged object is a warning on that case, never a blank page; the old-key case is named.
  await page.goto(`${ws.origin}/#/case/${sent.damaged.id}`)
  await expectText(page.getByTestId('integrity-0'), '已损坏')
  await expectText(page.getByTestId('report-description'), '软暴力催收')
  await page.goto(`${ws.origin}/#/case/${sent.oldKey.id}`)
  await expectText(page.getByTestId('case-problem'), `bureau-${fx.oldKey.kid}.key.json`)
  // The PDF opens in a sandboxed frame.
  await page.goto(`${ws.origin}/#/case/${sent.pdf.id}`)
  const frame = page.getByTestId('pdf-0')
  await frame.waitFor()
  expect(await frame.getAttribute('sandbox')).toBe('')
  // It is a legacy report with a registered (unverified) reply key: a warning, and replying needs the confirmation.
  await expectText(page.getByTestId('unverified-key-warning'), '与这份举报没有绑定')
  await page.locator('textarea[data-testid=reply-text], [data-testid=reply-text] textarea').first().fill(LEGACY_REPLY)
  expect(await page.getByTestId('reply-send').isDisabled()).toBe(true)
  await page.getByTestId('accept-unverified').click()
  await page.getByTestId('reply-send').click()
  await expectText(page.locator('[data-testid=message][data-from=bureau]'), LEGACY_REPLY)
  await shot(page, '05a-legacy-reply')
  // The print view: the report without controls.
  await page.goto(`${ws.origin}/#/case/${sent.target.id}/print`)
  await expectText(page.getByTestId('print-page'), '一周后要还 9000 元')
  expect(await page.getByTestId('note-add').count()).toBe(0)
  // Export as a ZIP (the only way plaintext reaches the disk, on request).
  const zip = await page.evaluate(async (id) => {
    const r = await fetch(`/api/cases/${id}/export.zip`)
    return { status: r.status, type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength }
  }, sent.target.id)
  expect(zip.status).toBe(200)
  expect(zip.type).toBe('application/zip')
  expect(zip.size).toBeGreaterThan(500)
  console.log(`hostile case opened in ${openMs} ms`)
  await context.close()
})

test('a revoked token gets a clear error', async () => {
  const ws = await startWorkstation()
  stations.push(ws)
  const { page, context } = await signIn(ws, tokens.temp.secret)
  await waitRows(page, (ids) => ids.length === 7, 'temp sees all')
  const revoked = await runInProcess(['token', 'revoke', tokens.temp.id, '--data', fx.dataDir])
  expect(revoked.code).toBe(0)
  await page.getByTestId('reload').click()
  await expectText(page.getByTestId('inbox-error'), '令牌已被撤销')
  // Opening a case needs the server too (read mark, files): the same message, no blank page.
  await page.getByTestId(`case-row-${sent.pdf.id}`).click()
  await expectText(page.getByTestId('attachments'), '令牌已被撤销')
  await context.close()
})

test('the idle lock drops the keys and the decrypted cases', async () => {
  const ws = await startWorkstation({ idleMs: 5000 })
  stations.push(ws)
  const { page, context } = await signIn(ws, tokens.all.secret)
  expect((await page.evaluate(async () => (await fetch('/api/state')).json())).unlocked).toBe(true)
  // With no activity for 5 s the workstation locks; the page (polling, which is not activity) shows the unlock form.
  await page.getByTestId('passphrase').waitFor({ timeout: 30000 })
  const state = await page.evaluate(async () => (await fetch('/api/state')).json())
  expect(state.unlocked).toBe(false)
  expect(state.kids).toEqual([])
  const cases = await page.evaluate(async () => (await fetch('/api/cases')).status)
  expect(cases).toBe(423)
  await context.close()
})
