/**
 * The APIs that read the page on screen: selector queries and page scrolling. Both take WeChat's
 * selector syntax and look at the rendered tree of the page (wxml/render.ts).
 *
 * Selectors (https://developers.weixin.qq.com/miniprogram/dev/api/wxml/SelectorQuery.selectAll.html):
 * "仅支持下列语法" — #id, .class (several in a row), "a > b", "a b", "a >>> b" (across custom
 * components) and "a, b". Anything else (tag names, [attributes], :pseudo-classes, *, +, ~) is a
 * broken rule: the query fails loudly and it is reported.
 * Scope (https://developers.weixin.qq.com/miniprogram/dev/api/wxml/SelectorQuery.in.html):
 * "初始时，选择器仅选取页面范围的节点，不会选取任何自定义组件中的节点"; `.in(component)` moves the
 * scope into one component, `>>>` reaches into nested ones. Taro's recursive `comp` is such a
 * custom component, so a node rendered inside it is not found from the page scope.
 *
 * wx.createSelectorQuery (https://developers.weixin.qq.com/miniprogram/dev/api/wxml/wx.createSelectorQuery.html),
 * SelectorQuery (https://developers.weixin.qq.com/miniprogram/dev/api/wxml/SelectorQuery.html),
 * NodesRef.fields (https://developers.weixin.qq.com/miniprogram/dev/api/wxml/NodesRef.fields.html):
 * - wx.createSelectorQuery() queries the page on top when it is called; page.createSelectorQuery()
 *   and a component's this.createSelectorQuery() their own scope;
 * - select() gives the first match (null when none), selectAll() every match in document order
 *   ([] when none), selectViewport() the page's viewport;
 * - boundingClientRect / scrollOffset / fields queue a request; exec(callback) answers them
 *   later (the view layer is another thread), in order: each request's own callback first, then
 *   exec's callback with the array of results. exec has no Promise form;
 * - fields: id, dataset (the data-* attributes), properties (the listed attributes, never id,
 *   class, style or bindings), size (width, height), rect (left, right, top, bottom),
 *   scrollOffset (viewport or scroll-view only). mark, computedStyle, context, node and ref are
 *   not faked and fail loudly.
 * No layout is computed here (WXSS is not applied, see README): every node measures 0 × 0 at
 * (0, 0), as a node that is not displayed does; the viewport has the phone's window size. What
 * depends on real sizes is not proven by these tests.
 *
 * wx.pageScrollTo (https://developers.weixin.qq.com/miniprogram/dev/api/ui/scroll/wx.pageScrollTo.html):
 * scrollTop (px) or selector (2.7.3+, same syntax and page scope) with offsetTop (2.23.1+, only
 * with a selector), duration (default 300 ms). Every call is recorded in `scrolls` with the nodes
 * its selector matched, so a test can check where the page was taken.
 */
import type { RElement, RNode } from '../wxml/render'
import { asyncApi, WxFail, type ApiContext } from './api'

/** What the view module needs from the runtime: the pages' rendered trees and their scopes. */
export interface ViewHost {
  /** The page on top: its route, the owner of its own nodes, and its rendered tree. */
  topPage(): ViewScope | undefined
  /** The scope of a page or component instance of the page on top (for .in(component)). */
  scopeOf(instance: unknown): ViewScope | undefined
  /** The window the viewport fills. */
  window: { width: number; height: number }
}

export interface ViewScope {
  route: string
  /** Nodes whose `owner` is this belong to the scope (the page, or one component instance). */
  owner: unknown
  tree(): RNode[]
}

export interface ScrollRecord {
  route: string | undefined
  scrollTop?: number
  selector?: string
  offsetTop?: number
  duration: number
  /** The ids (or classes) of the nodes the selector matched, in document order. */
  matched: string[]
}

type Combinator = ' ' | '>' | '>>>'
interface Compound {
  ids: string[]
  classes: string[]
}
/** One alternative of a selector: compounds from left to right, each after its combinator. */
type Chain = { combinator: Combinator | undefined; compound: Compound }[]

const NAME = '-?[_a-zA-Z0-9][-_a-zA-Z0-9]*'
const COMPOUND = new RegExp(`^(?:[#.]${NAME})+$`)

/** Parses WeChat's selector syntax; throws WxFail for anything outside it. */
export function parseSelector(selector: unknown): Chain[] {
  if (typeof selector !== 'string' || selector.trim() === '') throw new WxFail(`invalid selector ${JSON.stringify(selector)}`)
  return selector.split(',').map((alternative) => {
    const tokens = alternative.trim().replace(/\s*(>>>|>)\s*/g, ' $1 ').split(/\s+/)
    const chain: Chain = []
    let combinator: Combinator | undefined
    for (const token of tokens) {
      if (token === '>' || token === '>>>') {
        if (chain.length === 0 || combinator !== ' ') throw new WxFail(`invalid selector "${selector}"`)
        combinator = token
        continue
      }
      if (!COMPOUND.test(token)) throw new WxFail(`invalid selector "${selector}": "${token}" is not an #id or .class selector`)
      const compound: Compound = { ids: [], classes: [] }
      for (const [, kind, name] of token.matchAll(new RegExp(`([#.])(${NAME})`, 'g'))) (kind === '#' ? compound.ids : compound.classes).push(name)
      chain.push({ combinator: chain.length === 0 ? undefined : combinator, compound })
      combinator = ' '
    }
    if (chain.length === 0 || combinator !== ' ') throw new WxFail(`invalid selector "${selector}"`)
    return chain
  })
}

function classesOf(el: RElement): string[] {
  return String(el.attrs.class ?? '').split(/\s+/).filter(Boolean)
}

function matchesCompound(el: RElement, c: Compound): boolean {
  const classes = classesOf(el)
  return c.ids.every((id) => String(el.attrs.id ?? '') === id) && c.classes.every((cl) => classes.includes(cl))
}

/** Whether `el` matches the chain up to index `i`, with the leftmost node in `scope`. */
function matchesChain(el: RElement, chain: Chain, i: number, scope: unknown): boolean {
  const { combinator, compound } = chain[i]
  if (!matchesCompound(el, compound)) return false
  if (i === 0) return el.owner === scope
  for (let p = el.parent; p; p = p.parent) {
    // " " and ">" stay inside one tree (the page's, or one component's); ">>>" crosses into components.
    if (combinator !== '>>>' && p.owner !== el.owner) return false
    if (matchesChain(p, chain, i - 1, scope)) return true
    if (combinator === '>') return false
  }
  return false
}

function allElements(nodes: RNode[], out: RElement[] = []): RElement[] {
  for (const n of nodes) {
    if (n.kind !== 'element') continue
    out.push(n)
    allElements(n.children, out)
  }
  return out
}

/** Every node of `scope` matching `selector`, in document order. */
export function selectIn(scope: ViewScope, selector: unknown): RElement[] {
  const chains = parseSelector(selector)
  return allElements(scope.tree()).filter((el) => chains.some((chain) => matchesChain(el, chain, chain.length - 1, scope.owner)))
}

const NOT_FAKED = ['mark', 'computedStyle', 'context', 'node', 'ref'] as const
const NOT_PROPERTIES = new Set(['id', 'class', 'style'])

function refuseNotFaked(fields: Record<string, unknown>): void {
  for (const key of NOT_FAKED) if (fields[key]) throw new Error(`NodesRef.fields({ ${key} }) is not faked by e2e/weapp (add it to wx/view.ts)`)
}

export function createView(ctx: ApiContext, host: ViewHost) {
  const scrolls: ScrollRecord[] = []
  /** Every selector the app queried, with the route and how many nodes matched. */
  const queries: { route: string; selector: string; matched: number }[] = []

  const checked = (api: string, selector: unknown): void => {
    try {
      parseSelector(selector)
    } catch (error) {
      ctx.violation(`${api}: ${(error as WxFail).reason} (WeChat's selectors take only #id, .class, " ", ">", ">>>" and ",")`)
      throw error
    }
  }

  const nodeFields = (el: RElement, f: Record<string, unknown>): Record<string, unknown> => {
    refuseNotFaked(f)
    const out: Record<string, unknown> = {}
    if (f.id) out.id = String(el.attrs.id ?? '')
    if (f.dataset) out.dataset = { ...el.dataset }
    if (f.size) Object.assign(out, { width: 0, height: 0 })
    if (f.rect) Object.assign(out, { left: 0, right: 0, top: 0, bottom: 0 })
    if (f.scrollOffset) {
      if (el.tag !== 'scroll-view') ctx.violation(`NodesRef.scrollOffset on a <${el.tag}>: WeChat answers it only for the viewport or a scroll-view`)
      Object.assign(out, { scrollLeft: 0, scrollTop: 0, scrollWidth: 0, scrollHeight: 0 })
    }
    if (Array.isArray(f.properties)) for (const p of f.properties as string[]) if (!NOT_PROPERTIES.has(p) && !p.startsWith('bind') && !p.startsWith('catch')) out[p] = el.attrs[p]
    return out
  }

  const viewportFields = (f: Record<string, unknown>): Record<string, unknown> => {
    refuseNotFaked(f)
    const { width, height } = host.window
    const out: Record<string, unknown> = {}
    if (f.id) out.id = ''
    if (f.dataset) out.dataset = {}
    if (f.size) Object.assign(out, { width, height })
    if (f.rect) Object.assign(out, { left: 0, right: width, top: 0, bottom: height })
    if (f.scrollOffset) Object.assign(out, { scrollLeft: 0, scrollTop: 0, scrollWidth: width, scrollHeight: height })
    return out
  }

  /** A SelectorQuery over `scopeAt` (its nodes are read when exec runs: the view answers what it shows then). */
  const selectorQuery = (scopeAt: () => ViewScope | undefined): Record<string, unknown> => {
    type Target = { kind: 'one' | 'all'; selector: string } | { kind: 'viewport' }
    const requests: { target: Target; scope: () => ViewScope | undefined; fields: Record<string, unknown>; callback?: (r: unknown) => void }[] = []
    // .in(component) scopes the selections made after it; each node is looked up when exec runs.
    let scope = scopeAt
    // Made in the app's realm, like every object the app gets; the methods below fill it.
    const query = ctx.realm.copyIn({}) as Record<string, unknown>
    const nodesRef = (target: Target) => {
      const within = scope
      const add = (fields: Record<string, unknown>, callback?: unknown) => {
        requests.push({ target, scope: within, fields: { ...fields }, callback: typeof callback === 'function' ? (callback as (r: unknown) => void) : undefined })
        return query
      }
      return Object.assign(ctx.realm.copyIn({}) as Record<string, unknown>, {
        fields: (fields: unknown, callback?: unknown) => add((fields ?? {}) as Record<string, unknown>, callback),
        boundingClientRect: (callback?: unknown) => add({ id: true, dataset: true, rect: true, size: true }, callback),
        scrollOffset: (callback?: unknown) => add({ id: true, dataset: true, scrollOffset: true }, callback),
        context: () => {
          throw new Error('NodesRef.context is not faked by e2e/weapp (add it to wx/view.ts)')
        },
        node: () => {
          throw new Error('NodesRef.node is not faked by e2e/weapp (add it to wx/view.ts)')
        },
      })
    }
    Object.assign(query, {
      in: (component: unknown) => {
        const inner = host.scopeOf(component)
        if (!inner) throw ctx.realm.newError('SelectorQuery.in: the argument is not a page or component instance on screen')
        scope = () => inner
        return query
      },
      select: (selector: unknown) => {
        checked('SelectorQuery.select', selector)
        return nodesRef({ kind: 'one', selector: String(selector) })
      },
      selectAll: (selector: unknown) => {
        checked('SelectorQuery.selectAll', selector)
        return nodesRef({ kind: 'all', selector: String(selector) })
      },
      selectViewport: () => nodesRef({ kind: 'viewport' }),
      exec: (callback?: unknown) => {
        const taken = requests.splice(0)
        ctx.realm.later('SelectorQuery.exec', () => {
          const results = taken.map(({ target, scope: within, fields, callback: own }) => {
            let result: unknown
            if (target.kind === 'viewport') result = viewportFields(fields)
            else {
              const at = within()
              const found = at ? selectIn(at, target.selector) : []
              queries.push({ route: at?.route ?? '', selector: target.selector, matched: found.length })
              const answers = found.map((el) => nodeFields(el, fields))
              result = target.kind === 'one' ? (answers[0] ?? null) : answers
            }
            const copied = ctx.realm.copyIn(result)
            own?.(copied)
            return copied
          })
          if (typeof callback === 'function') callback(ctx.realm.copyIn(results))
        })
        return query
      },
    })
    return query
  }

  const pageScrollTo = asyncApi(ctx, 'pageScrollTo', (o) => {
    const page = host.topPage()
    const record: ScrollRecord = { route: page?.route, duration: typeof o.duration === 'number' ? o.duration : 300, matched: [] }
    if (o.scrollTop !== undefined) {
      if (typeof o.scrollTop !== 'number') throw new WxFail('parameter error: parameter.scrollTop should be Number')
      record.scrollTop = o.scrollTop
    }
    if (o.selector !== undefined) {
      checked('pageScrollTo', o.selector)
      record.selector = String(o.selector)
      record.matched = page ? selectIn(page, o.selector).map((el) => String(el.attrs.id || classesOf(el).join('.'))) : []
    }
    if (o.offsetTop !== undefined) {
      if (o.selector === undefined) ctx.violation('pageScrollTo: offsetTop without a selector (WeChat uses it only "和 selector 参数搭配")')
      record.offsetTop = Number(o.offsetTop)
    }
    scrolls.push(record)
  })

  return {
    scrolls,
    queries,
    selectorQuery,
    api: {
      createSelectorQuery: () => {
        // "当前页面": the page on top when the query is made (its nodes are read when exec runs).
        const page = host.topPage()
        return selectorQuery(() => page)
      },
      pageScrollTo,
    },
  }
}
