/**
 * What a resident does and sees, against the rendered tree of the page on top: find visible text,
 * tap by visible label, type into / pick in the field under a visible label, answer native
 * dialogs, press WeChat's back arrow, read the route. Every action first waits (up to `timeout`)
 * for its target, as a person waits for the screen, and every call fails at once with the app's
 * errors if it has any.
 *
 * "Visible" means: on the top page (or in a native modal), not under an element with `hidden`
 * or an inline `display: none`. WXSS is not applied (see README, "What the WeChat runtime test
 * cannot prove"), so text hidden by a class is still seen here.
 */
import { dispatch } from './events'
import type { MiniProgram } from './runtime'
import type { RElement, RNode } from './wxml/render'

export type Label = string | RegExp

const CONTROLS = new Set(['input', 'textarea', 'picker', 'switch', 'checkbox', 'radio', 'slider'])

function hiddenByItself(el: RElement): boolean {
  const hidden = el.attrs.hidden
  if (hidden === true || hidden === 'true' || hidden === '') return true
  return typeof el.attrs.style === 'string' && /display\s*:\s*none/.test(el.attrs.style)
}

/** Text a person sees in this subtree (inputs show their value, or the placeholder when empty). */
export function visibleText(nodes: RNode[], between = ''): string {
  let out = ''
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text
    else if (!hiddenByItself(n)) {
      if (n.tag === 'input' || n.tag === 'textarea') out += (String(n.attrs.value ?? '') || String(n.attrs.placeholder ?? '')) + between
      else out += visibleText(n.children, between) + between
    }
  }
  return out
}

function normalize(s: string): string {
  return s.replace(/\s+/g, ' ').trim()
}

function matches(text: string, label: Label, exact: boolean): boolean {
  const t = normalize(text)
  if (label instanceof RegExp) return label.test(t)
  return exact ? t === normalize(label) : t.includes(normalize(label))
}

function elements(nodes: RNode[], out: RElement[] = []): RElement[] {
  for (const n of nodes) {
    if (n.kind !== 'element' || hiddenByItself(n)) continue
    out.push(n)
    elements(n.children, out)
  }
  return out
}

/** Deepest visible elements whose text matches (exact matches win over substring matches). */
export function findByText(nodes: RNode[], label: Label): RElement[] {
  const all = elements(nodes)
  for (const exact of [true, false]) {
    const hits = all.filter((el) => matches(visibleText([el]), label, exact))
    const deepest = hits.filter((el) => !hits.some((other) => other !== el && isAncestor(el, other)))
    if (deepest.length) return deepest
  }
  return []
}

function isAncestor(a: RElement, b: RElement): boolean {
  for (let p = b.parent; p; p = p.parent) if (p === a) return true
  return false
}

function bindsTap(el: RElement): boolean {
  for (let p: RElement | null = el; p; p = p.parent) if (p.events.tap || p.events.touchend) return true
  return false
}

function disabledButton(el: RElement): RElement | undefined {
  for (let p: RElement | null = el; p; p = p.parent) if ((p.tag === 'button' || CONTROLS.has(p.tag)) && (p.attrs.disabled === true || p.attrs.disabled === 'true')) return p
  return undefined
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class Screen {
  timeout = 10000

  constructor(readonly mp: MiniProgram) {}

  get route(): string | undefined {
    this.mp.check()
    return this.mp.route
  }

  get query(): Record<string, string> {
    return { ...(this.mp.stack.top?.query ?? {}) }
  }

  nodes(): RNode[] {
    return this.mp.tree()
  }

  /** All visible text of the page on top, whitespace collapsed. */
  text(): string {
    this.mp.check()
    return visibleText(this.nodes(), '\n').replace(/[ \t]+/g, ' ').replace(/\s*\n\s*/g, '\n').trim()
  }

  /** Waits until `check` passes (it may throw or return false), failing early on app errors. */
  async waitFor<T>(what: string, check: () => T | undefined | false, timeout = this.timeout): Promise<T> {
    const deadline = Date.now() + timeout
    let last: unknown
    for (;;) {
      this.mp.check()
      try {
        const v = check()
        if (v !== undefined && v !== false) return v as T
      } catch (e) {
        last = e
      }
      if (Date.now() > deadline) {
        const screen = normalize(visibleText(this.nodes())).slice(0, 1500)
        throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (${String(last)})` : ''}\nroute: ${this.mp.route}\nopen modals: ${JSON.stringify(this.mp.parts.ui.openModals())}\nscreen: ${screen}`)
      }
      await sleep(10)
    }
  }

  /** Waits until nothing more is sent to the view for ~30 ms (the app has reacted). */
  async settle(): Promise<void> {
    let count = -1
    let stable = 0
    const deadline = Date.now() + this.timeout
    while (stable < 3 && Date.now() < deadline) {
      await sleep(10)
      this.mp.check()
      const now = this.mp.setDataLog.length
      stable = now === count ? stable + 1 : 0
      count = now
    }
  }

  async waitForText(label: Label, timeout?: number): Promise<RElement> {
    return this.waitFor(`text ${String(label)}`, () => findByText(this.nodes(), label)[0], timeout)
  }

  async waitForRoute(route: string, timeout?: number): Promise<void> {
    await this.waitFor(`route ${route}`, () => this.mp.route === route, timeout)
    await this.settle()
  }

  /** Visible text of the tappable item (card, button, tick) that shows `label`. */
  async itemText(label: Label): Promise<string> {
    const el = await this.waitForText(label)
    for (let p: RElement | null = el; p; p = p.parent) if (p.events.tap) return normalize(visibleText([p], ' '))
    throw new Error(`「${String(label)}」 is not inside anything tappable`)
  }

  has(label: Label): boolean {
    return findByText(this.nodes(), label).length > 0
  }

  /** Taps the element showing `label` (the deepest one, so the tap bubbles as a finger's would). */
  async tap(label: Label): Promise<void> {
    const target = await this.waitFor(`something to tap showing ${String(label)}`, () => {
      const hits = findByText(this.nodes(), label)
      if (!hits.length) return undefined
      const tappable = hits.filter(bindsTap)
      if (!tappable.length) throw new Error(`「${String(label)}」 is on screen, but nothing under it reacts to a tap`)
      return tappable[0]
    })
    this.tapElement(target, String(label))
    await this.settle()
  }

  tapElement(target: RElement, what = target.tag): void {
    const disabled = disabledButton(target)
    if (disabled) throw new Error(`「${what}」 is disabled`)
    // A privacy agree button counts as tapped before its events run (WeChat records the tap natively).
    for (let p: RElement | null = target; p; p = p.parent) {
      if (p.tag === 'button' && p.attrs['open-type'] === 'agreePrivacyAuthorization') this.mp.parts.privacy.agreeButtonTapped(String(p.attrs.id ?? ''))
    }
    dispatch(this.mp, target, 'touchstart')
    dispatch(this.mp, target, 'touchend')
    dispatch(this.mp, target, 'tap', { x: 10, y: 10 })
    for (let p: RElement | null = target; p; p = p.parent) {
      if (p.tag === 'button' && p.attrs['open-type'] === 'agreePrivacyAuthorization') dispatch(this.mp, p, 'agreeprivacyauthorization', {})
    }
  }

  /** The form control (input, textarea, picker, …) under the visible label `label`. */
  async field(label: Label, tag?: string): Promise<RElement> {
    return this.waitFor(`a field labelled ${String(label)}`, () => {
      const labels = findByText(this.nodes(), label)
      for (const l of labels) {
        for (let scope: RElement | null = l.parent; scope; scope = scope.parent) {
          const found = elements([scope]).filter((el) => (tag ? el.tag === tag : CONTROLS.has(el.tag)) && el !== l && !isAncestor(el, l) && follows(l, el))
          if (found.length) return found[0]
        }
      }
      return undefined
    })
  }

  /**
   * Types `text` key by key into the field under `label`, as the keyboard does: one input event per
   * character, maxlength enforced (WeChat's default is 140). Returns the setData bytes each
   * keystroke caused.
   */
  async type(label: Label, text: string, options: { replace?: boolean } = {}): Promise<number[]> {
    const control = await this.field(label)
    this.checkTypable(control, text)
    const sid = String(control.dataset.sid ?? control.attrs.id)
    dispatch(this.mp, control, 'focus', { value: String(control.attrs.value ?? ''), height: 0 })
    let value = options.replace ? '' : String(control.attrs.value ?? '')
    const perKey: number[] = []
    const max = Number(control.attrs.maxlength ?? 140)
    for (const ch of [...text]) {
      if (max >= 0 && value.length + ch.length > max) break
      value += ch
      const before = this.mp.setDataLog.length
      const current = this.findBySid(sid) ?? control
      dispatch(this.mp, current, 'input', { value, cursor: value.length, keyCode: ch.charCodeAt(0) })
      await this.settle()
      perKey.push(this.mp.setDataLog.slice(before).reduce((n, r) => n + r.bytes, 0))
    }
    dispatch(this.mp, this.findBySid(sid) ?? control, 'blur', { value, cursor: value.length })
    await this.settle()
    return perKey
  }

  /** Puts `text` into the field at once, as a paste does (one input event). */
  async fill(label: Label, text: string): Promise<void> {
    const control = await this.field(label)
    this.checkTypable(control, text)
    const max = Number(control.attrs.maxlength ?? 140)
    const value = max >= 0 ? text.slice(0, max) : text
    dispatch(this.mp, control, 'focus', { value: String(control.attrs.value ?? ''), height: 0 })
    dispatch(this.mp, control, 'input', { value, cursor: value.length, keyCode: 0 })
    dispatch(this.mp, control, 'blur', { value, cursor: value.length })
    await this.settle()
  }

  /** The value the field under `label` shows now. */
  async valueOf(label: Label): Promise<string> {
    const control = await this.field(label)
    return String(control.attrs.value ?? '')
  }

  /** Chooses `value` in the picker under `label` (a date "YYYY-MM-DD", a time, or an index). */
  async choose(label: Label, value: string | number): Promise<void> {
    const picker = await this.field(label, 'picker')
    const { start, end, mode } = picker.attrs as { start?: string; end?: string; mode?: string }
    if ((mode === 'date' || mode === 'time') && ((start && String(value) < start) || (end && String(value) > end))) throw new Error(`the ${mode} picker allows ${start ?? '…'} to ${end ?? '…'}, not ${String(value)}`)
    dispatch(this.mp, picker, 'change', { value })
    await this.settle()
  }

  /** Taps the back arrow of WeChat's navigation bar (not a button of the app's own). */
  async back(): Promise<void> {
    this.mp.check()
    await this.mp.stack.userBack()
    await this.settle()
  }

  /** The visible text of the deepest element showing `label`, whitespace collapsed (e.g. a receipt code drawn in groups). */
  async textOf(label: Label): Promise<string> {
    return normalize(visibleText([await this.waitForText(label)]))
  }

  /** Taps a button of the native modal on screen; returns it. */
  async tapModal(label: string) {
    await this.waitFor(`a modal with a button ${label}`, () => this.mp.parts.ui.openModals().length > 0)
    const modal = this.mp.parts.ui.tapModal(label)
    await this.settle()
    return modal
  }

  private findBySid(sid: string): RElement | undefined {
    return elements(this.nodes()).find((el) => String(el.dataset.sid ?? el.attrs.id) === sid)
  }

  private checkTypable(control: RElement, text: string): void {
    if (control.tag !== 'input' && control.tag !== 'textarea') throw new Error(`the field is a <${control.tag}>, not a text field`)
    if (control.attrs.disabled === true) throw new Error('the field is disabled')
    const type = String(control.attrs.type ?? 'text')
    const allowed: Record<string, RegExp> = { number: /^\d*$/, digit: /^[\d.]*$/, idcard: /^[\dXx]*$/ }
    if (allowed[type] && !allowed[type].test(text)) throw new Error(`a ${type} keyboard cannot type "${text}"`)
  }
}

/** Whether `b` comes after `a` in document order. */
function follows(a: RElement, b: RElement): boolean {
  const chain = (el: RElement) => {
    const out: RElement[] = []
    for (let p: RElement | null = el; p; p = p.parent) out.unshift(p)
    return out
  }
  const ca = chain(a)
  const cb = chain(b)
  let i = 0
  while (i < ca.length && i < cb.length && ca[i] === cb[i]) i++
  if (i === ca.length || i === cb.length) return cb.length > ca.length
  const parent = ca[i - 1]
  if (!parent) return true
  return parent.children.indexOf(cb[i]) > parent.children.indexOf(ca[i])
}
