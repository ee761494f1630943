/**
 * A resident's walk through the report flow, shared by the browser tests: open a notice QR link,
 * fill every step as a person would, and stop on the review screen.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { artifactsDir, makePdf, makePng } from './harness'
import { choosePickerDefault, expectFieldError, expectNoFieldErrors, fillField, nextStep, pickFiles, tap, waitForStep } from './phone'

export const DESCRIPTION = '2023年5月我在某借贷App借款5000元，到手只有3500元，对方说逾期后每天打电话骚扰我和我的家人。'
export const LINK = 'https://loan.example.com/app/123'
export const PHONES = '13812345678, 0352-1234567'
export const LENDING_APP = '快乐借App'

export interface EvidenceFile {
  path: string
  name: string
  bytes: Buffer
  sha256: string
}

/** Two PNG screenshots and one PDF transaction record, made by the test; `large` makes the PNGs incompressible and big. */
export function makeEvidence(name: string, large?: { width: number; height: number }): EvidenceFile[] {
  const dir = artifactsDir(`${name}-files`)
  const files: [string, Buffer][] = [
    ['聊天截图1.png', makePng(1, large?.width, large?.height, !!large)],
    ['chat-2.png', makePng(2, large?.width, large?.height, !!large)],
    ['转账记录.pdf', makePdf('transfer record 5000 CNY')],
  ]
  return files.map(([fileName, bytes]) => {
    const path = join(dir, fileName)
    writeFileSync(path, bytes)
    return { path, name: fileName, bytes: readFileSync(path), sha256: createHash('sha256').update(bytes).digest('hex') }
  })
}

type Snap = (name: string) => Promise<void>

/** From the QR link to the review screen, checking each step's validation on the way. */
export async function walkToReview(page: Page, baseUrl: string, evidence: EvidenceFile[], snap: Snap = async () => undefined): Promise<void> {
  const [png1, png2, pdf] = evidence
  // The ordinary-link QR code on the notice preselects 御东分局 and 套路贷 and opens the flow.
  await page.goto(`${baseUrl}/r?b=yd&c=loan`)
  await waitForStep(page, '描述受害经过')
  expect(page.url()).toContain('/report/details/index?id=')
  await snap('details-opened-from-qr')

  // Back to the category step: 套路贷 is preselected.
  await tap(page, page.locator('text=上一步 >> visible=true'))
  await waitForStep(page, '选择举报类别')
  await expect(page.locator('[data-testid="category-loan"]').getAttribute('aria-checked')).resolves.toBe('true')
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
  await fillField(page, 'party-phones', PHONES)
  await fillField(page, 'extra-app', LENDING_APP)
  await snap('details-filled')
  await nextStep(page)

  // Evidence: two screenshots and one PDF transaction record.
  await waitForStep(page, '上传证明材料')
  await pickFiles(page, page.locator('[data-testid="add-screenshots"]'), [png1.path, png2.path])
  await page.locator('[data-testid="attachment"]').nth(1).waitFor()
  await pickFiles(page, page.locator('[data-testid="add-records"]'), [pdf.path])
  await page.locator('[data-testid="attachment"]').nth(2).waitFor()
  await expect(page.locator('[data-testid="attachment-summary"]').innerText()).resolves.toContain('已添加 3 / 20')
  await snap('evidence')
  await nextStep(page)

  // Branch: 御东分局 is preselected, with the notice's phone number.
  await waitForStep(page, '选择受理单位')
  await expect(page.locator('[data-testid="branch-yd"]').getAttribute('aria-checked')).resolves.toBe('true')
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

  await page.locator('[data-testid="review-details"]').waitFor()
}
