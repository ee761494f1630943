/**
 * Submitting from the phone against the real server (issue 5): the happy path down to decrypting
 * what the server stored; a network cut in the middle of an upload; and a server that is down
 * from the start, across a page reload.
 */
import { createHash } from 'node:crypto'
import type { Browser, BrowserContext, Page, Request } from 'playwright-core'
import { DESCRIPTION, LENDING_APP, LINK, PHONES, makeEvidence, walkToReview, type EvidenceFile } from './flows'
import { launchPhone, screenshotter, startServer, type RunningServer } from './harness'
import { eventually, fillField, tap } from './phone'
import { openAllSubmissions } from './stored'

let server: RunningServer | undefined
let browser: Browser
let context: BrowserContext
let page: Page

beforeEach(async () => {
  ;({ browser, context, page } = await launchPhone())
})

afterEach(async () => {
  await browser?.close()
  await server?.stop()
  server = undefined
})

async function submitFromReview(): Promise<void> {
  await tap(page, page.locator('[data-testid="submit"] >> visible=true'))
}

/** Waits for the receipt page and answers the 16 digits it shows. */
async function readReceipt(timeout = 60000): Promise<string> {
  const code = page.locator('[data-testid="receipt-code"] >> visible=true').first()
  await code.waitFor({ timeout })
  const text = (await code.innerText()).trim()
  expect(text).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/)
  return text.replace(/\s/g, '')
}

async function confirmSaved(): Promise<void> {
  await tap(page, page.locator('[data-testid="receipt-saved"] >> visible=true'))
  await tap(page, page.locator('[data-testid="receipt-confirm"] >> visible=true'))
  await page.locator('[data-testid="start-report"] >> visible=true').first().waitFor()
}

function expectReportMatches(report: Record<string, any>, evidence: EvidenceFile[]) {
  // Envelope v2's report schema: no plaintext hashes; the chunk tags authenticate the files.
  expect(report.schema).toBe('clue-report/report@3')
  expect(report.category).toBe('loan')
  expect(report.branch).toBe('yd')
  expect(report.description).toBe(DESCRIPTION)
  expect(report.links.filter((l: string) => l)).toEqual([LINK])
  expect(report.party.phones).toBe(PHONES)
  expect(report.extra.app).toBe(LENDING_APP)
  expect(report.reporter).toEqual({ anonymous: true, name: '', mobile: '', idNumber: '' })
  expect(report.declaration.truthful).toBe(true)
  expect(report.declaration.liability).toBe(true)
  expect(Number.isNaN(Date.parse(report.declaration.declaredAt))).toBe(false)
  // Only a date was picked: the date alone, never a midnight the resident did not give (issue 12).
  expect(report.happenedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  expect(report.attachments.map((a: any) => [a.n, a.label, a.name, a.size])).toEqual([
    [0, '截图', evidence[0].name, evidence[0].bytes.length],
    [1, '截图', evidence[1].name, evidence[1].bytes.length],
    [2, '交易记录', evidence[2].name, evidence[2].bytes.length],
  ])
  for (const a of report.attachments) expect(a).not.toHaveProperty('sha256')
  expect(report.attachments.map((a: any) => a.mime)).toEqual(['image/png', 'image/png', 'application/pdf'])
}

test('submit: encrypted report and attachments reach the server intact; receipt; status shows received', async () => {
  server = await startServer()
  const snap = screenshotter(page, 'submit')
  const evidence = makeEvidence('submit')
  await walkToReview(page, server.url, evidence, snap)
  await snap('review')

  await submitFromReview()
  const receipt = await readReceipt()
  await snap('receipt')

  // Leaving needs an explicit "我已保存"; then the local draft is gone.
  await confirmSaved()
  await expect(page.locator('[data-testid="open-drafts"] >> visible=true').innerText()).resolves.toContain('（0）')
  await snap('home-after-submit')

  // The case page, as a resident would use it: a wrong receipt first, then the real one.
  await tap(page, page.locator('[data-testid="open-case"] >> visible=true'))
  await fillField(page, 'case-input', '1234')
  await tap(page, page.locator('[data-testid="case-open"] >> visible=true'))
  await page.getByText('16 位', { exact: false }).first().waitFor()
  await fillField(page, 'case-input', receipt.replace(/(\d{4})(?=\d)/g, '$1 '))
  await tap(page, page.locator('[data-testid="case-open"] >> visible=true'))
  const result = page.locator('[data-testid="case-status"] >> visible=true').first()
  await result.waitFor({ timeout: 30000 })
  await expect(result.getAttribute('data-status')).resolves.toBe('received')
  await expect(result.innerText()).resolves.toContain('已收到')
  await snap('status')

  // What the server holds opens with the bureau's key into exactly what was entered.
  const stored = await openAllSubmissions(server.dataDir)
  expect(stored).toHaveLength(1)
  expect(stored[0].state).toBe('accepted')
  expectReportMatches(stored[0].report, evidence)
  stored[0].attachments.forEach((bytes, n) => {
    expect(bytes.equals(evidence[n].bytes)).toBe(true)
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(evidence[n].sha256)
  })
  // The bureau's report.md shows the date alone and the resident's text exactly.
  const { renderReportMarkdown } = await import('../bureau/report-md')
  const { bundledConfig } = await import('../src/domain/campaign')
  const md = renderReportMarkdown(stored[0].report as never, { submissionId: stored[0].id, receivedAt: null, kid: 'dev', branches: bundledConfig.branches, attachments: [] })
  expect(md).toMatch(/\*\*发生时间：\*\* \d{4}年\d{1,2}月\d{1,2}日（举报人未填具体时间）/)
  expect(md).toContain(`\`\`\`text\n${DESCRIPTION}\n\`\`\``)
})

test('a network cut mid-upload: the report waits in the outbox, completes by itself, once, resending at most one chunk per file', async () => {
  server = await startServer()
  const snap = screenshotter(page, 'submit-network-cut')
  // Incompressible screenshots of ~1.2 MB, so each takes several chunks.
  const evidence = makeEvidence('submit-network-cut', { width: 700, height: 600 })
  await walkToReview(page, server.url, evidence)

  const sent = new Map<string, number[]>()
  let completedPuts = 0
  let cut = false
  // Every PUT body counts as sent, including the ones the cut interrupted (they may have gone out).
  const record = async (request: Request) => {
    const key = new URL(request.url()).pathname
    const offset = Number((await request.allHeaders())['upload-offset'])
    const size = request.postDataBuffer()?.length ?? 0
    const list = sent.get(key) ?? []
    list.push(offset, size)
    sent.set(key, list)
  }
  page.on('requestfailed', async (request: Request) => {
    if (request.method() === 'PUT') await record(request)
  })
  page.on('requestfinished', async (request: Request) => {
    if (request.method() !== 'PUT') return
    await record(request)
    completedPuts += 1
    // Cut the network once a few chunks of the first attachment are through.
    if (completedPuts === 2 && !cut) {
      cut = true
      await context.setOffline(true)
    }
  })

  await submitFromReview()
  await eventually(async () => expect(cut).toBe(true), 60000)
  const submitPage = page.locator('[data-testid="submit-page"] >> visible=true').first()
  await eventually(async () => expect(await submitPage.getAttribute('data-status')).toBe('waiting'), 30000)
  await page.getByText('网络恢复后会自动继续发送').first().waitFor()
  await snap('waiting-for-network')
  const putsWhileCut = completedPuts

  // The network comes back: the app notices by itself and finishes.
  await context.setOffline(false)
  const receipt = await readReceipt(90000)
  expect(receipt).toMatch(/^\d{16}$/)
  expect(completedPuts).toBeGreaterThan(putsWhileCut)
  await snap('receipt-after-reconnect')

  const stored = await openAllSubmissions(server.dataDir)
  expect(stored).toHaveLength(1)
  expectReportMatches(stored[0].report, evidence)
  stored[0].attachments.forEach((bytes, n) => expect(bytes.equals(evidence[n].bytes)).toBe(true))

  // Bytes sent twice: overlaps between PUT ranges of the same attachment.
  let resentTotal = 0
  for (const [path, list] of sent) {
    const ranges: [number, number][] = []
    for (let i = 0; i < list.length; i += 2) ranges.push([list[i], list[i] + list[i + 1]])
    ranges.sort((a, b) => a[0] - b[0])
    let covered = 0
    let resent = 0
    for (const [from, to] of ranges) {
      resent += Math.max(0, Math.min(to, covered) - from)
      covered = Math.max(covered, to)
    }
    const largestChunk = Math.max(...ranges.map(([from, to]) => to - from))
    expect(resent).toBeLessThanOrEqual(largestChunk)
    resentTotal += resent
    console.log(`${path}: ${ranges.length} PUTs, ${covered} bytes, ${resent} bytes sent again`)
  }
  console.log(`network cut: ${completedPuts} PUTs in all, ${resentTotal} bytes sent again`)
})

test('server down from the start, page reloaded, server back: the report still completes', async () => {
  server = await startServer()
  const { port, dataDir } = server
  const snap = screenshotter(page, 'submit-server-down')
  const evidence = makeEvidence('submit-server-down')
  await walkToReview(page, server.url, evidence)

  // The server goes away before the resident presses submit.
  await server.stop()
  await submitFromReview()
  const submitPage = page.locator('[data-testid="submit-page"] >> visible=true').first()
  await eventually(async () => expect(await submitPage.getAttribute('data-status')).toBe('waiting'), 60000)
  await snap('waiting-server-down')

  // The resident closes and reopens the page while the server is still down ...
  await page.reload().catch(() => undefined)
  // ... and comes back once it is up again.
  server = await startServer({ port, dataDir })
  await page.goto(`${server.url}/`)
  // The app resumes the outbox on start; once accepted, home points to the unsaved receipt.
  const pending = page.locator('[data-testid="receipt-pending"] >> visible=true').first()
  await pending.waitFor({ timeout: 90000 })
  await tap(page, pending)
  const receipt = await readReceipt(90000)
  expect(receipt).toMatch(/^\d{16}$/)
  await snap('receipt-after-server-back')

  const stored = await openAllSubmissions(server.dataDir)
  expect(stored).toHaveLength(1)
  expect(stored[0].state).toBe('accepted')
  expectReportMatches(stored[0].report, evidence)
  stored[0].attachments.forEach((bytes, n) => expect(bytes.equals(evidence[n].bytes)).toBe(true))
})
