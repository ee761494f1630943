/**
 * Starts what a resident's phone talks to — the real intake server serving the real H5 build on
 * a free port with a temporary data directory — and a phone-sized headless Chromium.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'

export const ROOT = resolve(__dirname, '..')
export const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/**
 * This process's environment for a child (server, workstation) without DATABASE_URL: .ci/run
 * exports it for the PostgreSQL tests, and the browser and WeChat tests read what their server
 * stored from its data directory (SQLite), so a server of theirs must not take it.
 */
export function inheritedEnv(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _storageTestsOnly, ...env } = process.env
  return env
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolvePort(port))
    })
  })
}

export interface RunningServer {
  url: string
  port: number
  dataDir: string
  process: ChildProcess
  output: () => string
  stop: (signal?: NodeJS.Signals) => Promise<void>
}

export async function startServer(
  options: {
    port?: number
    dataDir?: string
    env?: Record<string, string>
    /** Extra server flags, e.g. ['--production']. */
    args?: string[]
    /** Another checkout's server (benchmarks). */
    root?: string
  } = {},
): Promise<RunningServer> {
  const port = options.port ?? (await freePort())
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'clue-e2e-'))
  let out = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts', '--host', '127.0.0.1', '--port', String(port), '--data', dataDir, ...(options.args ?? [])], {
    cwd: options.root ?? ROOT,
    env: { ...inheritedEnv(), NODE_ENV: 'test', BUREAU_PORT: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const url = `http://127.0.0.1:${port}`
  // Starting compiles the server with tsx: seconds when the machine is quiet, over 30 s at load 20.
  const deadline = Date.now() + 90000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${out}`)
    try {
      const res = await fetch(`${url}/api/v1/config`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start in 90 s:\n${out}`)
    await new Promise((r) => setTimeout(r, 150))
  }
  return {
    url,
    port,
    dataDir,
    process: child,
    output: () => out,
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done()
        child.once('exit', () => done())
        child.kill(signal)
      }),
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
}

/** A fresh phone-sized profile: empty HTTP cache, no service worker, no storage. */
export function phoneContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...options,
  })
}

export async function launchPhone(): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  const browser = await launchBrowser()
  const context = await phoneContext(browser)
  const page = await context.newPage()
  return { browser, context, page }
}

export function artifactsDir(name: string): string {
  const dir = join(ARTIFACTS, name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  return dir
}

/**
 * A real, valid PNG (so the app's thumbnails render). With `noise`, pixels are random so the file
 * does not compress and is as large as width × height × 3 bytes.
 */
export function makePng(seed: number, width = 64, height = 48, noise = false): Buffer {
  const zlib = require('node:zlib') as typeof import('node:zlib')
  const raw = noise ? require('node:crypto').randomBytes((width * 3 + 1) * height) : Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height && noise; y++) raw[y * (width * 3 + 1)] = 0
  for (let y = 0; y < height && !noise; y++) {
    raw[y * (width * 3 + 1)] = 0
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3
      raw[o] = (seed * 70 + x * 3) & 0xff
      raw[o + 1] = (seed * 30 + y * 5) & 0xff
      raw[o + 2] = (seed * 110) & 0xff
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf: Buffer) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const sum = Buffer.alloc(4)
    sum.writeUInt32BE(crc(body))
    return Buffer.concat([len, body, sum])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: noise ? 0 : 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** A small but well-formed one-page PDF "transaction record". */
export function makePdf(text: string): Buffer {
  const content = `BT /F1 18 Tf 40 700 Td (${text.replace(/[()\\]/g, '')}) Tj ET`
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]
  let pdf = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(pdf.length)
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = pdf.length
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(pdf, 'latin1')
}

/** Numbered full-page screenshots of each step, for a person to look through. */
export function screenshotter(page: Page, name: string): (step: string) => Promise<void> {
  const dir = artifactsDir(name)
  let count = 0
  return async (step: string) => {
    count += 1
    await page.screenshot({ path: join(dir, `${String(count).padStart(2, '0')}-${step}.png`), fullPage: true })
  }
}

/** Opens what the server stored, as the bureau would: the repository, the blob store, the dev key. */
export async function openStored(dataDir: string) {
  const { SqliteRepository } = await import('../server/src/repository')
  const { FsBlobStore } = await import('../server/src/blobstore')
  const { readDevKey } = await import('../server/src/envelope')
  return { repository: SqliteRepository.open(dataDir), blobs: FsBlobStore.open(dataDir), key: await readDevKey() }
}
