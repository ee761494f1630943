/**
 * Renders a page's data through the build's own WXML templates into a tree of native components
 * (view, text, button, input, textarea, picker, image, …), as WeChat's view layer does: template
 * lookup by name (a missing template is an error, as it leaves a hole on the phone), WXS helper
 * modules, wx:for / wx:if, custom components (Taro's recursive `comp`), and each element's
 * bind/catch event bindings, which the event dispatcher uses for bubbling.
 */
import { parseWxml, splitMustache, type WxmlElement, type WxmlNode } from './parse'

export type EventMode = 'bind' | 'catch' | 'mut-bind' | 'capture-bind' | 'capture-catch'

/** Whoever owns the handlers of an element: the page, or a custom component instance. */
export interface Owner {
  /** Page route or component path, e.g. "pages/index/index" or "comp". */
  path: string
  handler(name: string): ((event: unknown) => unknown) | undefined
  /** usingComponents of this page or component: tag → component path (resolved, no extension). */
  usingComponents: Record<string, string>
}

export interface RElement {
  kind: 'element'
  tag: string
  attrs: Record<string, unknown>
  dataset: Record<string, unknown>
  events: Record<string, { handler: string; mode: EventMode }>
  children: RNode[]
  parent: RElement | null
  owner: Owner
}

export interface RText {
  kind: 'text'
  text: string
  parent: RElement | null
}

export type RNode = RElement | RText

export interface WxmlFile {
  path: string
  nodes: WxmlNode[]
  templates: Map<string, WxmlElement>
  imports: WxmlFile[]
  wxs: Record<string, unknown>
}

export interface RenderHost {
  /** Reads a package file (path from the package root, with extension). */
  read(path: string): string
  /** The instance of a custom component at this place in the tree, created on first use. */
  component(path: string, key: string, props: Record<string, unknown>): { owner: Owner; data: Record<string, unknown>; wxml: string; virtualHost: boolean }
  error(message: string): void
}

const BINDING = /^(bind|catch|mut-bind|capture-bind|capture-catch):?([A-Za-z]+)$/

function dirname(path: string): string {
  const i = path.lastIndexOf('/')
  return i < 0 ? '' : path.slice(0, i)
}

export function resolvePath(from: string, target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `${dirname(from)}/${target}`).split('/')
  const out: string[] = []
  for (const p of parts) {
    if (p === '' || p === '.') continue
    if (p === '..') out.pop()
    else out.push(p)
  }
  return out.join('/')
}

const compiled = new Map<string, (scope: object) => unknown>()

/** WXML expressions: JavaScript-like, unknown names are undefined, errors give undefined. */
export function evaluate(expr: string, scope: Record<string, unknown>): unknown {
  let fn = compiled.get(expr)
  if (!fn) {
    // eslint-disable-next-line no-new-func
    fn = new Function('$scope', `with ($scope) { return (${expr}) }`) as (scope: object) => unknown
    compiled.set(expr, fn)
  }
  const proxy = new Proxy(scope, {
    has: (_t, key) => typeof key === 'string',
    get: (t, key) => (typeof key === 'string' ? t[key] : undefined),
  })
  try {
    return fn(proxy)
  } catch {
    return undefined
  }
}

function interpolate(value: string, scope: Record<string, unknown>, asObject = false): unknown {
  const parts = splitMustache(value)
  if (parts.length === 1 && 'expr' in parts[0]) return evaluate(asObject ? `{${parts[0].expr}}` : parts[0].expr, scope)
  return parts.map((p) => ('literal' in p ? p.literal : stringify(evaluate(p.expr, scope)))).join('')
}

function stringify(v: unknown): string {
  if (v === undefined || v === null) return ''
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())
}

export class WxmlLibrary {
  private files = new Map<string, WxmlFile>()

  constructor(private host: RenderHost) {}

  load(path: string): WxmlFile {
    const cached = this.files.get(path)
    if (cached) return cached
    const nodes = parseWxml(this.host.read(path), path)
    const file: WxmlFile = { path, nodes, templates: new Map(), imports: [], wxs: {} }
    this.files.set(path, file)
    for (const node of nodes) {
      if (node.kind !== 'element') continue
      if (node.tag === 'template' && node.attrs.name) file.templates.set(node.attrs.name, node)
      else if (node.tag === 'import') file.imports.push(this.load(resolvePath(path, node.attrs.src)))
      else if (node.tag === 'wxs') file.wxs[node.attrs.module] = this.loadWxs(path, node)
      else if (node.tag === 'include') throw new Error(`${path}: <include> is not supported by this runtime`)
    }
    return file
  }

  private loadWxs(from: string, node: WxmlElement): unknown {
    const source = node.attrs.src ? this.host.read(resolvePath(from, node.attrs.src)) : node.children.map((c) => (c.kind === 'text' ? c.text : '')).join('')
    const module = { exports: {} as unknown }
    // eslint-disable-next-line no-new-func
    new Function('module', source)(module)
    return module.exports
  }

  /** Renders a whole file (a page's or component's WXML) with `data` as its scope. */
  render(path: string, data: Record<string, unknown>, owner: Owner, parent: RElement | null = null): RNode[] {
    const file = this.load(path)
    const out: RNode[] = []
    this.renderList(file.nodes, { ...file.wxs, ...data }, file, owner, parent, out, path)
    return out
  }

  private findTemplate(file: WxmlFile, name: string): { tpl: WxmlElement; file: WxmlFile } | undefined {
    const own = file.templates.get(name)
    if (own) return { tpl: own, file }
    for (const imported of file.imports) {
      const tpl = imported.templates.get(name)
      if (tpl) return { tpl, file: imported }
    }
    return undefined
  }

  private renderList(nodes: WxmlNode[], scope: Record<string, unknown>, file: WxmlFile, owner: Owner, parent: RElement | null, out: RNode[], key: string): void {
    let chainTaken: boolean | undefined
    nodes.forEach((node, index) => {
      if (node.kind === 'text') {
        chainTaken = undefined
        const text = stringify(interpolate(node.text, scope))
        if (text !== '') out.push({ kind: 'text', text, parent })
        return
      }
      const a = node.attrs
      if ('wx:if' in a) {
        chainTaken = !!interpolate(a['wx:if'], scope)
        if (!chainTaken) return
      } else if ('wx:elif' in a) {
        if (chainTaken === undefined) throw new Error(`${file.path}: wx:elif without wx:if`)
        if (chainTaken) return
        chainTaken = !!interpolate(a['wx:elif'], scope)
        if (!chainTaken) return
      } else if ('wx:else' in a) {
        if (chainTaken === undefined) throw new Error(`${file.path}: wx:else without wx:if`)
        const taken = chainTaken
        chainTaken = undefined
        if (taken) return
      } else chainTaken = undefined
      this.renderElement(node, scope, file, owner, parent, out, `${key}.${index}`)
    })
  }

  private renderElement(node: WxmlElement, scope: Record<string, unknown>, file: WxmlFile, owner: Owner, parent: RElement | null, out: RNode[], key: string): void {
    const a = node.attrs
    if ('wx:for' in a) {
      const list = interpolate(a['wx:for'], scope)
      const itemName = a['wx:for-item'] ?? 'item'
      const indexName = a['wx:for-index'] ?? 'index'
      const entries: [unknown, unknown][] = Array.isArray(list)
        ? list.map((v, i) => [i, v])
        : typeof list === 'number'
          ? Array.from({ length: list }, (_v, i) => [i, i])
          : typeof list === 'string'
            ? [...list].map((v, i) => [i, v])
            : list && typeof list === 'object'
              ? Object.entries(list)
              : []
      const single: WxmlElement = { ...node, attrs: Object.fromEntries(Object.entries(a).filter(([k]) => !k.startsWith('wx:for') && k !== 'wx:key')) }
      entries.forEach(([i, v]) => this.renderElement(single, { ...scope, [itemName]: v, [indexName]: i }, file, owner, parent, out, `${key}[${String(i)}]`))
      return
    }
    if (node.tag === 'block') {
      this.renderList(node.children, scope, file, owner, parent, out, key)
      return
    }
    if (node.tag === 'import' || node.tag === 'wxs') return
    if (node.tag === 'template') {
      if (!('is' in a)) return // a definition
      const name = String(interpolate(a.is, scope))
      const found = this.findTemplate(file, name)
      if (!found) {
        this.host.error(`${file.path}: template "${name}" is not defined (the phone would show nothing there)`)
        return
      }
      const data = a.data !== undefined ? (interpolate(a.data, scope, true) as Record<string, unknown>) : {}
      this.renderList(found.tpl.children, { ...found.file.wxs, ...(data ?? {}) }, found.file, owner, parent, out, `${key}:${name}`)
      return
    }
    const componentPath = owner.usingComponents[node.tag]
    if (componentPath) {
      const props: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(a)) if (!BINDING.test(k)) props[camel(k)] = interpolate(v, scope)
      const sid = (props.i as { sid?: unknown } | undefined)?.sid
      const instance = this.host.component(componentPath, `${owner.path}|${typeof sid === 'string' ? sid : key}`, props)
      if (instance.virtualHost) {
        out.push(...this.render(instance.wxml, instance.data, instance.owner, parent))
        return
      }
      const host: RElement = { kind: 'element', tag: node.tag, attrs: props, dataset: {}, events: {}, children: [], parent, owner }
      host.children = this.render(instance.wxml, instance.data, instance.owner, host)
      out.push(host)
      return
    }
    const el: RElement = { kind: 'element', tag: node.tag, attrs: {}, dataset: {}, events: {}, children: [], parent, owner }
    for (const [k, v] of Object.entries(a)) {
      const binding = BINDING.exec(k)
      if (binding) {
        el.events[binding[2].toLowerCase()] = { handler: v, mode: binding[1] as EventMode }
        continue
      }
      if (k.startsWith('wx:')) continue
      const value = interpolate(v, scope)
      el.attrs[k] = value
      if (k.startsWith('data-')) el.dataset[camel(k.slice(5))] = value
    }
    this.renderList(node.children, scope, file, owner, el, el.children, key)
    out.push(el)
  }
}
