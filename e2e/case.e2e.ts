/**
 * Issue 14 end to end in the browser, against the real server and the real bureau CLI:
 *   1. a resident submits a report;
 *   2. the bureau replies with `bureau reply` (asking for more material);
 *   3. a FRESH browser profile, with only the 查询码 typed in, reads the reply (marked new);
 *   4. it answers and adds two files while offline (saved on the phone, nothing sent);
 *   5. the network comes back: both arrive, exactly once;
 *   6. `bureau export` shows the conversation and the new files, each verified;
 *   7. the server's data directory and log hold neither the reply text, nor the answer, nor the
 *      查询码, nor the files' bytes; no request from either profile carried the 查询码.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { makeEvidence, walkToReview } from './flows'
import { artifactsDir, launchBrowser, makePdf, makePng, phoneContext, screenshotter, startServer, type RunningServer } from './harness'
import { eventually, fillField, pickFiles, tap } from './phone'
import { openAllSubmissions } from './stored'
import { bureau, DEV_KEY_FILE, residentMessages } from './bureau-cli'

const REPLY = '请补充对方收款账号的截图，以及最近一次转账的记录。'
const ANSWER = '收款账号是某银行尾号 8842，截图和转账记录已补充。'

let server: RunningServer | undefined
let browser: Browser

afterEach(async () => {
  await browser?.close()
  await server?.stop()
  server = undefined
})

/** Every request a page sends, to check that the 查询码 never leaves the phone. */
function recordRequests(page: Page): string[] {
  const seen: string[] = []
  page.on('request', (r) => seen.push(JSON.stringify([r.method(), r.url(), r.headers(), r.postData() ?? ''])))
  return seen
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? allFiles(p) : [p]
  })
}

test('case channel: reply by the bureau, answer with two files offline from a fresh profile, exactly once, export, nothing readable on the server', async () => {
  server = await startServer()
  browser = await launchBrowser()

  // 1. The resident reports from their phone.
  const first = await phoneContext(browser)
  const phone = await first.newPage()
  const firstRequests = recordRequests(phone)
  const snap = screenshotter(phone, 'case')
  await walkToReview(phone, server.url, makeEvidence('case'))
  await tap(phone, phone.locator('[data-testid="submit"] >> visible=true'))
  const code = phone.locator('[data-testid="receipt-code"] >> visible=true').first()
  await code.waitFor({ timeout: 60000 })
  const receipt = (await code.innerText()).replace(/\s/g, '')
  expect(receipt).toMatch(/^\d{16}$/)
  // Off by default: the 查询码 is not kept on the phone unless the resident asks.
  await expect(phone.locator('[data-testid="receipt-keep"] >> visible=true').getAttribute('aria-checked')).resolves.toBe('false')
  await snap('receipt')
  await tap(phone, phone.locator('[data-testid="receipt-saved"] >> visible=true'))
  await tap(phone, phone.locator('[data-testid="receipt-confirm"] >> visible=true'))
  await phone.locator('[data-testid="start-report"] >> visible=true').first().waitFor()
  await first.close()
  const [submission] = await openAllSubmissions(server.dataDir)
  expect(submission.state).toBe('accepted')
  const caseId = submission.id

  // 2. The bureau replies with the CLI, asking for more material.
  const reply = await bureau(['reply', caseId, '--text', REPLY, '--request-material', '--data', server.dataDir, '--key', DEV_KEY_FILE])
  expect(reply.output).not.toContain('Error')
  expect(reply.code).toBe(0)

  // 3. Another phone (a fresh browser profile) with only the 查询码.
  const second = await phoneContext(browser)
  const page = await second.newPage()
  const requests = recordRequests(page)
  const created: number[] = []
  page.on('response', (r) => {
    if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/case/messages') created.push(r.status())
  })
  const snap2 = screenshotter(page, 'case-fresh-profile')
  await page.goto(`${server.url}/`)
  await tap(page, page.locator('[data-testid="open-case"] >> visible=true'))
  await fillField(page, 'case-input', receipt.replace(/(\d{4})(?=\d)/g, '$1 '))
  await tap(page, page.locator('[data-testid="case-open"] >> visible=true'))
  const bureauMessage = page.locator('[data-testid="case-message"][data-from="bureau"] >> visible=true').first()
  await bureauMessage.waitFor({ timeout: 60000 })
  await expect(bureauMessage.innerText()).resolves.toContain(REPLY)
  await expect(bureauMessage.getAttribute('data-unread')).resolves.toBe('true')
  await expect(bureauMessage.locator('[data-testid="requests-material"]').innerText()).resolves.toBe('请求补充材料')
  await snap2('reply-read')

  // 4. Offline: the answer and two files, saved on the phone and queued; nothing reaches the server.
  const dir = artifactsDir('case-material')
  const screenshot = { name: '收款账号截图.png', bytes: makePng(7, 96, 64, true) }
  const record = { name: '转账记录-补充.pdf', bytes: makePdf('second transfer 2000 CNY') }
  writeFileSync(join(dir, screenshot.name), screenshot.bytes)
  writeFileSync(join(dir, record.name), record.bytes)
  await second.setOffline(true)
  await fillField(page, 'case-reply', ANSWER)
  await pickFiles(page, page.locator('[data-testid="add-screenshots"] >> visible=true'), [join(dir, screenshot.name)])
  await page.locator('[data-testid="case-composer"] [data-testid="attachment"] >> visible=true').first().waitFor()
  await pickFiles(page, page.locator('[data-testid="add-records"] >> visible=true'), [join(dir, record.name)])
  await page.locator('[data-testid="case-composer"] [data-testid="attachment"] >> visible=true').nth(1).waitFor()
  await snap2('answer-offline')
  await tap(page, page.locator('[data-testid="case-send"] >> visible=true'))
  const pending = page.locator('[data-testid="case-pending"] >> visible=true').first()
  await pending.waitFor()
  await eventually(async () => expect(await pending.innerText()).toMatch(/等待网络|联网/), 30000)
  await snap2('queued-offline')
  const residentCount = () => residentMessages(server!.dataDir, caseId)
  expect(await residentCount()).toEqual([])

  // 5. The network is back: the message and both files arrive, once.
  await second.setOffline(false)
  const own = page.locator('[data-testid="case-message"][data-from="resident"] >> visible=true').first()
  await own.waitFor({ timeout: 60000 })
  await expect(own.innerText()).resolves.toContain(ANSWER)
  await expect(own.innerText()).resolves.toContain(screenshot.name)
  await expect(page.locator('[data-testid="case-pending"]').count()).resolves.toBe(0)
  await snap2('answer-arrived')
  expect(await residentCount()).toEqual([{ state: 'accepted', files: 2 }])
  // Every post of it (the offline attempts failed before reaching the server) carried the same msgId; one was created.
  const posts = requests.filter((r) => r.startsWith('["POST"') && r.includes('/api/v1/case/messages"'))
  expect(new Set(posts.map((r) => /msgId\\":\\"([0-9a-f]{32})/.exec(r)?.[1])).size).toBe(1)
  expect(created.filter((s) => s === 201)).toHaveLength(1)

  // 6. The bureau's export: the conversation in order, the new files decrypted and verified.
  const list = await bureau(['list', '--data', server.dataDir])
  expect(list.code).toBe(0)
  const out = artifactsDir('case-export')
  const exported = await bureau(['export', '--key', DEV_KEY_FILE, '--out', out, '--data', server.dataDir])
  expect(exported.code).toBe(0)
  const files = allFiles(out)
  const md = readFileSync(files.find((f) => f.endsWith('report.md'))!, 'utf8')
  expect(md).toContain(REPLY)
  expect(md).toContain(ANSWER)
  expect(md.indexOf(REPLY)).toBeLessThan(md.indexOf(ANSWER))
  for (const f of [screenshot, record]) {
    const sha = createHash('sha256').update(f.bytes).digest('hex')
    expect(files.some((p) => readFileSync(p).equals(f.bytes))).toBe(true)
    expect(md).toContain(sha)
  }
  const messages = await bureau(['messages', caseId, '--key', DEV_KEY_FILE, '--data', server.dataDir])
  expect(messages.code).toBe(0)
  expect(messages.output).toContain(REPLY)
  expect(messages.output).toContain(ANSWER)

  // 7. Nothing readable on the server: data directory and log.
  await server.stop()
  const secrets: [string, Buffer][] = [
    ['reply text', Buffer.from(REPLY)],
    ['answer text', Buffer.from(ANSWER)],
    ['查询码', Buffer.from(receipt)],
    ['screenshot bytes', screenshot.bytes.subarray(100, 164)],
    ['record bytes', record.bytes.subarray(record.bytes.indexOf('second transfer') - 8, record.bytes.indexOf('second transfer') + 30)],
  ]
  const stored = allFiles(server.dataDir)
  expect(stored.length).toBeGreaterThan(0)
  for (const path of stored) {
    const bytes = readFileSync(path)
    for (const [what, needle] of secrets) expect([path, what, bytes.indexOf(needle) >= 0]).toEqual([path, what, false])
  }
  const log = server.output()
  for (const [what, needle] of secrets.slice(0, 3)) expect([what, log.includes(needle.toString())]).toEqual([what, false])
  // Neither profile ever sent the 16 digits: only values derived from them.
  for (const r of [...firstRequests, ...requests]) expect(r.includes(receipt)).toBe(false)
})
