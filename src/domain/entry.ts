/**
 * Entry parameters from QR codes and links: which branch office and category to preselect.
 *
 * Three sources, in order of precedence (per key, the first source with a usable value wins):
 *  1. `scene` of a mini-program code (wxacode.getUnlimited), URL-encoded, e.g. "b%3Dyd%26c%3Dloan";
 *  2. `q` of an ordinary-link QR code: the URL-encoded full URL, e.g. "https://host/r?b=yd&c=loan";
 *  3. the plain page query, keys `b` and `c`.
 * Anything unexpected (bad percent-encoding, over-long input, a key given twice, unknown codes) is
 * ignored, never thrown: an entry parameter can only preselect, never block reporting.
 *
 * No URL/URLSearchParams here: the WeChat runtime does not provide them.
 */
import { isCategoryCode } from './categories'
import type { CampaignConfig, CategoryCode } from './types'

export const SCENE_MAX = 32
export const ENTRY_VALUE_MAX = 16
export const Q_MAX = 512

export interface EntryInput {
  scene?: string
  q?: string
  query?: Record<string, string | undefined>
}

export interface EntryTarget {
  branch?: string
  category?: CategoryCode
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s)
  } catch {
    return undefined
  }
}

/**
 * "b=yd&c=loan" → { b: 'yd', c: 'loan' }. A key present more than once is dropped entirely; a
 * value that fails to decode or is longer than ENTRY_VALUE_MAX is dropped.
 */
export function parsePairs(qs: string, decodeValues: boolean): Record<string, string> {
  const values = new Map<string, string | undefined>()
  const seen = new Set<string>()
  for (const part of qs.split('&')) {
    if (!part) continue
    const eq = part.indexOf('=')
    const rawKey = eq < 0 ? part : part.slice(0, eq)
    const rawValue = eq < 0 ? '' : part.slice(eq + 1)
    const key = decodeValues ? safeDecode(rawKey) : rawKey
    if (key === undefined) continue
    if (seen.has(key)) {
      values.set(key, undefined)
      continue
    }
    seen.add(key)
    const value = decodeValues ? safeDecode(rawValue) : rawValue
    values.set(key, value !== undefined && value.length <= ENTRY_VALUE_MAX ? value : undefined)
  }
  const out: Record<string, string> = {}
  values.forEach((v, k) => {
    if (v !== undefined && v !== '') out[k] = v
  })
  return out
}

function fromScene(scene: string): Record<string, string> {
  // A raw scene is at most 32 characters; even fully percent-encoded it cannot exceed 3 × 32.
  if (scene.length > SCENE_MAX * 3) return {}
  const decoded = safeDecode(scene)
  if (decoded === undefined || decoded.length > SCENE_MAX) return {}
  return parsePairs(decoded, false)
}

function fromQ(q: string): Record<string, string> {
  if (q.length > Q_MAX) return {}
  const url = safeDecode(q)
  if (url === undefined) return {}
  const m = /^https?:\/\/[^\s/?#]+[^\s?#]*\?([^\s#]*)(?:#.*)?$/i.exec(url)
  return m ? parsePairs(m[1], true) : {}
}

function fromQuery(query: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of ['b', 'c']) {
    const v: unknown = query[key]
    if (typeof v === 'string' && v !== '' && v.length <= ENTRY_VALUE_MAX) out[key] = v
  }
  return out
}

export function parseEntry(input: EntryInput, config: CampaignConfig): EntryTarget {
  const query = input.query ?? {}
  const scene = input.scene ?? query.scene
  const q = input.q ?? query.q
  const sources: Record<string, string>[] = []
  if (typeof scene === 'string' && scene) sources.push(fromScene(scene))
  if (typeof q === 'string' && q) sources.push(fromQ(q))
  sources.push(fromQuery(query))

  const result: EntryTarget = {}
  for (const src of sources) {
    const b = src.b
    if (result.branch === undefined && b !== undefined && config.branches.some((x) => x.code === b)) {
      result.branch = b
    }
    const c = src.c
    if (result.category === undefined && isCategoryCode(c) && config.categories.includes(c)) {
      result.category = c
    }
  }
  return result
}

/** { branch: 'yd', category: 'loan' } → "b=yd&c=loan"; absent parts are left out. */
export function buildEntryQuery(target: EntryTarget): string {
  const parts: string[] = []
  if (target.branch) parts.push(`b=${encodeURIComponent(target.branch)}`)
  if (target.category) parts.push(`c=${encodeURIComponent(target.category)}`)
  return parts.join('&')
}

/**
 * The `scene` to pass to wxacode.getUnlimited: "b=yd&c=loan". Throws if it would exceed the
 * 32-character limit or use characters WeChat does not allow in a scene.
 */
export function buildScene(target: EntryTarget): string {
  const scene = buildEntryQuery(target)
  if (scene.length > SCENE_MAX) throw new Error(`scene "${scene}" is longer than ${SCENE_MAX} characters`)
  if (!/^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]*$/.test(scene)) throw new Error(`scene "${scene}" has characters WeChat does not allow`)
  return scene
}
