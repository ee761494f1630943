import { bundledConfig } from '@/domain/campaign'
import { buildEntryQuery, buildScene, parseEntry, parsePairs, type EntryInput, type EntryTarget } from '@/domain/entry'
import type { CampaignConfig } from '@/domain/types'

const config: CampaignConfig = bundledConfig
const enc = encodeURIComponent

describe('parseEntry', () => {
  it.each<[string, EntryInput, EntryTarget]>([
    // mini-program code scene
    ['encoded scene', { scene: 'b%3Dyd%26c%3Dloan' }, { branch: 'yd', category: 'loan' }],
    ['plain scene', { scene: 'b=zs&c=collect' }, { branch: 'zs', category: 'collect' }],
    ['scene, branch only', { scene: 'b%3Dsj' }, { branch: 'sj' }],
    ['scene, category only', { scene: 'c%3Dmlm' }, { category: 'mlm' }],
    ['scene in the page query', { query: { scene: 'b%3Dyd%26c%3Dnude' } }, { branch: 'yd', category: 'nude' }],
    ['scene with an unknown extra key', { scene: 'b%3Dyd%26x%3D1%26c%3Dloan' }, { branch: 'yd', category: 'loan' }],
    // ordinary-link QR code
    ['q link', { q: enc('https://report.example.cn/r?b=yd&c=loan') }, { branch: 'yd', category: 'loan' }],
    ['q link, http, fragment', { q: enc('http://h.example.cn/entry/r?c=smear&b=zs#top') }, { branch: 'zs', category: 'smear' }],
    ['q link with encoded values', { q: enc('https://h.cn/r?b=%79%64&c=loan') }, { branch: 'yd', category: 'loan' }],
    ['q in the page query', { query: { q: enc('https://h.cn/r?b=sj') } }, { branch: 'sj' }],
    // page query
    ['page query', { query: { b: 'yd', c: 'claim' } }, { branch: 'yd', category: 'claim' }],
    ['page query, undefined values', { query: { b: undefined, c: 'troll' } }, { category: 'troll' }],
    ['nothing', {}, {}],
    ['empty strings', { scene: '', q: '', query: { b: '', c: '' } }, {}],
    // precedence: scene, then q, then query — per key
    ['scene wins over query', { scene: 'b%3Dyd%26c%3Dloan', query: { b: 'zs', c: 'mlm' } }, { branch: 'yd', category: 'loan' }],
    ['q wins over query', { q: enc('https://h.cn/r?b=zs'), query: { b: 'yd', c: 'mlm' } }, { branch: 'zs', category: 'mlm' }],
    ['query fills what scene lacks', { scene: 'b%3Dyd', query: { c: 'mlm' } }, { branch: 'yd', category: 'mlm' }],
    ['an unknown scene value falls back to query', { scene: 'b%3Dxx', query: { b: 'zs' } }, { branch: 'zs' }],
    // unknown codes
    ['unknown branch', { scene: 'b%3Dxx%26c%3Dloan' }, { category: 'loan' }],
    ['unknown category', { scene: 'b%3Dyd%26c%3Dfraud' }, { branch: 'yd' }],
    ['case matters', { query: { b: 'YD', c: 'Loan' } }, {}],
    ['prototype keys', { query: { b: '__proto__', c: 'constructor' } }, {}],
    ['category not offered by this config', { query: { c: 'loan' } }, { category: 'loan' }],
    // duplicated keys: that key is ignored entirely
    ['duplicated key in scene', { scene: 'b%3Dyd%26b%3Dzs%26c%3Dloan' }, { category: 'loan' }],
    ['same value twice in scene', { scene: 'c%3Dloan%26c%3Dloan%26b%3Dyd' }, { branch: 'yd' }],
    ['duplicated key in q', { q: enc('https://h.cn/r?b=yd&c=loan&c=mlm') }, { branch: 'yd' }],
    // malformed
    ['bad % escape in scene', { scene: 'b%3Dyd%26c%3Dloan%' }, {}],
    ['bad % escape in scene, query still used', { scene: '%E0%A4%A', query: { b: 'yd' } }, { branch: 'yd' }],
    ['bad % escape in q', { q: 'https%3A%2F%2Fh.cn%2Fr%3Fb%3Dyd%ZZ' }, {}],
    ['bad % escape in one q value drops only that key', { q: enc('https://h.cn/r?b=yd&c=lo') + '%25E0' }, { branch: 'yd' }],
    ['over-long scene', { scene: enc('b=yd&c=loan&pad=' + 'x'.repeat(17)) }, {}],
    ['scene of exactly 32 chars', { scene: enc('b=yd&c=loan&x=' + 'y'.repeat(16) + '&') + 'z' }, { branch: 'yd', category: 'loan' }],
    ['huge raw scene', { scene: '%41'.repeat(200) }, {}],
    ['over-long value in q', { q: enc('https://h.cn/r?b=' + 'y'.repeat(17) + '&c=loan') }, { category: 'loan' }],
    ['over-long value in query', { query: { b: 'y'.repeat(17), c: 'loan' } }, { category: 'loan' }],
    ['over-long q', { q: enc('https://h.cn/r?b=yd&c=loan&pad=' + 'x'.repeat(500)) }, {}],
    ['q that is not a URL', { q: 'b%3Dyd%26c%3Dloan' }, {}],
    ['q with another scheme', { q: enc('weixin://r?b=yd&c=loan') }, {}],
    ['q javascript URL', { q: enc('javascript:alert(1)//?b=yd') }, {}],
    ['q without query', { q: enc('https://h.cn/r') }, {}],
    ['q junk', { q: '%%%%' }, {}],
    ['q with spaces', { q: enc('https://h.cn/r?b=yd c=loan') }, {}],
  ])('%s', (_label, input, expected) => {
    expect(parseEntry(input, config)).toEqual(expected)
  })

  it('ignores categories the config does not offer', () => {
    const narrow: CampaignConfig = { ...config, categories: ['loan'] }
    expect(parseEntry({ query: { c: 'mlm' } }, narrow)).toEqual({})
    expect(parseEntry({ query: { c: 'loan' } }, narrow)).toEqual({ category: 'loan' })
  })

  it('never throws on hostile input', () => {
    const inputs: unknown[] = ['%', '%u0041', '\uD800', '&&&==&', 'b', '=yd', 'b==yd', '\u0000'.repeat(40)]
    for (const x of inputs) {
      const s = x as string
      expect(() => parseEntry({ scene: s, q: s, query: { b: s, c: s, scene: s, q: s } }, config)).not.toThrow()
    }
    const odd = { b: ['yd'], c: 42 } as unknown as Record<string, string>
    expect(parseEntry({ query: odd }, config)).toEqual({})
  })
})

describe('parsePairs', () => {
  it.each<[string, boolean, Record<string, string>]>([
    ['b=yd&c=loan', false, { b: 'yd', c: 'loan' }],
    ['b=yd&&c=loan&', false, { b: 'yd', c: 'loan' }],
    ['b=yd&b=zs', false, {}],
    ['b=&c=loan', false, { c: 'loan' }],
    ['b&c=loan', false, { c: 'loan' }],
    ['b=%79d', true, { b: 'yd' }],
    ['b=%79d', false, { b: '%79d' }],
    ['b=%E0%A4%A&c=loan', true, { c: 'loan' }],
    ['%62=yd', true, { b: 'yd' }],
    ['b=yd&%62=zs', true, {}],
  ])('%j (decode=%s)', (qs, decode, expected) => {
    expect(parsePairs(qs, decode)).toEqual(expected)
  })
})

describe('buildEntryQuery / buildScene', () => {
  it.each<[EntryTarget, string]>([
    [{ branch: 'yd', category: 'loan' }, 'b=yd&c=loan'],
    [{ branch: 'zs' }, 'b=zs'],
    [{ category: 'collect' }, 'c=collect'],
    [{}, ''],
  ])('%j → %j', (target, qs) => {
    expect(buildEntryQuery(target)).toBe(qs)
    expect(buildScene(target)).toBe(qs)
  })

  it('round-trips through parseEntry for every branch and category', () => {
    for (const b of config.branches) {
      for (const c of config.categories) {
        const scene = buildScene({ branch: b.code, category: c })
        expect(scene.length).toBeLessThanOrEqual(32)
        // WeChat hands the scene to the page URL-encoded.
        expect(parseEntry({ scene: encodeURIComponent(scene) }, config)).toEqual({ branch: b.code, category: c })
        expect(parseEntry({ q: enc(`https://h.cn/r?${buildEntryQuery({ branch: b.code, category: c })}`) }, config)).toEqual({
          branch: b.code,
          category: c,
        })
      }
    }
  })

  it('the longest allowed branch code still fits a scene', () => {
    expect(buildScene({ branch: 'abcdefghijkl', category: 'collect' }).length).toBeLessThanOrEqual(32)
    expect(encodeURIComponent(buildScene({ branch: 'abcdefghijkl', category: 'collect' })).length).toBeLessThanOrEqual(32)
  })

  it.each<[EntryTarget, RegExp]>([
    [{ branch: 'x'.repeat(30), category: 'collect' }, /longer than 32/],
    [{ branch: '御东' }, /not allow/],
  ])('buildScene rejects %j', (target, message) => {
    expect(() => buildScene(target)).toThrow(message)
  })
})
