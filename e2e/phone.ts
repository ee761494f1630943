/** What a person does on the phone, in Playwright terms, against Taro's H5 components. */
import type { Locator, Page } from 'playwright-core'

export async function tap(_page: Page, target: Locator): Promise<void> {
  await target.first().scrollIntoViewIfNeeded()
  await target.first().click()
}

/** Types into the input or textarea inside the element with `data-testid`. */
export async function fillField(page: Page, testId: string, value: string): Promise<void> {
  // Taro renders <taro-input-core> / <taro-textarea-core> hosts with the real element inside.
  const target = page.locator(`[data-testid="${testId}"] >> visible=true`).first().locator('input, textarea').first()
  await target.waitFor()
  await target.scrollIntoViewIfNeeded()
  await target.fill(value)
}

export async function nextStep(page: Page): Promise<void> {
  await tap(page, page.locator('[data-testid="next"] >> visible=true'))
}

/**
 * Waits until the step with this title is the page on screen and its slide-in is over
 * (`taro_page_stationed`), the only page displayed. Taro keeps hidden pages in the DOM, and a page
 * sliding in from off-screen already counts as visible. Until the slide-in ends, a transition timer
 * is still pending (`hide()`'s 350 ms shade timer on the page below, which `show()` does not
 * cancel), so a Back in that moment can leave the previous step hidden (a person cannot tap that
 * fast; a test can).
 */
export async function waitForStep(page: Page, title: string): Promise<void> {
  await page.locator('.step__title >> visible=true').filter({ hasText: title }).first().waitFor()
  await page.waitForFunction((wanted) => {
    const shown = Array.from(document.querySelectorAll<HTMLElement>('.taro_router > .taro_page')).filter(
      (el) => getComputedStyle(el).display !== 'none',
    )
    if (shown.length !== 1) return false
    const [only] = shown
    if (!only.classList.contains('taro_page_show') || !only.classList.contains('taro_page_stationed')) return false
    return Array.from(only.querySelectorAll('.step__title')).some((t) => (t.textContent ?? '').includes(wanted))
  }, title)
}

export async function expectFieldError(page: Page, field: string): Promise<void> {
  await page.locator(`[data-error-for="${field}"]`).first().waitFor({ state: 'visible', timeout: 5000 })
}

export async function expectNoFieldErrors(page: Page): Promise<void> {
  await eventually(async () => {
    const count = await page.locator('[data-error-for]').count()
    if (count !== 0) throw new Error(`${count} field errors still shown`)
  })
}

export async function pickFiles(page: Page, button: Locator, paths: string[]): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), tap(page, button)])
  await chooser.setFiles(paths)
}

/** Opens a Taro H5 picker and confirms the value it proposes (today for a date picker). */
export async function choosePickerDefault(page: Page, testId: string): Promise<void> {
  await tap(page, page.locator(`[data-testid="${testId}"]`))
  const confirm = page.locator('.weui-picker__action >> visible=true').filter({ hasText: '确定' }).first()
  await confirm.waitFor({ state: 'visible' })
  await confirm.click()
}

export async function eventually(check: () => Promise<void>, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await check()
      return
    } catch (err) {
      if (Date.now() > deadline) throw err
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

/** Confirms Taro's H5 modal (showModal) with its confirm button. */
export async function confirmModal(page: Page): Promise<void> {
  const foot = page.locator('.taro-modal__foot >> visible=true').first()
  await foot.waitFor()
  // The confirm button is the last one in the footer (cancel comes first when shown).
  await foot.locator('div').last().click()
}

/**
 * Waits until the home page's 我要举报 button is on screen and returns when that happened, in
 * milliseconds since navigation start (the page's own clock, checked every animation frame).
 */
export async function reportButtonShown(page: Page, timeoutMs = 30000): Promise<number> {
  const handle = await page.waitForFunction(
    () => {
      const button = Array.from(document.querySelectorAll('taro-button-core, button')).find((b) => (b.textContent ?? '').includes('我要举报'))
      const box = button?.getBoundingClientRect()
      return box && box.height > 0 && box.top < window.innerHeight ? performance.now() : false
    },
    undefined,
    { polling: 'raf', timeout: timeoutMs },
  )
  return (await handle.jsonValue()) as number
}
