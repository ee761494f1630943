/**
 * A resident scans a notice QR code (ordinary link /r?b=yd&c=loan), walks every step of the
 * report in a phone-sized Chromium, reaches the review screen, reloads, and finds the draft intact
 * with its attachments. Screenshots of each step land in e2e/artifacts/report-flow/ (git-ignored).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { artifactsDir, launchPhone, makePdf, makePng, startServer, type RunningServer } from './harness'
import { waitForStep, choosePickerDefault, eventually, expectFieldError, expectNoFieldErrors, fillField, nextStep, pickFiles, tap } from './phone'

const DESCRIPTION = '2023年5月我在某借贷App借款5000元，到手只有3500元，对方说逾期后每天打电话骚扰我和我的家人。'
const LINK = 'https://loan.example.com/app/123'

let server: RunningServer
let browser: Browser
let page: Page
let shots: string
let shot = 0

async function snap(name: string) {
  shot += 1
  await page.screenshot({ path: join(shots, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true })
}

beforeAll(async () => {
  server = await startServer()
  ;({ browser, page } = await launchPhone())
  shots = artifactsDir('report-flow')
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

test('QR link → every step → review → reload keeps the draft and its attachments', async () => {
  const files = artifactsDir('report-flow-files')
  const png1 = join(files, '聊天截图1.png')
  const png2 = join(files, 'chat-2.png')
  const pdf = join(files, '转账记录.pdf')
  writeFileSync(png1, makePng(1))
  writeFileSync(png2, makePng(2))
  writeFileSync(pdf, makePdf('transfer record 5000 CNY'))

  // The ordinary-link QR code on the notice preselects 御东分局 and 套路贷 and opens the flow.
  await page.goto(`${server.url}/r?b=yd&c=loan`)
  await waitForStep(page, '描述受害经过')
  expect(page.url()).toContain('/report/details/index?id=')
  await snap('details-opened-from-qr')

  // Back to the category step: 套路贷 is preselected.
  await tap(page, page.getByText('上一步'))
  await waitForStep(page, '选择举报类别')
  await expect(page.locator('[data-testid="category-loan"]').getAttribute('aria-selected')).resolves.toBe('true')
  await snap('category-preselected')
  await nextStep(page)

  // Details: leaving with nothing filled in shows messages at the fields.
  await waitForStep(page, '描述受害经过')
  await nextStep(page)
  await expectFieldError(page, 'description')
  await expectFieldError(page, 'happenedAt')
  await snap('details-errors')
  await choosePickerDefault(page, 'happened-date')
  await fillField(page, 'description', DESCRIPTION)
  await fillField(page, 'link-0', 'abc')
  await nextStep(page)
  await expectFieldError(page, 'links.0')
  await fillField(page, 'link-0', LINK)
  await fillField(page, 'party-phones', '13812345678, 0352-1234567')
  await fillField(page, 'extra-app', '快乐借App')
  await nextStep(page)

  // Evidence: two screenshots and one PDF transaction record.
  await waitForStep(page, '上传证明材料')
  await pickFiles(page, page.locator('[data-testid="add-screenshots"]'), [png1, png2])
  await page.locator('[data-testid="attachment"]').nth(1).waitFor()
  await pickFiles(page, page.locator('[data-testid="add-records"]'), [pdf])
  await page.locator('[data-testid="attachment"]').nth(2).waitFor()
  await expect(page.locator('[data-testid="attachment-summary"]').innerText()).resolves.toContain('已添加 3 / 20')
  await snap('evidence')
  await nextStep(page)

  // Branch: 御东分局 is preselected, with the notice's phone number.
  await waitForStep(page, '选择受理单位')
  await expect(page.locator('[data-testid="branch-yd"]').getAttribute('aria-selected')).resolves.toBe('true')
  await page.getByText('举报电话：0352-7788110').first().waitFor()
  await snap('branch')
  await nextStep(page)

  // Reporter: a wrong mobile number is refused at the field; anonymous is fine.
  await waitForStep(page, '举报人信息')
  await tap(page, page.locator('[data-testid="reporter-named"]'))
  await fillField(page, 'reporter-name', '张三')
  await fillField(page, 'reporter-mobile', '12345')
  await nextStep(page)
  await expectFieldError(page, 'reporter.mobile')
  await snap('reporter-error')
  await tap(page, page.locator('[data-testid="reporter-anonymous"]'))
  await expectNoFieldErrors(page)
  await nextStep(page)

  // Declaration: both ticks are required.
  await waitForStep(page, '真实性声明')
  await nextStep(page)
  await expectFieldError(page, 'declaration.truthful')
  await tap(page, page.locator('[data-testid="declare-truthful"]'))
  await tap(page, page.locator('[data-testid="declare-liability"]'))
  await snap('declaration')
  await nextStep(page)

  // Review: everything on one screen.
  await page.locator('[data-testid="review-details"]').waitFor()
  const review = page.locator('.step__body')
  await expect(review.innerText()).resolves.toContain(DESCRIPTION)
  await expect(review.innerText()).resolves.toContain(LINK)
  await expect(review.innerText()).resolves.toContain('大同市公安局御东分局扫黑办')
  await expect(review.innerText()).resolves.toContain('网络“套路贷”犯罪')
  await expect(page.locator('[data-testid="review-attachment"]').count()).resolves.toBe(3)
  await snap('review')

  // Reload: the draft is still there, attachments included (bytes kept in IndexedDB).
  await page.reload()
  await page.locator('[data-testid="review-details"]').waitFor()
  await expect(page.locator('.step__body').innerText()).resolves.toContain(DESCRIPTION)
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
