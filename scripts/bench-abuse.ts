/**
 * npm run bench:slow / npm run bench:flood — the abuse probes of the hardening review, against the
 * real server in a child process (loopback only), with figures side by side with a reference in
 * the same run.
 *
 * slow:  300 clients (each from its own 127.0.x.y address) create a submission, then PUT a chunk
 *        declared as 1 MiB and send all of it but the last byte, and hold the connection. Prints the
 *        server's peak RSS growth, how long until the server closed every connection, how many were
 *        refused at once (503 BUSY: more uploads in flight than MAX_UPLOADS), and the same
 *        probe against a reference server that buffers request bodies in memory.
 *        Target: growth under 64 MB, every connection closed by the server within its timeout.
 * flood: status lookups (each one scrypt) with rate limiting off, far more than the CPU can hash.
 *        Prints how many were answered 404 / 503 BUSY / other, the latency of the answered ones,
 *        and the latency of GET /api/v1/config during the flood against the same server idle.
 *
 * Options: --probe slow|flood|all (default all)  --clients <n> (slow, default 300)
 *          --request-timeout-ms <n> (slow, default 20000; the server's default is 120000)
 *          --max-uploads <n> (slow: the server's MAX_UPLOADS, default its own, 96)
 *          --flood <n> (requests, default 1500)  --concurrency <n> (flood, default 150)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createEnvelope, REPORT_LABEL, sealObject, utf8Encode } from '../src/crypto'
import { objectSizeV2 } from '../server/src/limits'
import { DEV_PUBLIC_KEY, DEV_KEY_KID } from '../server/src/envelope'

const MiB = 1024 * 1024
const ROOT = path.resolve(__dirname, '..')
const { values: args } = parseArgs({
  options: {
    probe: { type: 'string', default: 'all' },
    clients: { type: 'string', default: '300' },
    'request-timeout-ms': { type: 'string', default: '20000' },
    'max-uploads': { type: 'string' },
    flood: { type: 'string', default: '1500' },
    concurrency: { type: 'string', default: '150' },
  },
})

interface Child {
  url: string
  port: number
  child: ChildProcess
  stop(): Promise<void>
}

function startChild(argv: string[], env: Record<string, string>, ready: RegExp): Promise<Child> {
  const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BUREAU_PORT: '0', ...env } as unknown as NodeJS.ProcessEnv
  const child = spawn(process.execPath, argv, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const m = ready.exec(out)
      if (m) {
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          port: Number(m[1]),
          child,
          stop: () => new Promise<void>((done) => (child.exitCode !== null ? done() : (child.once('exit', () => done()), child.kill('SIGTERM')))),
        })
      }
    })
    child.once('exit', (code) => reject(new Error(`child exited (${code}):\n${out}`)))
  })
}

function startServer(dataDir: string, env: Record<string, string>): Promise<Child> {
  return startChild(['--import', 'tsx', path.join(ROOT, 'server', 'src', 'main.ts'), '--port', '0', '--data', dataDir], { LOG_LEVEL: 'warn', ...env }, /server ready: http:\/\/127\.0\.0\.1:(\d+)\//)
}

/** A server that buffers every request body in memory (what the review measured), as a reference. */
const BUFFERING_SERVER = `
const http = require('node:http')
const s = http.createServer((req, res) => { const parts = []; req.on('data', (c) => parts.push(c)); req.on('end', () => res.end(String(Buffer.concat(parts).length))) })
s.listen(0, '127.0.0.1', () => process.stdout.write('reference ' + s.address().port + '\\n'))
`

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : 0
}

function post(url: string, body: unknown, from: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body))
    const u = new URL(url)
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', 'content-length': payload.length }, agent: false },
      (res) => {
        const parts: Buffer[] = []
        res.on('data', (c) => parts.push(c)).on('end', () => {
          const text = Buffer.concat(parts).toString()
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined })
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

const addressOf = (i: number) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`

function createBody() {
  const envelope = createEnvelope({ bureauPublicKey: new Uint8Array(Buffer.from(DEV_PUBLIC_KEY, 'base64')), ephemeralSecret: new Uint8Array(randomBytes(32)), expectedKid: DEV_KEY_KID })
  const nonce = new Uint8Array(randomBytes(16))
  const report = sealObject(envelope.objectKey(REPORT_LABEL, nonce), nonce, utf8Encode('{"bench":true}')).bytes
  return {
    idempotencyKey: randomBytes(16).toString('base64url'),
    header: envelope.header,
    report: Buffer.from(report).toString('base64'),
    attachments: [{ size: objectSizeV2(2 * MiB), crc32: randomBytes(4).toString('hex') }],
  }
}

/** Opens the slow PUTs against `port`; resolves with the peak RSS growth of `pid` and the close times. */
async function holdSlowBodies(port: number, pid: number, targets: string[], waitMs: number): Promise<{ growth: number; closedBy: number; closedByServer: number; maxCloseMs: number; busy: number }> {
  const baseline = rssBytes(pid)
  let peak = baseline
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 50)
  const body = Buffer.alloc(MiB - 1, 0x61)
  const started = Date.now()
  const closes = await Promise.all(
    targets.map(
      (target, i) =>
        new Promise<{ ms: number; byServer: boolean; busy: boolean }>((resolve) => {
          const socket = net.connect({ host: '127.0.0.1', port, localAddress: addressOf(i) })
          let byClient = false
          let answer = ''
          const giveUp = setTimeout(() => {
            byClient = true
            socket.destroy()
          }, waitMs)
          socket.on('error', () => undefined)
          socket.on('close', () => {
            clearTimeout(giveUp)
            resolve({ ms: Date.now() - started, byServer: !byClient, busy: answer.startsWith('HTTP/1.1 503') })
          })
          socket.on('data', (d: Buffer) => {
            if (answer.length < 64) answer += d.toString('latin1')
          })
          socket.write(
            `PUT ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nContent-Length: ${MiB}\r\n\r\n`,
          )
          socket.write(body)
        }),
    ),
  )
  clearInterval(sampler)
  return {
    growth: peak - baseline,
    closedBy: closes.length,
    closedByServer: closes.filter((c) => c.byServer).length,
    maxCloseMs: Math.max(...closes.map((c) => c.ms)),
    busy: closes.filter((c) => c.busy).length,
  }
}

async function slowProbe(): Promise<void> {
  const clients = Number(args.clients)
  const timeout = Number(args['request-timeout-ms'])
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-slow-'))
  const server = await startServer(dir, { ...(args['max-uploads'] ? { MAX_UPLOADS: args['max-uploads'] } : {}), REQUEST_TIMEOUT_MS: String(timeout), HEADERS_TIMEOUT_MS: String(Math.min(timeout, 20000)) })
  try {
    const targets: string[] = []
    for (let i = 0; i < clients; i += 25) {
      const batch = await Promise.all(Array.from({ length: Math.min(25, clients - i) }, (_, k) => post(`${server.url}/api/v1/submissions`, createBody(), addressOf(i + k))))
      for (const r of batch) {
        if (r.status !== 201) throw new Error(`create answered ${r.status} ${JSON.stringify(r.json)}`)
        targets.push(`/api/v1/submissions/${r.json.id}/attachments/0`)
      }
    }
    const ours = await holdSlowBodies(server.port, server.child.pid!, targets, timeout + 15000)
    const ref = await startChild(['-e', BUFFERING_SERVER], {}, /reference (\d+)/)
    let reference
    try {
      reference = await holdSlowBodies(ref.port, ref.child.pid!, targets, 5000)
    } finally {
      await ref.stop()
    }
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`
    process.stdout.write(
      `\nslow bodies: ${clients} PUTs declared 1 MiB, 1 MiB - 1 byte sent, then held\n` +
        `  intake server:       peak RSS growth ${mb(ours.growth)} (target < 64 MB); ${ours.closedByServer}/${ours.closedBy} connections closed by the server, ` +
        `the last after ${(ours.maxCloseMs / 1000).toFixed(1)} s (request timeout ${timeout / 1000} s); ` +
        `${ours.busy} answered 503 BUSY at once (uploads in flight at most MAX_UPLOADS: ${args['max-uploads'] ?? 'default 96'})\n` +
        `  reference (buffers bodies in memory): peak RSS growth ${mb(reference.growth)}; ${reference.closedByServer}/${reference.closedBy} closed by it within 5 s\n`,
    )
  } finally {
    await server.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function timed(url: string, init?: RequestInit): Promise<{ ms: number; status: number }> {
  const t = performance.now()
  return fetch(url, init).then(
    async (r) => {
      await r.arrayBuffer()
      return { ms: performance.now() - t, status: r.status }
    },
    () => ({ ms: performance.now() - t, status: 0 }),
  )
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN
}

async function floodProbe(): Promise<void> {
  const total = Number(args.flood)
  const concurrency = Number(args.concurrency)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-flood-'))
  const server = await startServer(dir, { RATE_LIMIT: 'off' })
  try {
    const configTimes = async (ms: number) => {
      const out: number[] = []
      const end = Date.now() + ms
      while (Date.now() < end) {
        out.push((await timed(`${server.url}/api/v1/config`)).ms)
        await new Promise((r) => setTimeout(r, 50))
      }
      return out
    }
    const idle = await configTimes(2000)
    let next = 0
    const results: { ms: number; status: number }[] = []
    const started = Date.now()
    let flooding = true
    const duringTimes: number[] = []
    const watcher = (async () => {
      while (flooding) {
        duringTimes.push((await timed(`${server.url}/api/v1/config`)).ms)
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next += 1
          const digits = Array.from(randomBytes(16), (b) => String(b % 10)).join('')
          results.push(await timed(`${server.url}/api/v1/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ receipt: digits }) }))
        }
      }),
    )
    flooding = false
    await watcher
    const seconds = (Date.now() - started) / 1000
    const count = (s: number) => results.filter((r) => r.status === s).length
    const answered = results.filter((r) => r.status === 404).map((r) => r.ms)
    const busy = results.filter((r) => r.status === 503).map((r) => r.ms)
    const other = results.length - answered.length - busy.length
    process.stdout.write(
      `\nstatus flood: ${total} lookups, ${concurrency} at a time, rate limiting off, in ${seconds.toFixed(1)} s\n` +
        `  404 (hashed and answered): ${count(404)}   503 BUSY: ${count(503)}   500: ${count(500)}   other: ${other} ` +
        `(${JSON.stringify(Object.fromEntries([...new Set(results.map((r) => r.status))].filter((st) => st !== 404 && st !== 503).map((st) => [st === 0 ? 'no answer' : st, count(st)])))})\n` +
        `  hashed lookups/s: ${(count(404) / seconds).toFixed(0)}   p50/p99 of answered ${pct(answered, 50).toFixed(0)}/${pct(answered, 99).toFixed(0)} ms   p99 of BUSY ${pct(busy, 99).toFixed(0)} ms\n` +
        `  GET /api/v1/config p50/p99: idle ${pct(idle, 50).toFixed(1)}/${pct(idle, 99).toFixed(1)} ms, during the flood ${pct(duringTimes, 50).toFixed(1)}/${pct(duringTimes, 99).toFixed(1)} ms\n`,
    )
  } finally {
    await server.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  if (args.probe === 'slow' || args.probe === 'all') await slowProbe()
  if (args.probe === 'flood' || args.probe === 'all') await floodProbe()
  process.exit(0)
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`)
  process.exit(1)
})
