/**
 * The steps after the H5 build (config/h5/): the service worker's manifest comes from whatever
 * files the build emitted (a new output such as a crypto Web Worker is included with no change),
 * the version follows the contents, compressed copies decode to the files, preload links.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { precompressDir } from '../../config/h5/precompress'
import { shellManifest, writeServiceWorker } from '../../config/h5/shell'
import { finishH5Build, preloadPage } from '../../config/h5/webpack'

let dir: string
const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
  fs.writeFileSync(path.join(dir, file), text)
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-h5-finish-'))
  write('index.html', '<!doctype html><html><head><script defer src="/js/app.0123abcd.js"></script></head><body></body></html>')
  write('js/app.0123abcd.js', 'console.log("app");'.repeat(100))
  write('js/app.0123abcd.js.LICENSE.txt', 'MIT')
  write('js/801.deadbeef.js', 'console.log("home");'.repeat(100))
  write('css/app.0123abcd4567.css', '.page { color: red }'.repeat(50))
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

test('the manifest lists every emitted file with its size and SHA-256, and nothing else', () => {
  write('js/crypto.worker.feedf00d.js', 'self.onmessage = () => {}')
  finishH5Build(dir)
  const manifest = shellManifest(dir)
  expect(manifest.files.map((f) => f.url)).toEqual(['/css/app.0123abcd4567.css', '/index.html', '/js/801.deadbeef.js', '/js/app.0123abcd.js', '/js/crypto.worker.feedf00d.js'])
  const app = manifest.files.find((f) => f.url === '/js/app.0123abcd.js')!
  expect(app).toMatchObject({ size: fs.statSync(path.join(dir, 'js/app.0123abcd.js')).size, hashed: true })
  expect(app.sha256).toMatch(/^[0-9a-f]{64}$/)
  expect(manifest.files.find((f) => f.url === '/index.html')!.hashed).toBe(false)
  // sw.js carries it (minified: the version and every URL appear in it).
  const sw = fs.readFileSync(path.join(dir, 'sw.js'), 'utf8')
  expect(sw).toContain(manifest.version)
  for (const f of manifest.files) expect(sw).toContain(f.url)
  expect(fs.existsSync(path.join(dir, 'sw-reset.js'))).toBe(true)
})

test('the version changes with any file and only then', () => {
  const first = writeServiceWorker(dir).version
  expect(writeServiceWorker(dir).version).toBe(first)
  write('index.html', '<!doctype html><html><head></head><body>B</body></html>')
  expect(writeServiceWorker(dir).version).not.toBe(first)
})

test('brotli and gzip copies decode to the exact bytes; incompressible or tiny files get none', () => {
  write('static/logo.png', 'PNG')
  write('js/tiny.00000000.js', '1')
  precompressDir(dir)
  for (const file of ['index.html', 'js/app.0123abcd.js', 'css/app.0123abcd4567.css']) {
    const bytes = fs.readFileSync(path.join(dir, file))
    expect(zlib.brotliDecompressSync(fs.readFileSync(path.join(dir, `${file}.br`))).equals(bytes)).toBe(true)
    expect(zlib.gunzipSync(fs.readFileSync(path.join(dir, `${file}.gz`))).equals(bytes)).toBe(true)
  }
  expect(fs.existsSync(path.join(dir, 'static/logo.png.br'))).toBe(false)
  expect(fs.existsSync(path.join(dir, 'js/tiny.00000000.js.br'))).toBe(false)
})

test('a stale compressed copy is replaced when the file changes', () => {
  precompressDir(dir)
  write('js/app.0123abcd.js', 'console.log("changed");'.repeat(100))
  precompressDir(dir)
  expect(zlib.brotliDecompressSync(fs.readFileSync(path.join(dir, 'js/app.0123abcd.js.br'))).toString()).toContain('changed')
})

test('preload links for the home page chunks, not for scripts already in the page', () => {
  preloadPage(dir, ['js/801.deadbeef.js', 'js/app.0123abcd.js', 'css/app.0123abcd4567.css'])
  const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8')
  expect(html).toContain('<link rel="preload" as="script" href="/js/801.deadbeef.js"></head>')
  expect(html.match(/app\.0123abcd\.js/g)).toHaveLength(1)
  expect(html).not.toContain('<script>')
})
