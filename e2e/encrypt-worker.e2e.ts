/**
 * Encryption off the page's main thread (issue 13), in Chromium with the real H5 build: a 20 MB
 * file is attached and submitted. The report is encrypted in a Web Worker loaded from a
 * same-origin script of the build (allowed by a CSP of `worker-src 'self'`, no blob: or eval):
 * every plaintext byte of every file is handed to that worker, in pieces of at most 1 MiB.
 * That is counted, not timed: the page's long tasks are printed as figures only (a timed limit
 * fails whenever the machine is busy). A second test removes Web Workers: the in-thread fallback
 * still delivers.
 */
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { makeEvidence, walkToReview, type EvidenceFile } from './flows'
import { artifactsDir, launchPhone, makePng, startServer, type RunningServer } from './harness'
import { eventually, tap } from './phone'
import { openAllSubmissions } from './stored'

/** The page hands the worker plaintext in pieces of this size at most (DEFAULT_PIECE_SIZE). */
const PIECE_LIMIT = 1024 * 1024

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

/** The usual evidence, with the first screenshot replaced by an incompressible ~20 MB one. */
function evidenceWithBigFile(name: string): EvidenceFile[] {
  const evidence = makeEvidence(name)
  const dir = artifactsDir(`${name}-big`)
  const bytes = makePng(9, 2600, 2560, true)
  const path = join(dir, '录屏截图-大.png')
  writeFileSync(path, bytes)
  evidence[0] = { path, name: '录屏截图-大.png', bytes, sha256: createHash('sha256').update(bytes).digest('hex') }
  return evidence
}

async function readReceipt(): Promise<void> {
  await page.locator('[data-testid="receipt-code"] >> visible=true').first().waitFor({ timeout: 120000 })
}

// Encrypting 20 MB takes 4 s on an idle machine and 25 s on a busy one: room for both.
test('a 20 MB file is encrypted in a same-origin Web Worker: every plaintext byte goes to it, in pieces of at most 1 MiB', async () => {
  server = await startServer()
  // What the page posts to workers: the size of every plaintext piece ("data" messages).
  await context.addInitScript(() => {
    const w = window as unknown as { __pieces: number[] }
    w.__pieces = []
    const post = Worker.prototype.postMessage as (this: Worker, message: unknown, transfer?: unknown) => void
    Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: unknown) {
      const m = message as { type?: string; bytes?: ArrayBuffer }
      if (m && m.type === 'data' && m.bytes instanceof ArrayBuffer) w.__pieces.push(m.bytes.byteLength)
      return post.call(this, message, transfer)
    } as typeof Worker.prototype.postMessage
  })
  const origin = server.url
  // The CSP that is coming: workers only from the app's own origin.
  await context.route(`${origin}/**`, async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue()
    // Redirects (the QR link /r → /#/…) pass through as they are.
    const response = await route.fetch({ maxRedirects: 0 })
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': "worker-src 'self'" } })
  })
  const workers: string[] = []
  page.on('worker', (w) => workers.push(w.url()))
  const cspErrors: string[] = []
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text())
  })
  const evidence = evidenceWithBigFile('encrypt-worker')
  expect(evidence[0].bytes.length).toBeGreaterThan(19_900_000)
  await walkToReview(page, origin, evidence)

  // In the page: every long task, and when the encryption bar appears and goes (the upload starts).
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[]; __encrypt: { start: number; end: number; estimate: boolean } }
    w.__longTasks = []
    w.__encrypt = { start: 0, end: 0, estimate: false }
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration })
    }).observe({ type: 'longtask' })
    new MutationObserver(() => {
      const bar = Array.from(document.querySelectorAll('[data-testid="progress-encrypt"]')).find((e) => (e as HTMLElement).offsetParent !== null)
      if (bar && !w.__encrypt.start) w.__encrypt.start = performance.now()
      if (bar && /还需/.test(bar.textContent ?? '')) w.__encrypt.estimate = true
      if (!bar && w.__encrypt.start && !w.__encrypt.end) w.__encrypt.end = performance.now()
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true })
  })
  const tapped = await page.evaluate(() => performance.now())
  await tap(page, page.locator('[data-testid="submit"] >> visible=true'))

  type Window = { __longTasks: { start: number; duration: number }[]; __encrypt: { start: number; end: number; estimate: boolean } }
  await eventually(async () => {
    const end = await page.evaluate(() => (window as unknown as Window).__encrypt.end)
    if (!end) throw new Error('still encrypting')
  }, 120000)
  const { tasks, encrypt } = await page.evaluate(() => ({ tasks: (window as unknown as Window).__longTasks, encrypt: (window as unknown as Window).__encrypt }))
  // Tasks that start while encryption runs. (The task that renders the sending page, and with it
  // the first encryption bar, starts before encryption does: it is the navigation, not encryption.)
  const during = tasks.filter((t) => t.start >= encrypt.start && t.start < encrypt.end)
  const longest = Math.max(0, ...during.map((t) => t.duration))
  const fmt = (t: { start: number; duration: number }) => `${((t.start - tapped) / 1000).toFixed(2)} s: ${t.duration.toFixed(0)} ms`
  console.log(
    `encryption of a ${(evidence[0].bytes.length / 1e6).toFixed(1)} MB file (+2 small ones): ${((encrypt.end - encrypt.start) / 1000).toFixed(1)} s ` +
      `(from ${((encrypt.start - tapped) / 1000).toFixed(2)} s after 提交); main-thread long tasks while it ran: ${during.length}, ` +
      `the longest ${longest.toFixed(0)} ms (a figure: it grows when the machine is busy); time-left estimate shown: ${encrypt.estimate}\n` +
      `all long tasks since 提交: ${tasks.map(fmt).join(', ') || 'none'}`,
  )
  expect(encrypt.estimate).toBe(true)
  // Every plaintext byte of the three files went to the worker, a piece at a time; so did the
  // report itself (its text, under 64 KiB here).
  const pieces = await page.evaluate(() => (window as unknown as { __pieces: number[] }).__pieces)
  const files = evidence.reduce((n, e) => n + e.bytes.length, 0)
  const posted = pieces.reduce((n, b) => n + b, 0)
  expect(posted).toBeGreaterThan(files)
  expect(posted - files).toBeLessThan(64 * 1024)
  expect(Math.max(...pieces)).toBeLessThanOrEqual(PIECE_LIMIT)
  expect(pieces.length).toBeGreaterThanOrEqual(Math.ceil(evidence[0].bytes.length / PIECE_LIMIT))

  // It was a real worker, from the build output on the same origin.
  expect(workers).toHaveLength(1)
  expect(workers[0]).toMatch(new RegExp(`^${origin.replace(/[.]/g, '\\.')}/js/crypto\\.[0-9a-f]+\\.js$`))
  expect(cspErrors).toEqual([])

  await readReceipt()
  const receiptAt = await page.evaluate(() => performance.now())
  console.log(`from 提交 to the receipt: ${((receiptAt - tapped) / 1000).toFixed(1)} s`)
  const stored = await openAllSubmissions(server.dataDir)
  expect(stored).toHaveLength(1)
  stored[0].attachments.forEach((bytes, n) => expect(bytes.equals(evidence[n].bytes)).toBe(true))
}, 300000)

test('without Web Workers the report is encrypted in-thread and still arrives intact', async () => {
  server = await startServer()
  await context.addInitScript(() => {
    delete (window as unknown as { Worker?: unknown }).Worker
  })
  const workers: string[] = []
  page.on('worker', (w) => workers.push(w.url()))
  const evidence = makeEvidence('encrypt-in-thread')
  await walkToReview(page, server.url, evidence)
  expect(await page.evaluate(() => typeof (window as unknown as { Worker?: unknown }).Worker)).toBe('undefined')
  await tap(page, page.locator('[data-testid="submit"] >> visible=true'))
  await readReceipt()
  expect(workers).toEqual([])
  const stored = await openAllSubmissions(server.dataDir)
  expect(stored).toHaveLength(1)
  expect(stored[0].report.schema).toBe('clue-report/report@3')
  stored[0].attachments.forEach((bytes, n) => expect(bytes.equals(evidence[n].bytes)).toBe(true))
})
