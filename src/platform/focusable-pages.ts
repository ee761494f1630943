/**
 * Browser (H5): Taro's page containers (.taro_page) are the scrolling boxes; a keyboard or
 * switch user can scroll a page only if it can take focus (WCAG 2.1.1, axe
 * "scrollable-region-focusable"). Each page container gets tabindex="0" as it appears.
 */
export function makePagesFocusable(): void {
  if (typeof document === 'undefined' || typeof MutationObserver === 'undefined') return
  const mark = () => {
    for (const el of Array.from(document.querySelectorAll('.taro_page:not([tabindex])'))) el.setAttribute('tabindex', '0')
  }
  mark()
  new MutationObserver(mark).observe(document.body, { childList: true, subtree: true })
}
