/**
 * Event dispatch as WeChat does it (https://developers.weixin.qq.com/miniprogram/dev/framework/view/wxml/event.html):
 * capture-bind/capture-catch from the root down to the target, then bind/catch from the target up
 * through every ancestor for bubbling events (tap, longpress, touch…, animation/transition
 * events); catch stops there. Other events (input, change, focus, blur, confirm,
 * agreeprivacyauthorization, …) reach the target only. Each handler gets its own event object with
 * its currentTarget (id and dataset, from the data-* attributes of the rendered element), made in
 * the app's realm. A handler name its owner lacks is reported, as WeChat warns about it.
 */
import type { MiniProgram } from './runtime'
import type { RElement } from './wxml/render'

export const BUBBLING = new Set(['touchstart', 'touchmove', 'touchcancel', 'touchend', 'tap', 'longpress', 'longtap', 'transitionend', 'animationstart', 'animationiteration', 'animationend', 'touchforcechange'])

function pathTo(target: RElement): RElement[] {
  const path: RElement[] = []
  for (let el: RElement | null = target; el; el = el.parent) path.push(el)
  return path
}

function targetInfo(el: RElement) {
  return { id: String(el.attrs.id ?? ''), dataset: { ...el.dataset }, offsetLeft: 0, offsetTop: 0 }
}

/** Fires one event; returns how many handlers ran. */
export function dispatch(mp: MiniProgram, target: RElement, type: string, detail: Record<string, unknown> = {}): number {
  const path = pathTo(target)
  const started = Date.now()
  let handled = 0
  const run = (el: RElement, binding: { handler: string; mode: string }) => {
    const fn = el.owner.handler(binding.handler)
    if (!fn) {
      mp.violation(`${el.owner.path}: <${el.tag}> binds ${type} to "${binding.handler}", which does not exist`)
      return
    }
    handled++
    const event = mp.realm.copyIn({ type, timeStamp: started, target: targetInfo(target), currentTarget: targetInfo(el), detail, touches: [], changedTouches: [], mark: {}, mut: false })
    mp.realm.guard(`${el.owner.path} ${type} handler`, () => fn(event))
  }
  for (const el of [...path].reverse()) {
    const b = el.events[type]
    if (b && (b.mode === 'capture-bind' || b.mode === 'capture-catch')) {
      run(el, b)
      if (b.mode === 'capture-catch') return handled
    }
  }
  const bubblePath = BUBBLING.has(type) ? path : [target]
  for (const el of bubblePath) {
    const b = el.events[type]
    if (!b || b.mode.startsWith('capture')) continue
    run(el, b)
    if (b.mode === 'catch') break
  }
  return handled
}
