/**
 * A parser for the WXML that Taro generates (base.wxml, comp.wxml, page index.wxml): elements,
 * attributes with {{ }} bindings, text, <template name|is>, <import>, <wxs>, <block>, wx:for and
 * wx:if/elif/else. It reads the real templates of the build, so the rendered tree follows the same
 * alias table and event bindings the phone would use (https://developers.weixin.qq.com/miniprogram/dev/reference/wxml/).
 * Anything outside this subset throws, naming the file and position.
 */

export interface WxmlElement {
  kind: 'element'
  tag: string
  attrs: Record<string, string>
  children: WxmlNode[]
}

export interface WxmlText {
  kind: 'text'
  text: string
}

export type WxmlNode = WxmlElement | WxmlText

const VOID_LIKE = new Set(['import', 'include', 'wxs'])

export function parseWxml(source: string, file: string): WxmlNode[] {
  let pos = 0
  const root: WxmlElement = { kind: 'element', tag: '#root', attrs: {}, children: [] }
  const stack: WxmlElement[] = [root]
  const fail = (message: string): never => {
    const line = source.slice(0, pos).split('\n').length
    throw new Error(`${file}:${line}: ${message}`)
  }
  while (pos < source.length) {
    const top = stack[stack.length - 1]
    if (source.startsWith('<!--', pos)) {
      const end = source.indexOf('-->', pos)
      if (end < 0) fail('unterminated comment')
      pos = end + 3
      continue
    }
    if (source.startsWith('</', pos)) {
      const end = source.indexOf('>', pos)
      const tag = source.slice(pos + 2, end).trim()
      if (tag !== top.tag) fail(`</${tag}> closes <${top.tag}>`)
      stack.pop()
      pos = end + 1
      continue
    }
    if (source[pos] === '<') {
      pos += 1
      const tagMatch = /^[A-Za-z][\w:-]*/.exec(source.slice(pos))
      if (!tagMatch) fail('bad tag')
      const tag = tagMatch![0]
      pos += tag.length
      const attrs: Record<string, string> = {}
      for (;;) {
        while (/\s/.test(source[pos])) pos++
        if (source.startsWith('/>', pos)) {
          pos += 2
          top.children.push({ kind: 'element', tag, attrs, children: [] })
          break
        }
        if (source[pos] === '>') {
          pos += 1
          const el: WxmlElement = { kind: 'element', tag, attrs, children: [] }
          top.children.push(el)
          if (tag === 'wxs') {
            // Inline WXS bodies are kept as raw text.
            const end = source.indexOf('</wxs>', pos)
            if (end < 0) fail('unterminated <wxs>')
            const body = source.slice(pos, end)
            if (body.trim()) el.children.push({ kind: 'text', text: body })
            pos = end + '</wxs>'.length
          } else if (!VOID_LIKE.has(tag)) stack.push(el)
          break
        }
        const nameMatch = /^[^\s=/>]+/.exec(source.slice(pos))
        if (!nameMatch) fail(`bad attribute in <${tag}>`)
        const name = nameMatch![0]
        pos += name.length
        while (/\s/.test(source[pos])) pos++
        if (source[pos] !== '=') {
          attrs[name] = ''
          continue
        }
        pos += 1
        while (/\s/.test(source[pos])) pos++
        const quote = source[pos]
        if (quote !== '"' && quote !== "'") fail(`unquoted value for ${name}`)
        const end = source.indexOf(quote, pos + 1)
        if (end < 0) fail(`unterminated value for ${name}`)
        attrs[name] = source.slice(pos + 1, end)
        pos = end + 1
      }
      continue
    }
    const next = source.indexOf('<', pos)
    const text = source.slice(pos, next < 0 ? source.length : next)
    if (text.trim()) top.children.push({ kind: 'text', text })
    pos = next < 0 ? source.length : next
  }
  if (stack.length !== 1) fail(`<${stack[stack.length - 1].tag}> is not closed`)
  return root.children
}

/** Splits "a {{b}} c" into literal and expression parts. */
export type Part = { literal: string } | { expr: string }

export function splitMustache(value: string): Part[] {
  const parts: Part[] = []
  let pos = 0
  while (pos < value.length) {
    const open = value.indexOf('{{', pos)
    if (open < 0) {
      parts.push({ literal: value.slice(pos) })
      break
    }
    if (open > pos) parts.push({ literal: value.slice(pos, open) })
    const close = value.indexOf('}}', open + 2)
    if (close < 0) throw new Error(`unterminated {{ in "${value}"`)
    parts.push({ expr: value.slice(open + 2, close) })
    pos = close + 2
  }
  return parts
}
