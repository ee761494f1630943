/**
 * A resident scans a notice QR code (ordinary link /r?b=yd&c=loan), walks every step of the
 * report in a phone-sized Chromium, reaches the review screen, reloads, and finds the draft intact
 * with its attachments. Screenshots of each step land in e2e/artifacts/report-flow/ (git-ignored).
 */
import type { Browser, Page } from 'playwright-core'
import { launchPhone, screenshotter, startServer, type RunningServer } from './harness'
import { DESCRIPTION, LINK, makeEvidence, walkToReview } from './flows'
import { eventually, tap } from './phone'

let server: RunningServer
let browser: Browser
let page: Page
let snap: (step: string) => Promise<void>

beforeAll(async () => {
  server = await startServer()
  ;({ browser, page } = await launchPhone())
  snap = screenshotter(page, 'report-flow')
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

test('QR link → every step → review → reload keeps the draft and its attachments', async () => {
  const evidence = makeEvidence('report-flow')

  await walkToReview(page, server.url, evidence, snap)

  // Review: everything on one screen.
  await page.locator('[data-testid="review-details"]').waitFor()
  const review = page.locator('.step__body >> visible=true').first()
  await expect(review.innerText()).resolves.toContain(DESCRIPTION)
  await expect(review.innerText()).resolves.toContain(LINK)
  await expect(review.innerText()).resolves.toContain('大同市公安局御东分局扫黑办')
  await expect(review.innerText()).resolves.toContain('网络“套路贷”犯罪')
  await expect(page.locator('[data-testid="review-attachment"]').count()).resolves.toBe(3)
  await snap('review')

  // Reload: the draft is still there, attachments included (bytes kept in IndexedDB).
  await page.reload()
  await page.locator('[data-testid="review-details"]').waitFor()
  await expect(page.locator('.step__body >> visible=true').first().innerText()).resolves.toContain(DESCRIPTION)
  const names = await page.locator('[data-testid="review-attachment"]').allInnerTexts()
  expect(names).toHaveLength(3)
  expect(names.join('\n')).toContain('聊天截图1.png')
  expect(names.join('\n')).toContain('转账记录.pdf')
  await snap('review-after-reload')

  // And the screenshots' bytes survived: the evidence step renders their thumbnails from storage.
  await tap(page, page.locator('[data-testid="edit-evidence"]'))
  await page.locator('[data-testid="attachment"]').nth(2).waitFor()
  const thumbs = page.locator('.attachment__thumb img, img.attachment__thumb')
  await eventually(async () => expect(await thumbs.count()).toBe(2))
  const widths = await thumbs.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth))
  expect(widths).toEqual([64, 64])
  await snap('evidence-after-reload')
})
