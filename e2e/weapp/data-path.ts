/**
 * setData key paths, as WeChat reads them: "a.b", "a[0].c", and Taro's "root.cn.[0].cn.[3]"
 * (https://developers.weixin.qq.com/miniprogram/dev/reference/api/Page.html#Page-prototype-setData-Object-data-Function-callback).
 * Missing intermediate objects are created; a number segment on an array indexes it.
 */

export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = []
  const re = /\[(\d+)\]|([^.[\]]+)/g
  let m: RegExpExecArray | null
  while ((m = re.exec(path))) out.push(m[1] !== undefined ? Number(m[1]) : m[2])
  if (out.length === 0) throw new Error(`setData: empty key path "${path}"`)
  return out
}

export function applyPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = parsePath(path)
  let node: Record<string | number, unknown> = target
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i]
    let next = node[seg]
    if (next === null || typeof next !== 'object') {
      next = typeof segments[i + 1] === 'number' ? [] : {}
      node[seg] = next
    }
    node = next as Record<string | number, unknown>
  }
  node[segments[segments.length - 1]] = value
}

/** What the view layer receives: data goes over a JSON bridge (functions and undefined drop out). */
export function overTheBridge(data: Record<string, unknown>): { json: string; bytes: number; copy: Record<string, unknown> } {
  const json = JSON.stringify(data)
  return { json, bytes: Buffer.byteLength(json, 'utf8'), copy: JSON.parse(json) as Record<string, unknown> }
}
