/**
 * npm run bench:crypto — throughput of the phone's envelope v2 code against node:crypto doing the
 * same work in the same run, with a JIT and without one (`node --jitless`, our stand-in for iOS
 * WeChat's JavaScriptCore, run as a child process), and peak heap growth while 64 MiB stream.
 *
 *   attachment path: ObjectSealer over a file read in 256 KiB pieces — ChaCha20-Poly1305 STREAM,
 *                    Padmé padding and the CRC-32 upload checksum, the one pass the phone makes
 *   object path:     sealObject over one buffer (the report), the same construction in memory
 *
 * Run with --expose-gc (the npm script does) so the heap baseline is taken after a full GC.
 * `node --import tsx scripts/bench-crypto.ts --child` prints one JSON line (used for --jitless).
 */
import { execFileSync } from 'node:child_process'
import { createCipheriv, randomBytes, scryptSync } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import { crc32 } from 'node:zlib'
import { ObjectSealer, chunkNonce, framedLength, sealObject, CHUNK_LENGTH } from '../src/crypto'
import { CASE_KDF, caseSalt, deriveCaseSecrets } from '../src/case'

const MiB = 1024 * 1024
const READ = 256 * 1024
const HEAP_BYTES = 64 * MiB
const jitless = process.execArgv.includes('--jitless')
const child = process.argv.includes('--child')
/** Without a JIT everything is ~50x slower: measure less, so the whole run stays around a minute. */
const BYTES = jitless ? 2 * MiB : 16 * MiB
const RUNS = jitless ? 3 : 5
const WARMUPS = jitless ? 0 : 2

const key = new Uint8Array(randomBytes(32))
const nonce = new Uint8Array(randomBytes(16))
const input = new Uint8Array(randomBytes(BYTES))

/** Median MB/s (10^6 bytes per second) over RUNS timed runs, after warm-ups so a JIT has settled. */
function measure(run: () => void): number {
  // Start each measurement from a collected heap, so one path does not pay for another's garbage.
  ;(globalThis as { gc?: () => void }).gc?.()
  for (let i = 0; i < WARMUPS; i++) run()
  const rates: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint()
    run()
    rates.push(BYTES / 1e6 / (Number(process.hrtime.bigint() - start) / 1e9))
  }
  return rates.sort((a, b) => a - b)[Math.floor(RUNS / 2)]
}

function clientAttachment(): void {
  const sealer = new ObjectSealer(key.slice(), nonce, input.length)
  for (let offset = 0; offset < input.length; offset += READ) sealer.update(input.subarray(offset, offset + READ))
  sealer.finish()
  void sealer.crc32
}

/** node:crypto (and zlib's CRC-32) doing exactly the same: frame, pad, seal per chunk, checksum. */
function nodeAttachment(): void {
  const framed = framedLength(input.length)
  const count = Math.ceil(framed / CHUNK_LENGTH)
  let crc = crc32(nonce)
  const prefix = Buffer.alloc(8)
  prefix.writeBigUInt64BE(BigInt(input.length))
  const pad = Buffer.alloc(framed - 8 - input.length)
  const stream = Buffer.concat([prefix, input, pad])
  for (let i = 0; i < count; i++) {
    const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(i, i === count - 1), { authTagLength: 16 })
    const sealed = cipher.update(stream.subarray(i * CHUNK_LENGTH, (i + 1) * CHUNK_LENGTH))
    cipher.final()
    crc = crc32(cipher.getAuthTag(), crc32(sealed, crc))
  }
}

const clientObject = () => void sealObject(key, nonce, input)

/**
 * The case KDF (docs/protocol.md §18.2): scrypt(R, "clue-report/case/v1/" ‖ campaignId, N = 2^14,
 * r = 8, p = 1, 64 bytes), 16 MiB, seconds per derivation (median): the phone's code on this thread
 * and in a worker thread (the phone runs it in its encryption worker), and node:crypto's native scrypt.
 */
function kdfSeconds(run: () => void, runs: number): number {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    run()
    times.push(Number(process.hrtime.bigint() - start) / 1e9)
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]
}

const SALT = caseSalt('datong-2023')

/** The same derivation in a worker thread (execArgv inherited: --jitless applies there too). */
function kdfInWorker(runs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(require.resolve('./bench-kdf-worker.mjs'), { workerData: { runs } })
    worker.once('message', (s: number) => {
      resolve(s)
      void worker.terminate()
    })
    worker.once('error', reject)
  })
}

async function kdfFigures(): Promise<Figures['kdf']> {
  const runs = jitless ? 1 : 3
  const client = kdfSeconds(() => deriveCaseSecrets('1234567890123456', SALT, CASE_KDF), runs)
  const node = kdfSeconds(() => scryptSync('1234567890123456', SALT, 64, { N: CASE_KDF.N, r: 8, p: 1, maxmem: 64 * MiB }), 3)
  return { client, worker: await kdfInWorker(runs), node }
}

interface Figures {
  kdf?: { client: number; worker: number; node: number }
  attachment: { client: number; node: number }
  object: { client: number; node: number }
  heap?: { peak: number; retained: number; rss: number; gc: boolean }
}

/**
 * heapUsed sampled after every piece, minus the baseline after a full GC. It includes garbage the
 * young generation has not collected yet; `retained` (after a full GC at the end) shows that
 * nothing accumulates.
 */
function peakHeapGrowth(): NonNullable<Figures['heap']> {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const baseHeap = process.memoryUsage().heapUsed
  const baseRss = process.memoryUsage().rss
  let peakHeap = 0
  let peakRss = 0
  const sample = () => {
    const usage = process.memoryUsage()
    peakHeap = Math.max(peakHeap, usage.heapUsed - baseHeap)
    peakRss = Math.max(peakRss, usage.rss - baseRss)
  }
  const pattern = input.subarray(0, READ)
  const sealer = new ObjectSealer(key.slice(), nonce, HEAP_BYTES)
  for (let offset = 0; offset < HEAP_BYTES; offset += READ) {
    // A fresh piece per read, as a platform file read returns; the 64 MiB never exist at once.
    sealer.update(pattern.slice())
    sample()
  }
  sealer.finish()
  sample()
  gc?.()
  const retained = Math.max(0, process.memoryUsage().heapUsed - baseHeap)
  return { peak: peakHeap, retained, rss: peakRss, gc: gc !== undefined }
}

function figures(withHeap: boolean): Figures {
  // node:crypto does the same work for both paths (the object path is the same construction in
  // memory); measured once more first, because its first runs pay for fresh 16 MiB allocations.
  measure(nodeAttachment)
  const node = measure(nodeAttachment)
  return {
    attachment: { client: measure(clientAttachment), node },
    object: { client: measure(clientObject), node },
    ...(withHeap ? { heap: peakHeapGrowth() } : {}),
  }
}

async function main(): Promise<void> {
  if (child) {
    console.log(JSON.stringify({ ...figures(false), kdf: await kdfFigures() }))
    return
  }
  const jit = { ...figures(true), kdf: await kdfFigures() }
  const noJit: Figures = JSON.parse(
    execFileSync(process.execPath, ['--jitless', '--expose-gc', '--import', 'tsx', __filename, '--child'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n')
      .pop()!,
  )
  const fmt = (n: number) => n.toFixed(2).padStart(12)
  const row = (name: string, ...cells: string[]) => console.log(name.padEnd(44) + cells.join(''))
  console.log(`Envelope v2 encryption, MB/s (10^6 bytes/s), median of runs: ${BYTES / MiB} MiB with JIT, 2 MiB with --jitless`)
  console.log('(node:crypto column: the same framing, ChaCha20-Poly1305 per chunk and CRC-32 in native code)\n')
  row('', ...['client', 'node:crypto', 'node/client'].map((h) => h.padStart(12)))
  const line = (name: string, f: { client: number; node: number }, target: number) =>
    row(name, fmt(f.client), fmt(f.node), fmt(f.node / f.client), `   target >= ${target}${f.client >= target ? ' ok' : ' MISSED'}`)
  line('attachment path, JIT', jit.attachment, 40)
  line('attachment path, --jitless', noJit.attachment, 1.6)
  line('object path, JIT', jit.object, 40)
  line('object path, --jitless', noJit.object, 2)
  const h = jit.heap!
  const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`
  console.log(
    `\nEncrypting ${HEAP_BYTES / MiB} MiB as an attachment: peak heap growth ${mib(h.peak)} (heapUsed, uncollected garbage included; target < 16 MiB${h.peak < 16 * MiB ? ' ok' : ' MISSED'}), retained after GC ${mib(h.retained)}, peak rss growth ${mib(h.rss)}`,
  )
  if (!h.gc) console.log('(run with node --expose-gc for a clean baseline)')
  const k = (name: string, f: NonNullable<Figures['kdf']>, target: number) =>
    row(name, ...[f.client, f.worker, f.node].map((x) => `${x.toFixed(2)} s`.padStart(12)), `   target <= ${target} s${Math.max(f.client, f.worker) <= target ? ' ok' : ' MISSED'}`)
  console.log(`\nCase KDF: scrypt N=2^${Math.log2(CASE_KDF.N)}, r=${CASE_KDF.r}, p=${CASE_KDF.p}, ${CASE_KDF.dkLen} bytes, ${(128 * CASE_KDF.r * CASE_KDF.N) / MiB} MiB; seconds per derivation (median)`)
  row('', ...['this thread', 'worker', 'node:crypto'].map((h) => h.padStart(12)))
  k('case KDF, JIT', jit.kdf!, 1)
  k('case KDF, --jitless (iOS stand-in)', noJit.kdf!, 3)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
