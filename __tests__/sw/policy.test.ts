/**
 * The service worker's decisions (src/sw/policy.ts): what it answers from the cache — only the
 * release's own files and page loads, never the API — and which caches an update deletes.
 */
import { SHELL_META_CACHE, type ShellManifest } from '@/sw/manifest'
import { cacheName, cleanup, KEPT_RELEASES, parseActivated, routeOf } from '@/sw/policy'

const ORIGIN = 'https://report.example'
const manifest: ShellManifest = {
  version: 'aaaa0000aaaa0000',
  files: [
    { url: '/index.html', size: 1, sha256: '0'.repeat(64), hashed: false },
    { url: '/js/app.1a2b3c4d.js', size: 1, sha256: '1'.repeat(64), hashed: true },
    { url: '/css/app.1a2b3c4d5e6f.css', size: 1, sha256: '2'.repeat(64), hashed: true },
  ],
}

function route(url: string, mode = 'no-cors', method = 'GET') {
  return routeOf({ url: new URL(url, ORIGIN), mode, method, origin: ORIGIN }, manifest)
}

describe('routeOf', () => {
  test.each([
    // The release's files: from the cache.
    ['/js/app.1a2b3c4d.js', 'no-cors', 'GET', { kind: 'asset', url: '/js/app.1a2b3c4d.js' }],
    ['/css/app.1a2b3c4d5e6f.css', 'no-cors', 'GET', { kind: 'asset', url: '/css/app.1a2b3c4d5e6f.css' }],
    ['/index.html', 'cors', 'GET', { kind: 'asset', url: '/index.html' }],
    // Page loads anywhere in the app: the shell.
    ['/', 'navigate', 'GET', { kind: 'shell' }],
    ['/index.html', 'navigate', 'GET', { kind: 'shell' }],
    ['/?from=singlemessage', 'navigate', 'GET', { kind: 'shell' }],
    ['/r?b=yd&c=loan', 'navigate', 'GET', { kind: 'entry' }],
    // The API, the docs and anything not in the release: the network, untouched.
    ['/api/v1/config', 'cors', 'GET', { kind: 'network' }],
    ['/api/v1/status', 'cors', 'POST', { kind: 'network' }],
    ['/api/v1/submissions/abc/attachments/0', 'cors', 'PUT', { kind: 'network' }],
    ['/api/v1/config', 'navigate', 'GET', { kind: 'network' }],
    ['/docs', 'navigate', 'GET', { kind: 'network' }],
    ['/docs/json', 'cors', 'GET', { kind: 'network' }],
    ['/js/app.1a2b3c4d.js?x=1', 'no-cors', 'GET', { kind: 'network' }],
    ['/js/other.99999999.js', 'no-cors', 'GET', { kind: 'network' }],
    ['/js/app.1a2b3c4d.js', 'no-cors', 'POST', { kind: 'network' }],
    ['https://elsewhere.example/js/app.1a2b3c4d.js', 'no-cors', 'GET', { kind: 'network' }],
    ['https://elsewhere.example/', 'navigate', 'GET', { kind: 'network' }],
  ])('%s (%s %s) → %j', (url, mode, method, expected) => {
    expect(route(url, mode, method)).toEqual(expected)
  })
})

describe('cleanup after an update', () => {
  const a = 'aaaa0000aaaa0000'
  const b = 'bbbb0000bbbb0000'
  const c = 'cccc0000cccc0000'

  test('keeps the new release and the one before, deletes older and abandoned caches, never foreign ones', () => {
    const names = [cacheName(a), cacheName(b), cacheName(c), cacheName('dddd0000dddd0000'), SHELL_META_CACHE, 'another-app']
    expect(cleanup(names, [a, b], c)).toEqual({ activated: [b, c], remove: [cacheName(a), cacheName('dddd0000dddd0000')] })
    expect(KEPT_RELEASES).toBe(2)
  })

  test('the first release deletes nothing of its own', () => {
    expect(cleanup([cacheName(a), SHELL_META_CACHE], [], a)).toEqual({ activated: [a], remove: [] })
  })

  test('activating the same release again (a reinstall) does not push out the previous one', () => {
    expect(cleanup([cacheName(a), cacheName(b)], [a, b], b)).toEqual({ activated: [a, b], remove: [] })
  })

  test.each([
    [undefined, []],
    ['', []],
    ['not json', []],
    ['{"a":1}', []],
    ['["aaaa0000aaaa0000", 5, "../x", "bbbb0000bbbb0000"]', ['aaaa0000aaaa0000', 'bbbb0000bbbb0000']],
  ])('the stored list %j reads as %j', (text, expected) => {
    expect(parseActivated(text)).toEqual(expected)
  })
})
