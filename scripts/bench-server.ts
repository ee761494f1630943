/**
 * npm run bench:server — load test of the intake server from a second process (autocannon).
 *
 * By default it starts the server itself (node --import tsx server/src/main.ts) on a free port with
 * a temporary data directory and RATE_LIMIT=off, and deletes the directory afterwards. With
 * --url http://host:port it drives a server that is already running (it must run with
 * RATE_LIMIT=off, or the limiter will answer most requests with 429).
 *
 * With --instances 2 it measures three set-ups in one run and prints them side by side: SQLite with
 * one instance (the reference), PostgreSQL with one instance, and PostgreSQL with two instances on
 * one database (each instance driven by its own autocannon with half the connections, as a load
 * balancer would split them; the figures are summed). PostgreSQL is DATABASE_URL (a fresh schema
 * in it, dropped afterwards) or, without it, a private server started from Debian's binaries.
 *
 * Prints: submission creates per second for small reports (≈1 KB, no attachments), upload
 * throughput in MB/s for 1 MiB chunks, and the p99 latency of each.
 *
 * Options: --url <base>  --duration <s> (default 10)  --connections <n> (creates, default 32)
 *          --upload-connections <n> (default 8)  --log-level <level> (own server, default warn)
 *          --only creates|uploads  --instances 1|2
 */
import autocannon from 'autocannon'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createEnvelope, REPORT_LABEL, sealObject, utf8Encode } from '../src/crypto'
import pg from 'pg'
import { objectSizeV2 } from '../server/src/limits'
import { startPrivateCluster, type PrivateCluster } from './pg-private-cluster'

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
    instances: { type: 'string', default: '1' },
  },
})
const duration = Number(args.duration)
const instances = Number(args.instances)
if (instances !== 1 && instances !== 2) throw new Error('--instances must be 1 or 2')
const createConnections = Number(args.connections)
const uploadConnections = Number(args['upload-connections'])

async function startServer(dataDir: string, databaseUrl?: string): Promise<{ url: string; child: ChildProcess }> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'src', 'main.ts'), '--port', '0', '--data', dataDir], {
    cwd: ROOT,
    env: {
      ...inherited,
      BUREAU_PORT: '0',
      RATE_LIMIT: 'off',
      LOG_LEVEL: args['log-level'],
      NODE_ENV: 'development',
      // The upload phase declares hundreds of 20 MiB attachments from one address up front.
      MAX_UNFINISHED_BYTES_PER_CLIENT: String(2 ** 40),
      MAX_UNFINISHED_BYTES: String(2 ** 40),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
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

interface Figures {
  creates?: { perSecond: number; p50: number; p99: number; ok: number; non2xx: number; errors: number }
  uploads?: { mbPerSecond: number; p50: number; p99: number; ok: number; non2xx: number; errors: number }
}

/** Latency percentiles of several autocannon runs side by side: the worst of each. */
function merge(results: autocannon.Result[]) {
  const s = results.map(summary)
  return {
    ok: s.reduce((n, r) => n + r.ok, 0),
    errors: s.reduce((n, r) => n + r.errors, 0),
    non2xx: s.reduce((n, r) => n + r.non2xx, 0),
    p50: Math.max(...s.map((r) => r.p50)),
    p99: Math.max(...s.map((r) => r.p99)),
    seconds: Math.max(...s.map((r) => r.seconds)),
  }
}

/** Creates then uploads against `bases` (one autocannon per base, the connections split evenly). */
async function measure(bases: string[]): Promise<Figures> {
  const config = await json(`${bases[0]}/api/v1/config`)
  const key = config.keys.find((k: { current: boolean }) => k.current)
  const envelope = createEnvelope({ bureauPublicKey: new Uint8Array(Buffer.from(key.publicKey, 'base64')), ephemeralSecret: new Uint8Array(randomBytes(32)) })
  const reportNonce = new Uint8Array(randomBytes(16))
  const report = sealObject(envelope.objectKey(REPORT_LABEL, reportNonce), reportNonce, utf8Encode(JSON.stringify({ description: '线'.repeat(330) }))).bytes
  const reportB64 = Buffer.from(report).toString('base64')
  const share = (n: number) => Math.max(1, Math.round(n / bases.length))
  const figures: Figures = {}

  if (args.only === undefined || args.only === 'creates') {
    // 1. Creates of small reports: ~1 KB of report plaintext, no attachments, a fresh idempotency key each.
    const template = JSON.stringify({ idempotencyKey: '@KEY@', header: envelope.header, report: reportB64, attachments: [] })
    const c = merge(
      await Promise.all(
        bases.map((base) =>
          run({
            url: base,
            connections: share(createConnections),
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
        ),
      ),
    )
    figures.creates = { perSecond: c.ok / c.seconds, p50: c.p50, p99: c.p99, ok: c.ok, non2xx: c.non2xx, errors: c.errors }
  }

  if (args.only === undefined || args.only === 'uploads') {
    // 2. Uploads: submissions with one 20 MiB attachment each, filled with 1 MiB chunks in order.
    // Each connection takes a free attachment, sends its next chunk, and puts it back on the answer.
    const size = objectSizeV2(20 * MiB) // the v2 object of a 20 MiB file; only its whole MiBs are sent
    const crc32 = '00000000' // never finalized, so never checked
    const chunk = randomBytes(MiB)
    type Slot = { id: string; offset: number }
    type Ctx = { slot?: Slot }
    const perBase = Math.ceil((duration * 1000 * MiB) / size / bases.length) + share(uploadConnections) // room for 1000 MB/s
    const u = merge(
      await Promise.all(
        bases.map(async (base) => {
          const slots: Slot[] = []
          for (let i = 0; i < perBase; i++) {
            const body = { idempotencyKey: randomBytes(16).toString('base64url'), header: envelope.header, report: reportB64, attachments: [{ size, crc32 }] }
            const created = await json(`${base}/api/v1/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
            slots.push({ id: created.id, offset: 0 })
          }
          return run({
            url: base,
            connections: share(uploadConnections),
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
          })
        }),
      ),
    )
    figures.uploads = { mbPerSecond: (u.ok * MiB) / 1e6 / u.seconds, p50: u.p50, p99: u.p99, ok: u.ok, non2xx: u.non2xx, errors: u.errors }
  }
  return figures
}

interface Setup {
  label: string
  instances: number
  postgres: boolean
}

/** A PostgreSQL database for one set-up: a fresh schema of DATABASE_URL, or a private server's. */
async function openPostgres(): Promise<{ url: string; close(): Promise<void> }> {
  let cluster: PrivateCluster | undefined
  let base = process.env.DATABASE_URL
  if (!base) {
    cluster = await startPrivateCluster()
    base = cluster.url
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.end()
  const u = new URL(base)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return {
    url: u.toString(),
    close: async () => {
      const c = new pg.Client({ connectionString: base })
      await c.connect()
      await c.query(`DROP SCHEMA ${schema} CASCADE`)
      await c.end()
      cluster?.destroy()
    },
  }
}

async function runSetup(setup: Setup): Promise<Figures> {
  const dirs: string[] = []
  const children: ChildProcess[] = []
  const db = setup.postgres ? await openPostgres() : undefined
  try {
    const bases: string[] = []
    for (let i = 0; i < setup.instances; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-bench-'))
      dirs.push(dir)
      const started = await startServer(dir, db?.url)
      children.push(started.child)
      bases.push(started.url)
    }
    return await measure(bases)
  } finally {
    for (const child of children) {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    }
    await db?.close()
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  }
}

const pad = (s: string, n: number) => s.padEnd(n)

async function main(): Promise<void> {
  console.log(`Benchmarking (${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? '?'}, node ${process.version})`)
  const rows: [string, Figures][] = []
  if (args.url) {
    rows.push([`${args.url.replace(/\/$/, '')}`, await measure([args.url.replace(/\/$/, '')])])
  } else {
    const setups: Setup[] =
      instances === 2
        ? [
            { label: 'SQLite, 1 instance (reference)', instances: 1, postgres: false },
            { label: 'PostgreSQL, 1 instance', instances: 1, postgres: true },
            { label: 'PostgreSQL, 2 instances', instances: 2, postgres: true },
          ]
        : [{ label: 'SQLite, 1 instance', instances: 1, postgres: false }]
    for (const setup of setups) {
      console.log(`  running: ${setup.label} …`)
      rows.push([setup.label, await runSetup(setup)])
    }
  }
  let failures = 0
  const lines = [
    '',
    `Creates: small reports, ${createConnections} connections; uploads: 1 MiB chunks, ${uploadConnections} connections; ${duration} s each`,
    '',
    `${pad('Set-up', 34)}${pad('creates/s', 11)}${pad('p50/p99 ms', 14)}${pad('upload MB/s', 13)}${pad('p50/p99 ms', 14)}errors`,
  ]
  for (const [label, f] of rows) {
    const c = f.creates
    const u = f.uploads
    const errors = (c ? c.non2xx + c.errors : 0) + (u ? u.non2xx + u.errors : 0)
    failures += errors
    lines.push(
      pad(label, 34) +
        pad(c ? c.perSecond.toFixed(0) : '-', 11) +
        pad(c ? `${c.p50}/${c.p99}` : '-', 14) +
        pad(u ? u.mbPerSecond.toFixed(0) : '-', 13) +
        pad(u ? `${u.p50}/${u.p99}` : '-', 14) +
        String(errors),
    )
  }
  console.log(lines.join('\n'))
  console.log('')
  const first = rows[0][1]
  if (first.creates) console.log(`  ${first.creates.perSecond >= 500 ? 'met   ' : 'MISSED'}  creates/s ≥ 500 (${rows[0][0]})`)
  if (first.uploads) console.log(`  ${first.uploads.mbPerSecond >= 100 ? 'met   ' : 'MISSED'}  upload MB/s ≥ 100 (${rows[0][0]})`)
  const [load1] = os.loadavg()
  console.log(`  (load average during the run: ${load1.toFixed(1)} on ${os.cpus().length} CPUs; the servers, PostgreSQL and autocannon share them)`)
  if (failures) process.exitCode = 1
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
