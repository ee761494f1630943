/**
 * npm run bench:server — load test of the intake server from a second process (autocannon).
 *
 * By default it starts the server itself (node --import tsx server/src/main.ts) on a free port with
 * a temporary data directory and RATE_LIMIT=off, and deletes the directory afterwards. With
 * --url http://host:port it drives a server that is already running (it must run with
 * RATE_LIMIT=off, or the limiter will answer most requests with 429).
 *
 * Prints: submission creates per second for small reports (≈1 KB, no attachments), upload
 * throughput in MB/s for 1 MiB chunks, and the p99 latency of each.
 *
 * Options: --url <base>  --duration <s> (default 10)  --connections <n> (creates, default 32)
 *          --upload-connections <n> (default 8)  --log-level <level> (own server, default warn)
 *          --only creates|uploads
 */
import autocannon from 'autocannon'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createEnvelope, REPORT_LABEL, sealObject, utf8Encode } from '../src/crypto'
import { objectSizeV2 } from '../server/src/limits'

const MiB = 1024 * 1024
const ROOT = path.resolve(__dirname, '..')

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    'upload-connections': { type: 'string', default: '8' },
    'log-level': { type: 'string', default: 'warn' },
    only: { type: 'string' },
  },
})
const duration = Number(args.duration)
const createConnections = Number(args.connections)
const uploadConnections = Number(args['upload-connections'])

async function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'src', 'main.ts'), '--port', '0', '--data', dataDir], {
    cwd: ROOT,
    env: { ...process.env, BUREAU_PORT: '0', RATE_LIMIT: 'off', LOG_LEVEL: args['log-level'], NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const m = /server ready: (http:\/\/[^\s]+?)\/?\s/.exec(out)
      if (m) resolve({ url: m[1], child })
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready:\n${out}`)))
  })
}

async function json(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, init)
  const body = await res.json()
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${res.status} ${JSON.stringify(body)}`)
  return body
}

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (err, result) => (err ? reject(err) : resolve(result)))
  })
}

function summary(result: autocannon.Result) {
  const ok = result['2xx']
  return { ok, errors: result.errors + result.timeouts, non2xx: result.non2xx, p50: result.latency.p50, p99: result.latency.p99, seconds: result.duration }
}

async function main(): Promise<void> {
  let dataDir: string | undefined
  let child: ChildProcess | undefined
  let base = args.url?.replace(/\/$/, '')
  if (!base) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-bench-'))
    const started = await startServer(dataDir)
    base = started.url
    child = started.child
  }
  try {
    console.log(`Benchmarking ${base} (${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? '?'}, node ${process.version})`)
    const config = await json(`${base}/api/v1/config`)
    const key = config.keys.find((k: { current: boolean }) => k.current)
    const envelope = createEnvelope({ bureauPublicKey: new Uint8Array(Buffer.from(key.publicKey, 'base64')), ephemeralSecret: new Uint8Array(randomBytes(32)) })

    const reportNonce = new Uint8Array(randomBytes(16))
    const report = sealObject(envelope.objectKey(REPORT_LABEL, reportNonce), reportNonce, utf8Encode(JSON.stringify({ description: '线'.repeat(330) }))).bytes
    const reportB64 = Buffer.from(report).toString('base64')
    const lines: string[] = []
    const targets: [string, boolean][] = []
    let failures = 0
    const pad = (s: string) => s.padEnd(44)

    if (args.only === undefined || args.only === 'creates') {
      // 1. Creates of small reports: ~1 KB of report plaintext, no attachments, a fresh idempotency key each.
      const template = JSON.stringify({ idempotencyKey: '@KEY@', header: envelope.header, report: reportB64, attachments: [] })
      const c = summary(
        await run({
          url: base,
          connections: createConnections,
          duration,
          requests: [
            {
              method: 'POST',
              path: '/api/v1/submissions',
              headers: { 'content-type': 'application/json' },
              setupRequest: (req) => ({ ...req, body: template.replace('@KEY@', randomBytes(16).toString('base64url')) }),
            },
          ],
        }),
      )
      const perSecond = c.ok / c.seconds
      lines.push(`${pad(`Submission creates (small reports, ${createConnections} connections):`)}${perSecond.toFixed(0)} creates/s   p50 ${c.p50} ms   p99 ${c.p99} ms   (${c.ok} ok, ${c.non2xx} non-2xx, ${c.errors} errors)`)
      targets.push(['creates/s ≥ 500', perSecond >= 500])
      failures += c.non2xx + c.errors
    }

    if (args.only === undefined || args.only === 'uploads') {
      // 2. Uploads: submissions with one 20 MiB attachment each, filled with 1 MiB chunks in order.
      // Each connection takes a free attachment, sends its next chunk, and puts it back on the answer.
      const size = objectSizeV2(20 * MiB) // the v2 object of a 20 MiB file; only its whole MiBs are sent
      const crc32 = '00000000' // never finalized, so never checked
      const slots: { id: string; offset: number }[] = []
      const pool = Math.ceil((duration * 1000 * MiB) / size) + uploadConnections // room for 1000 MB/s
      for (let i = 0; i < pool; i++) {
        const body = { idempotencyKey: randomBytes(16).toString('base64url'), header: envelope.header, report: reportB64, attachments: [{ size, crc32 }] }
        const created = await json(`${base}/api/v1/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        slots.push({ id: created.id, offset: 0 })
      }
      const chunk = randomBytes(MiB)
      type Ctx = { slot?: { id: string; offset: number } }
      const u = summary(
        await run({
          url: base,
          connections: uploadConnections,
          duration,
          timeout: 30,
          requests: [
            {
              method: 'PUT',
              setupRequest: (req, context) => {
                const slot = slots.shift()
                if (!slot) throw new Error('benchmark ran out of upload slots')
                ;(context as Ctx).slot = slot
                return {
                  ...req,
                  path: `/api/v1/submissions/${slot.id}/attachments/0`,
                  headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(slot.offset) },
                  body: chunk,
                }
              },
              onResponse: (status, _body, context, headers) => {
                const slot = (context as Ctx).slot!
                const offset = Number((headers as Record<string, string>)['upload-offset'] ?? slot.offset)
                slot.offset = status === 200 || status === 409 ? offset : slot.offset
                if (slot.offset + MiB <= size) slots.unshift(slot)
              },
            },
          ],
        }),
      )
      const mbPerSecond = (u.ok * MiB) / 1e6 / u.seconds
      lines.push(`${pad(`Uploads (1 MiB chunks, ${uploadConnections} connections):`)}${mbPerSecond.toFixed(0)} MB/s (${(u.ok / u.seconds).toFixed(0)} MiB/s)   p50 ${u.p50} ms   p99 ${u.p99} ms   (${u.ok} ok, ${u.non2xx} non-2xx, ${u.errors} errors)`)
      targets.push(['upload MB/s ≥ 100', mbPerSecond >= 100])
      failures += u.non2xx + u.errors
    }

    console.log(['', ...lines, ''].join('\n'))
    for (const [label, met] of targets) console.log(`  ${met ? 'met   ' : 'MISSED'}  ${label}`)
    const [load1] = os.loadavg()
    console.log(`  (load average during the run: ${load1.toFixed(1)} on ${os.cpus().length} CPUs; the server and autocannon share them)`)
    if (failures) process.exitCode = 1
  } finally {
    if (child) {
      child.kill('SIGTERM')
      await new Promise((r) => child!.once('exit', r))
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
