/**
 * The H5 app on a phone browser: what Chromium receives is the build's brotli copy and decodes to
 * the file's exact bytes; after one visit the service worker holds the release (and nothing from
 * the API), a second visit loads no JavaScript from the network, the app opens with the server
 * gone and reaches drafts and the outbox; a half-deployed release never replaces a working one,
 * and a complete new release is picked up.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { finishH5Build } from '../config/h5/webpack'
import { shellManifest } from '../config/h5/shell'
import { launchBrowser, phoneContext, ROOT, startServer, type RunningServer } from './harness'
import { eventually, reportButtonShown, tap, waitForStep } from './phone'

const BUILD = path.join(ROOT, 'dist', 'h5')
const HOME = '/#/pages/index/index'

let browser: Browser
let release: string
let server: RunningServer

beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

/** A copy of the build that the test can redeploy, served by its own server. */
async function serveCopy(): Promise<void> {
  release = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-h5-release-'))
  fs.cpSync(BUILD, release, { recursive: true })
  server = await startServer({ env: { H5_DIR: release } })
}
afterEach(async () => {
  await server?.stop()
  if (release) fs.rmSync(release, { recursive: true, force: true })
})

/** Waits until a service worker controls the page and returns the shell caches' names. */
async function controlled(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready
    for (let i = 0; i < 200 && !navigator.serviceWorker.controller; i++) await new Promise((r) => setTimeout(r, 50))
    if (!navigator.serviceWorker.controller) throw new Error('no service worker took control')
    return (await caches.keys()).filter((n) => n.startsWith('clue-shell-') && n !== 'clue-shell-meta')
  })
}

async function cachedUrls(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const urls: string[] = []
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname)
    }
    return urls.sort()
  })
}

test('responses are the brotli copies and decode to the files; one visit later the app opens offline with drafts and outbox', async () => {
  await serveCopy()
  const context = await phoneContext(browser)
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.enable')
  const served: Array<{ id: string; path: string; encoding?: string; vary?: string }> = []
  cdp.on('Network.responseReceived', (e) => {
    const url = new URL(e.response.url)
    if (url.origin !== server.url) return
    const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]))
    served.push({ id: e.requestId, path: url.pathname, encoding: headers['content-encoding'], vary: headers.vary })
  })
  const finished = new Set<string>()
  cdp.on('Network.loadingFinished', (e) => finished.add(e.requestId))

  await page.goto(server.url + HOME)
  await reportButtonShown(page)
  // Start a report: a draft now exists, and the report flow's chunks are loaded too.
  await tap(page, page.locator('[data-testid="start-report"]'))
  await waitForStep(page, '选择举报类别')

  const files = served.filter((s) => /\.(js|css|html)$/.test(s.path) || s.path === '/')
  expect(files.filter((f) => f.path.endsWith('.js')).length).toBeGreaterThanOrEqual(4)
  for (const file of files) {
    await eventually(async () => expect(finished.has(file.id)).toBe(true))
    const onDisk = fs.readFileSync(path.join(release, file.path === '/' ? 'index.html' : file.path))
    expect({ path: file.path, encoding: file.encoding, vary: file.vary }).toEqual({ path: file.path, encoding: 'br', vary: 'Accept-Encoding' })
    const { body, base64Encoded } = await cdp.send('Network.getResponseBody', { requestId: file.id })
    const decoded = base64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8')
    expect(decoded.equals(onDisk)).toBe(true)
  }

  const manifest = shellManifest(release)
  expect(await controlled(page)).toEqual([`clue-shell-${manifest.version}`])

  // Second visit: no JavaScript from the network.
  const second = await context.newPage()
  const fromNetwork: string[] = []
  second.on('response', (r) => {
    if (r.url().endsWith('.js') && !r.fromServiceWorker()) fromNetwork.push(r.url())
  })
  await second.goto(server.url + HOME)
  await reportButtonShown(second)
  expect(fromNetwork).toEqual([])
  // The API through the worker (as the outbox fetches the configuration): answered, never kept.
  const config = await second.evaluate(() => fetch('/api/v1/config').then((r) => r.json()))
  expect(config.keys.length).toBeGreaterThan(0)

  // The service worker holds exactly the release's files: nothing from the API, nothing else.
  await eventually(async () => expect(await cachedUrls(second)).toEqual([...manifest.files.map((f) => f.url), '/__shell/activated'].sort()))
  await second.close()

  // The server is gone (a real outage, not an emulated one): the app still opens.
  await server.stop()
  const offline = await context.newPage()
  await offline.goto(server.url + HOME)
  await reportButtonShown(offline)
  await tap(offline, offline.locator('[data-testid="open-drafts"]'))
  await offline.getByText('草稿只保存在这部手机上', { exact: false }).waitFor()
  await offline.locator('[data-testid="draft"]:visible').first().waitFor()
  await offline.goto(`${server.url}/#/pages/outbox/index`)
  await offline.locator('text=没有待发送的举报 >> visible=true').waitFor()
  await context.close()
})

/** A file of the next release that no browser has cached yet (a new chunk name). */
const NEW_CHUNK = 'js/next.0badc0de.js'

/** Redeploys `release` with index.html marked `name` and a new chunk; returns the new version. */
function deploy(name: string): string {
  const index = path.join(release, 'index.html')
  const html = fs.readFileSync(index, 'utf8').replace(/<meta name="release"[^>]*>/, '')
  fs.writeFileSync(index, html.replace('</head>', `<meta name="release" content="${name}"></head>`))
  fs.writeFileSync(path.join(release, NEW_CHUNK), `/* release ${name} */`)
  return finishH5Build(release).version
}

async function releaseOf(page: Page): Promise<string | null> {
  return page.evaluate(() => document.querySelector('meta[name="release"]')?.getAttribute('content') ?? null)
}

/** Asks for an update check and waits until the browser is done installing (or failing to). */
async function updateSettled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready
    await registration.update().catch(() => undefined)
    for (let i = 0; i < 300 && (registration.installing || registration.waiting); i++) await new Promise((r) => setTimeout(r, 50))
  })
}

test('a half-deployed release never replaces the working one; a complete release is picked up', async () => {
  await serveCopy()
  const context = await phoneContext(browser)
  const page = await context.newPage()
  await page.goto(server.url + HOME)
  await reportButtonShown(page)
  const first = await controlled(page)

  // A deploy in progress: the new index.html and sw.js are there, one chunk is not yet.
  const version = deploy('B')
  const chunk = path.join(release, NEW_CHUNK)
  const held = fs.readFileSync(chunk)
  for (const suffix of ['', '.br', '.gz']) fs.rmSync(chunk + suffix, { force: true })
  await updateSettled(page)
  expect(await controlled(page)).toEqual(first)
  await page.reload()
  await reportButtonShown(page)
  expect(await releaseOf(page)).toBeNull()

  // The deploy completes: the next check installs B, and the next page load runs it.
  fs.writeFileSync(chunk, held)
  await updateSettled(page)
  await eventually(async () => expect(await controlled(page)).toContain(`clue-shell-${version}`))
  // The release before stays cached for pages still open on it; older ones go.
  expect((await controlled(page)).sort()).toEqual([...first, `clue-shell-${version}`].sort())
  await page.reload()
  await reportButtonShown(page)
  expect(await releaseOf(page)).toBe('B')
  await context.close()
})
