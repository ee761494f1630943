import { launchPhone, startServer } from './harness'
import { installTextScale, layoutProblems, setLayout, WIDTHS } from './layout'
import { waitForStep } from './phone'
test('dbg', async () => {
  const server = await startServer()
  const { browser, page } = await launchPhone()
  await installTextScale(page)
  await page.goto(`${server.url}/r?b=yd&c=loan`)
  await waitForStep(page, '描述受害经过')
  console.log('wide', await page.evaluate(() => Array.from(document.querySelectorAll('*')).map((e) => [e.tagName + '.' + (e.className?.toString?.() ?? ''), e.getBoundingClientRect().right, e.scrollWidth]).filter(([, r, sw]) => (r as number) > 391 || (sw as number) > 391).slice(0, 30)))
  console.log('initial', await page.evaluate(() => [window.visualViewport?.scale, window.innerWidth, document.documentElement.clientWidth, devicePixelRatio]))
  for (const scale of [1, 1.5, 2]) for (const w of WIDTHS) {
    await setLayout(page, w, scale)
    const probs = await layoutProblems(page)
    const scaleNow = await page.evaluate(() => window.visualViewport?.scale)
    console.log(`== ${w} ${scale} vvscale=${scaleNow} problems=${probs.length}\n` + probs.slice(0, 15).map((p) => `   ${p.kind} ${p.detail}`).join('\n'))
    if (w === 320 && scale === 2) await page.screenshot({ path: '/tmp/dbg-320-2.png' })
  }
  await browser.close(); await server.stop()
})
