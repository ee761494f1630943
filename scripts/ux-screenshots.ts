/**
 * Screenshots of the details and reporter steps for issue 12 (items 1, 2, 4 and 5), as a resident
 * sees them on a 375 px phone: `npx tsx scripts/ux-screenshots.ts <out dir> <before|after>`.
 * Needs a current H5 build (npm run build:h5). Starts the real server on a free port.
 */
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, startServer } from '../e2e/harness'
import { choosePickerDefault, fillField, nextStep, tap, waitForStep } from '../e2e/phone'

const [outArg, label = 'after'] = process.argv.slice(2)
const out = resolve(outArg ?? 'docs/screenshots/ux')

async function shot(page: Page, name: string, fields: string[]): Promise<void> {
  // Taro scrolls inside the page element and keeps hidden pages in the DOM: visible fields only.
  const boxes = await page.evaluate((names) => {
    const els = names.flatMap((n) => Array.from(document.querySelectorAll(`[data-field="${n}"]`)).filter((e) => (e as HTMLElement).offsetParent !== null))
    els[0]?.scrollIntoView({ block: 'center' })
    return els.map((e) => {
      const r = e.getBoundingClientRect()
      return { y: r.top, height: r.height }
    })
  }, fields)
  if (boxes.length === 0) throw new Error(`no visible field among ${fields.join(', ')}`)
  const top = Math.max(0, Math.min(...boxes.map((b) => b.y)) - 8)
  const bottom = Math.max(...boxes.map((b) => b.y + b.height)) + 8
  await page.screenshot({ path: join(out, `${name}-${label}.png`), clip: { x: 0, y: top, width: page.viewportSize()!.width, height: bottom - top } })
}

async function main() {
  mkdirSync(out, { recursive: true })
  const server = await startServer()
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
  try {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const page = await context.newPage()
    await page.goto(`${server.url}/r?b=yd&c=loan`)
    await waitForStep(page, '描述受害经过')
    await choosePickerDefault(page, 'happened-date')
    await fillField(page, 'description', '2023年5月我在某借贷App借款5000元，到手只有3500元，对方每天打电话骚扰我。')
    // 1: an App name where the label asks for one.
    await fillField(page, 'party-websites', '“甜心”交友App')
    // 2: two links, the first one wrong.
    await fillField(page, 'link-0', 'weixin://dl/chat?abc')
    await tap(page, page.locator('[data-testid="add-link"]'))
    await fillField(page, 'link-1', 'www.baidu.com')
    // 4: full-width digits typed into an amount; 不清楚 chosen for another.
    const amount = page.locator('[data-testid="extra-contractAmount"] input').first()
    await amount.scrollIntoViewIfNeeded()
    await amount.click()
    await page.keyboard.type('２００００')
    await tap(page, page.locator('[data-field="extra.receivedAmount"] >> text=填“不清楚”'))
    // 5: a wrong phone list, so a message sits under the multi-line box.
    await fillField(page, 'extra-collectorPhones', '催收 12')
    await nextStep(page)
    await page.waitForTimeout(3000) // the toast goes away
    await shot(page, '1-app-name', ['party.websites'])
    await shot(page, '2-link-errors', ['links'])
    await shot(page, '4-amounts', ['extra.contractAmount', 'extra.receivedAmount'])
    await shot(page, '5-textarea', ['extra.collectorPhones'])
  } finally {
    await browser.close()
    await server.stop()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
