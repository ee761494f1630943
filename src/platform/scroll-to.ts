/**
 * Browser (H5): brings the element with this id on the visible page into view and moves focus
 * to its first input (or to the element itself), so the resident lands on what needs fixing.
 * Taro keeps hidden pages in the DOM: only a visible element counts.
 */
export function scrollToElement(id: string): void {
  setTimeout(() => {
    const el = Array.from(document.querySelectorAll<HTMLElement>(`[id="${id}"]`)).find((e) => e.offsetParent !== null)
    if (!el) return
    el.scrollIntoView({ block: 'center' })
    const input = el.querySelector<HTMLElement>('input, textarea')
    if (input) input.focus({ preventScroll: true })
    else {
      if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1')
      el.focus({ preventScroll: true })
    }
  }, 0)
}
