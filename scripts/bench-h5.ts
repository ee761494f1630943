/**
 * npm run bench:h5 — how fast the H5 home page opens on a phone network, before and after.
 *
 * Builds the H5 app (npm run build:h5), starts the real server on it, and loads the home page in
 * Debian's Chromium (phone-sized) under CDP network emulation: no throttling, "4G" (4 Mbit/s,
 * 80 ms RTT) and "slow 3G" (400 kbit/s, 400 ms RTT). For each: cold (new profile: empty cache,
 * no service worker) and warm (second visit in the same profile, after the first visit finished
 * and, where there is one, the service worker took over). Prints the median of --runs (5) of the
 * time from navigation start to the 我要举报 button on screen, the bytes received from the
 * network (headers + bodies, as Chromium counts them), and how many JavaScript files came from
 * the network.
 *
 * The reference, in the same run: the baseline commit (--baseline <git ref>, default the commit
 * before compression, splitting and the service worker), exported with `git archive`, built with
 * its own configuration and served by its own server. --baseline none measures this tree only.
 *
 * Both run at once and the samples alternate between them, so the machine's load weighs on both.
 *
 * Options: --runs <n> (5)  --baseline <ref|none>  --no-build (use dist/h5 as it is)
 */
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { Browser, CDPSession, Page } from 'playwright-core'
import { launchBrowser, phoneContext, startServer, type RunningServer } from '../e2e/harness'
import { reportButtonShown } from '../e2e/phone'

const ROOT = path.resolve(__dirname, '..')
/** The last commit before issue 17 (compression, page splitting, service worker). */
const DEFAULT_BASELINE = '93aa102'
const HOME = '/#/pages/index/index'

interface Network {
  name: string
  /** CDP Network.emulateNetworkConditions, or undefined for none. */
  conditions?: { latency: number; downloadThroughput: number; uploadThroughput: number }
}

const NETWORKS: Network[] = [
  { name: 'no throttling' },
  { name: '4G (4 Mbit/s, 80 ms)', conditions: { latency: 80, downloadThroughput: 4e6 / 8, uploadThroughput: 3e6 / 8 } },
  { name: 'slow 3G (400 kbit/s, 400 ms)', conditions: { latency: 400, downloadThroughput: 400e3 / 8, uploadThroughput: 400e3 / 8 } },
]

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    baseline: { type: 'string', default: DEFAULT_BASELINE },
    'no-build': { type: 'boolean', default: false },
  },
})
const RUNS = Number(args.runs)

interface Sample {
  ms: number
  bytes: number
  jsFromNetwork: number
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

function build(root: string, label: string): void {
  process.stderr.write(`building ${label} (taro build --type h5)…\n`)
  const result = spawnSync('npx', ['--no-install', 'taro', 'build', '--type', 'h5'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`H5 build of ${label} failed:\n${result.stderr}`)
}

/** The baseline tree, exported once per commit into the temp directory and built there. */
function prepareBaseline(ref: string): string {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim()
  const dir = path.join(os.tmpdir(), `clue-bench-h5-${commit.slice(0, 12)}`)
  if (!fs.existsSync(path.join(dir, 'dist', 'h5', 'index.html'))) {
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir, { recursive: true })
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: ROOT })
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'))
    build(dir, `baseline ${commit.slice(0, 7)}`)
  }
  return dir
}

/** Counts what arrives from the network (not from the memory/disk cache or the service worker). */
async function meter(cdp: CDPSession): Promise<() => { bytes: number; jsFromNetwork: number }> {
  const fromNetwork = new Map<string, boolean>()
  const isJs = new Set<string>()
  let bytes = 0
  cdp.on('Network.responseReceived', (e) => {
    const r = e.response
    fromNetwork.set(e.requestId, !r.fromDiskCache && !r.fromServiceWorker && !r.fromPrefetchCache)
    if (/\.js(\?|$)/.test(new URL(r.url).pathname)) isJs.add(e.requestId)
  })
  cdp.on('Network.loadingFinished', (e) => {
    if (fromNetwork.get(e.requestId)) bytes += e.encodedDataLength
  })
  return () => ({ bytes, jsFromNetwork: [...isJs].filter((id) => fromNetwork.get(id)).length })
}

async function load(page: Page, url: string, network: Network): Promise<Sample> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false })
  if (network.conditions) await cdp.send('Network.emulateNetworkConditions', { offline: false, ...network.conditions })
  const read = await meter(cdp)
  await page.goto(url, { waitUntil: 'commit', timeout: 120000 })
  const ms = await reportButtonShown(page, 120000)
  // Let the requests the first screen started finish, so their bytes are counted.
  await page.waitForLoadState('load', { timeout: 120000 }).catch(() => undefined)
  await cdp.detach().catch(() => undefined)
  return { ms, ...read() }
}

/** First visit until the app is fully set up: its service worker (if any) controls the page. */
async function prime(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await reportButtonShown(page, 60000)
  await page.evaluate(async () => {
    if (!('serviceWorker' in navigator)) return
    const registrations = await navigator.serviceWorker.getRegistrations()
    if (registrations.length === 0) {
      // Give a registering app a moment (it registers after the load event).
      await new Promise((r) => setTimeout(r, 1500))
      if ((await navigator.serviceWorker.getRegistrations()).length === 0) return
    }
    await navigator.serviceWorker.ready
    for (let i = 0; i < 100 && !navigator.serviceWorker.controller; i++) await new Promise((r) => setTimeout(r, 100))
  })
}

async function measure(browser: Browser, base: string, network: Network, warm: boolean): Promise<Sample> {
  const context = await phoneContext(browser)
  try {
    if (warm) {
      const first = await context.newPage()
      await prime(first, base + HOME)
      await first.close()
    }
    return await load(await context.newPage(), base + HOME, network)
  } finally {
    await context.close()
  }
}

type Results = Record<string, { cold: Sample[]; warm: Sample[] }>

interface Variant {
  label: string
  server: RunningServer
  results: Results
}

/**
 * Both servers run side by side and the samples alternate between them (before, after, before,
 * …), so that a change in the machine's load during the run weighs on both alike.
 */
async function benchmark(browser: Browser, variants: Variant[]): Promise<void> {
  for (const network of NETWORKS) {
    for (const v of variants) v.results[network.name] = { cold: [], warm: [] }
    for (const warm of [false, true]) {
      for (let i = 0; i < RUNS; i++) {
        for (const v of variants) {
          const sample = await measure(browser, v.server.url, network, warm)
          v.results[network.name][warm ? 'warm' : 'cold'].push(sample)
          process.stderr.write(`${v.label} · ${network.name} · ${warm ? 'warm' : 'cold'} #${i + 1}: ${(sample.ms / 1000).toFixed(2)} s, ${(sample.bytes / 1024).toFixed(1)} KiB\n`)
        }
      }
    }
  }
}

async function serve(root: string, h5Dir: string, dataDirs: string[]): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-bench-h5-data-'))
  dataDirs.push(dataDir)
  return startServer({ root, dataDir, env: { H5_DIR: h5Dir, RATE_LIMIT: 'off', LOG_LEVEL: 'warn' } })
}

function cell(samples: Sample[] | undefined): string {
  if (!samples) return '—'
  const js = median(samples.map((s) => s.jsFromNetwork))
  return `${(median(samples.map((s) => s.ms)) / 1000).toFixed(2)} s · ${(median(samples.map((s) => s.bytes)) / 1024).toFixed(1)} KiB · ${js} JS`
}

async function main(): Promise<void> {
  if (!args['no-build']) build(ROOT, 'this tree')
  const baselineDir = args.baseline === 'none' ? undefined : prepareBaseline(args.baseline)
  const dataDirs: string[] = []
  const variants: Variant[] = []
  const browser = await launchBrowser()
  try {
    if (baselineDir) variants.push({ label: 'before', server: await serve(baselineDir, path.join(baselineDir, 'dist', 'h5'), dataDirs), results: {} })
    variants.push({ label: 'after', server: await serve(ROOT, path.join(ROOT, 'dist', 'h5'), dataDirs), results: {} })
    await benchmark(browser, variants)
    const before = baselineDir ? variants[0].results : undefined
    const after = variants[variants.length - 1].results
    const header = ['network', 'before cold', 'after cold', 'before warm', 'after warm']
    const rows = NETWORKS.map((n) => [n.name, cell(before?.[n.name].cold), cell(after[n.name].cold), cell(before?.[n.name].warm), cell(after[n.name].warm)])
    console.log(`\nH5 home page: navigation → 我要举报 on screen · bytes from the network · JS files from the network (median of ${RUNS})`)
    console.log(`before = ${baselineDir ? args.baseline : '(none)'}, after = this tree\n`)
    console.log(`| ${header.join(' | ')} |`)
    console.log(`|${header.map(() => '---').join('|')}|`)
    for (const row of rows) console.log(`| ${row.join(' | ')} |`)
    const slow = after[NETWORKS[2].name]
    const cold = median(slow.cold.map((s) => s.ms)) / 1000
    const warm = median(slow.warm.map((s) => s.ms)) / 1000
    console.log(`\ntargets on slow 3G: cold ${cold.toFixed(2)} s (≤ 5 s: ${cold <= 5 ? 'met' : 'NOT met'}), warm ${warm.toFixed(2)} s (≤ 1.5 s: ${warm <= 1.5 ? 'met' : 'NOT met'})`)
  } finally {
    await browser.close()
    for (const v of variants) await v.server.stop()
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error((e as Error)?.stack ?? String(e))
  process.exit(1)
})
