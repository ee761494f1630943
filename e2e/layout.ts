/**
 * Layout and accessibility checks for the browser tests (issue 12): enlarged system text, no two
 * visible text boxes overlapping, nothing wider than the screen, inputs centred, tap targets of
 * at least 44×44 CSS px, buttons not clipped, and axe-core's WCAG 2 A/AA rules.
 */
import type { Page } from 'playwright-core'

/** Phone widths the layout must hold at (CSS px). */
export const WIDTHS = [320, 375, 414] as const

/**
 * Enlarged system text, as WeChat's and Android's font-size setting does it: every font size
 * grows by `factor`, box sizes do not. Done by rewriting each stylesheet rule's font-size (kept
 * from the original, so the factor can change), including sheets that load later (the report
 * flow's subpackage). The root font size that Taro's rem units hang on is left alone.
 */
export async function installTextScale(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const originals = new WeakMap<CSSStyleRule, string>()
    const w = window as unknown as { __textScale: number; __applyTextScale: () => void }
    w.__textScale = 1
    const visit = (rules: CSSRuleList) => {
      for (const rule of Array.from(rules)) {
        if (rule instanceof CSSStyleRule) {
          if (!originals.has(rule) && rule.style.fontSize) originals.set(rule, rule.style.fontSize)
          const original = originals.get(rule)
          const wanted = w.__textScale === 1 ? original : `calc(${original} * ${w.__textScale})`
          if (original && rule.style.fontSize !== wanted) rule.style.setProperty('font-size', wanted ?? null, rule.style.getPropertyPriority('font-size'))
        } else if ('cssRules' in rule) {
          visit((rule as CSSGroupingRule).cssRules)
        }
      }
    }
    w.__applyTextScale = () => {
      const sheets = [...Array.from(document.styleSheets), ...(document.adoptedStyleSheets ?? [])]
      for (const sheet of sheets) {
        try {
          visit(sheet.cssRules)
        } catch {
          // A sheet from another origin: none here.
        }
      }
    }
    new MutationObserver(() => w.__applyTextScale()).observe(document, { childList: true, subtree: true })
    document.addEventListener('load', () => w.__applyTextScale(), true)
  })
}

/** Sets the text size (1 = normal) and the viewport width, and lets the page lay out again. */
export async function setLayout(page: Page, width: number, textScale: number): Promise<void> {
  const height = page.viewportSize()?.height ?? 800
  await page.setViewportSize({ width, height })
  await page.evaluate((f) => {
    const w = window as unknown as { __textScale: number; __applyTextScale: () => void }
    w.__textScale = f
    w.__applyTextScale()
    window.dispatchEvent(new Event('resize'))
  }, textScale)
  // Taro's rem script and the clamp measurement run on resize; a page opened on top slides in
  // (300 ms). Wait until the page on screen stands still at the left edge, then two frames more.
  await page.waitForFunction(() => {
    const shown = Array.from(document.querySelectorAll('.taro_page')).filter((p) => getComputedStyle(p).display !== 'none')
    const top = shown[shown.length - 1]
    return !!top && Math.abs(top.getBoundingClientRect().left) < 0.5 && top.getAnimations().length === 0
  })
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)))))
}

export interface LayoutProblem {
  kind: 'overlap' | 'overflow' | 'off-centre' | 'small-target' | 'clipped-button' | 'expand-link'
  detail: string
}

/**
 * Everything wrong with the layout of the visible page: text boxes (lines of text, inputs and
 * textareas) that overlap, content wider than the screen, one-line inputs whose text is not in
 * the middle, tap targets under 44×44, buttons whose border is clipped. Fixed overlays (toasts,
 * dialogs) are left out, and so is text hidden by an overflow:hidden box (a clamped preview).
 */
export async function layoutProblems(page: Page): Promise<LayoutProblem[]> {
  return page.evaluate(() => {
    const problems: { kind: string; detail: string }[] = []
    type Box = { left: number; top: number; right: number; bottom: number; what: string; owner: Element }
    const visible = (el: Element): boolean => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const s = getComputedStyle(e)
        if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return false
        if (s.position === 'fixed') return false
      }
      return true
    }
    /** The box `el`'s content is cut to (`el` itself included when it is the text's own box). */
    const clipOf = (el: Element, self = false) => {
      let clip = { left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity }
      // Boxes that hide overflow cut what is outside them; inside a scrolling box (the page) the
      // content can be scrolled to, so boxes around that scrolling box cut nothing in its axis.
      let scrollsX = false
      let scrollsY = false
      for (let e = self ? el : el.parentElement; e; e = e.parentElement) {
        const s = getComputedStyle(e)
        const cutsX = !scrollsX && (s.overflowX === 'hidden' || s.overflowX === 'clip')
        const cutsY = !scrollsY && (s.overflowY === 'hidden' || s.overflowY === 'clip')
        scrollsX ||= s.overflowX === 'auto' || s.overflowX === 'scroll'
        scrollsY ||= s.overflowY === 'auto' || s.overflowY === 'scroll'
        if (cutsX || cutsY) {
          const r = e.getBoundingClientRect()
          if (cutsX) clip = { ...clip, left: Math.max(clip.left, r.left), right: Math.min(clip.right, r.right) }
          if (cutsY) clip = { ...clip, top: Math.max(clip.top, r.top), bottom: Math.min(clip.bottom, r.bottom) }
        }
      }
      return clip
    }
    const label = (el: Element) => {
      const id = el.closest('[data-testid]')?.getAttribute('data-testid') ?? el.closest('[data-field]')?.getAttribute('data-field') ?? el.tagName.toLowerCase()
      return id
    }
    const boxes: Box[] = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? ''
      const parent = n.parentElement
      if (!parent || text.trim() === '' || parent.closest('input, textarea, script, style') || !visible(parent)) continue
      const clip = clipOf(parent, true)
      const range = document.createRange()
      range.selectNodeContents(n)
      for (const r of Array.from(range.getClientRects())) {
        const b = { left: Math.max(r.left, clip.left), top: Math.max(r.top, clip.top), right: Math.min(r.right, clip.right), bottom: Math.min(r.bottom, clip.bottom) }
        if (b.right - b.left < 1 || b.bottom - b.top < 1) continue
        boxes.push({ ...b, what: `“${text.trim().slice(0, 16)}”`, owner: parent })
      }
    }
    for (const el of Array.from(document.querySelectorAll('input:not([type=file]), textarea'))) {
      if (!visible(el)) continue
      const r = el.getBoundingClientRect()
      if (r.width < 1 || r.height < 1) continue
      boxes.push({ left: r.left, top: r.top, right: r.right, bottom: r.bottom, what: `<${el.tagName.toLowerCase()} ${label(el)}>`, owner: el })
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]
        const b = boxes[j]
        if (a.owner === b.owner) continue
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left)
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)
        if (w > 1 && h > 1) problems.push({ kind: 'overlap', detail: `${a.what} and ${b.what} overlap by ${w.toFixed(1)}×${h.toFixed(1)} px` })
      }
    }

    // Nothing wider than the screen (text at 200% must wrap, not run off to the right).
    const vw = document.documentElement.clientWidth
    for (const b of boxes) if (b.right > vw + 1 || b.left < -1) problems.push({ kind: 'overflow', detail: `${b.what} reaches ${b.left.toFixed(0)}–${b.right.toFixed(0)} px on a ${vw} px screen` })
    for (const pageEl of Array.from(document.querySelectorAll('.taro_page'))) {
      if (visible(pageEl) && pageEl.scrollWidth > pageEl.clientWidth + 1) problems.push({ kind: 'overflow', detail: `the page scrolls sideways (${pageEl.scrollWidth} > ${pageEl.clientWidth})` })
    }

    // One-line inputs: the text's middle is the box's middle.
    for (const host of Array.from(document.querySelectorAll('taro-input-core.input'))) {
      const input = host.querySelector('input')
      if (!input || !visible(host)) continue
      const hr = host.getBoundingClientRect()
      const ir = input.getBoundingClientRect()
      const off = Math.abs((ir.top + ir.bottom) / 2 - (hr.top + hr.bottom) / 2)
      if (off > 2) problems.push({ kind: 'off-centre', detail: `<input ${label(host)}> text is ${off.toFixed(1)} px off the middle of its box` })
    }

    // Tap targets: everything one taps is at least 44×44 CSS px.
    const targets = 'taro-button-core, [role=button], [role=radio], [role=checkbox], taro-input-core, taro-textarea-core'
    for (const el of Array.from(document.querySelectorAll(targets))) {
      if (!visible(el)) continue
      const r = el.getBoundingClientRect()
      if (r.width < 1 && r.height < 1) continue
      if (r.width < 43.5 || r.height < 43.5) problems.push({ kind: 'small-target', detail: `${label(el)} “${(el.textContent ?? '').trim().slice(0, 12)}” is ${r.width.toFixed(0)}×${r.height.toFixed(0)} px` })
    }

    // Buttons: no hairline ::after border (Taro/WeChat draw one that the button's overflow clips),
    // and the button lies wholly inside every box that clips.
    for (const el of Array.from(document.querySelectorAll('taro-button-core'))) {
      if (!visible(el)) continue
      const after = getComputedStyle(el, '::after')
      if (after.display !== 'none' && after.content !== 'none' && parseFloat(after.borderTopWidth) > 0) {
        problems.push({ kind: 'clipped-button', detail: `“${(el.textContent ?? '').trim()}” draws a ${after.borderTopWidth} ::after border that its corners clip` })
      }
      const r = el.getBoundingClientRect()
      const c = clipOf(el)
      if (r.left < c.left - 0.5 || r.right > c.right + 0.5 || r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5) {
        problems.push({ kind: 'clipped-button', detail: `“${(el.textContent ?? '').trim()}” is cut by a box around it` })
      }
    }

    // "展开说明" is offered exactly where the two-line preview cuts the text.
    for (const clamp of Array.from(document.querySelectorAll('.clamp'))) {
      if (!visible(clamp)) continue
      const cut = clamp.scrollHeight > clamp.clientHeight + 1
      const card = clamp.closest('.card')!
      const offered = !!card.querySelector('[data-testid^="expand-"]')
      if (cut !== offered) problems.push({ kind: 'expand-link', detail: `${label(card)}: text ${cut ? 'is cut' : 'is complete'} but “展开说明” is ${offered ? '' : 'not '}shown` })
    }
    return problems as never
  })
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: string[]
}

/**
 * axe-core (from npm) on the visible page: WCAG 2.0/2.1/2.2 A and AA rules, colour contrast
 * included, and its target-size check raised to 44×44 px.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window)
  if (!loaded) await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') })
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: any }).axe
    axe.configure({ checks: [{ id: 'target-size', options: { minSize: 44 } }] })
    // Only the page on screen: Taro keeps earlier pages in the DOM, hidden.
    const shown = Array.from(document.querySelectorAll('.taro_page')).filter((p) => getComputedStyle(p).display !== 'none')
    const result = await axe.run(
      { include: shown.length > 0 ? shown : [document.body] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] },
    )
    // The viewport is outside the page container: check it on its own.
    const meta = await axe.run(document, { runOnly: { type: 'rule', values: ['meta-viewport'] }, resultTypes: ['violations'] })
    return [...result.violations, ...meta.violations].map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n: any) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').split('\n').slice(1).join(' ').trim()}`),
    }))
  })
}
