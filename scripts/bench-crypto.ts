/**
 * npm run bench:crypto — throughput of the client envelope code (crypto-js, run in Node) against
 * node:crypto doing the same work, and peak heap growth while the client encrypts 64 MiB.
 *
 * Run with --expose-gc (the npm script does) so the heap baseline is taken after a full GC.
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto'
import CryptoJS from 'crypto-js'
import { encryptAttachment, encryptObject } from '../src/crypto'

const MiB = 1024 * 1024
const THROUGHPUT_BYTES = 16 * MiB
const HEAP_BYTES = 64 * MiB
const CHUNK = 256 * 1024
const RUNS = 5
const WARMUPS = 2

const keys = { label: 'attachment/0', encKey: new Uint8Array(randomBytes(32)), macKey: new Uint8Array(randomBytes(32)) }
const iv = new Uint8Array(randomBytes(16))
const input = new Uint8Array(randomBytes(THROUGHPUT_BYTES))

/** Median MB/s (10^6 bytes per second) over RUNS timed runs, after warm-ups so the JIT has settled. */
async function measure(run: () => unknown): Promise<number> {
  for (let i = 0; i < WARMUPS; i++) await run()
  const rates: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint()
    await run()
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    rates.push(THROUGHPUT_BYTES / 1e6 / seconds)
  }
  return rates.sort((a, b) => a - b)[Math.floor(RUNS / 2)]
}

// The attachment path: AES-256-CBC + HMAC-SHA256 + SHA-256 of the plaintext + SHA-256 of the object.
const clientAttachment = () =>
  encryptAttachment({
    keys,
    iv,
    size: input.length,
    read: async (offset, length) => input.subarray(offset, offset + length),
    write: async () => {},
  })

function nodeAttachment(): void {
  const cipher = createCipheriv('aes-256-cbc', keys.encKey, iv)
  const mac = createHmac('sha256', keys.macKey).update(iv)
  const plainHash = createHash('sha256')
  const objectHash = createHash('sha256').update(iv)
  for (let offset = 0; offset < input.length; offset += CHUNK) {
    const chunk = input.subarray(offset, offset + CHUNK)
    plainHash.update(chunk)
    const ciphertext = cipher.update(chunk)
    mac.update(ciphertext)
    objectHash.update(ciphertext)
  }
  const last = cipher.final()
  const tag = mac.update(last).digest()
  objectHash.update(last).update(tag).digest()
  plainHash.digest()
}

// The object path (the report): AES-256-CBC + HMAC-SHA256 only.
const clientObject = () => encryptObject(keys, iv, input)

function nodeObject(): void {
  const cipher = createCipheriv('aes-256-cbc', keys.encKey, iv)
  const ciphertext = Buffer.concat([cipher.update(input), cipher.final()])
  createHmac('sha256', keys.macKey).update(iv).update(ciphertext).digest()
}

// The baseline the target was set against: crypto-js one-shot with its own byte-by-byte conversion.
function naiveCryptoJs(): void {
  const plain = CryptoJS.lib.WordArray.create(input as unknown as number[])
  const key = CryptoJS.lib.WordArray.create(keys.encKey as unknown as number[])
  const ivWords = CryptoJS.lib.WordArray.create(iv as unknown as number[])
  const { ciphertext } = CryptoJS.AES.encrypt(plain, key, { iv: ivWords })
  CryptoJS.HmacSHA256(ivWords.clone().concat(ciphertext), CryptoJS.lib.WordArray.create(keys.macKey as unknown as number[]))
}

/**
 * heapUsed sampled after every chunk, minus the baseline after a full GC. It includes garbage the
 * young generation has not collected yet, so it is bounded by V8's new-space size, not the input;
 * `retained` (after a full GC at the end) shows nothing accumulates.
 */
async function peakHeapGrowth(): Promise<{ heap: number; retained: number; rss: number; gc: boolean }> {
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
  const pattern = input.subarray(0, CHUNK)
  await encryptAttachment({
    keys,
    iv,
    size: HEAP_BYTES,
    // A fresh chunk per read, as a platform file read returns; the 64 MiB never exist at once.
    read: async (_offset, length) => pattern.slice(0, length),
    write: async () => sample(),
    onProgress: sample,
  })
  sample()
  gc?.()
  const retained = Math.max(0, process.memoryUsage().heapUsed - baseHeap)
  return { heap: peakHeap, retained, rss: peakRss, gc: gc !== undefined }
}

async function main(): Promise<void> {
  const fmt = (n: number) => n.toFixed(1).padStart(13)
  const row = (name: string, ...cells: string[]) => console.log(name.padEnd(58) + cells.join(''))
  console.log(`Envelope v1 encryption of ${THROUGHPUT_BYTES / MiB} MiB, MB/s (10^6 bytes/s), median of ${RUNS} runs after ${WARMUPS} warm-ups\n`)
  row('', ...['client', 'node:crypto', 'node/client'].map((h) => h.padStart(13)))
  const attachmentClient = await measure(clientAttachment)
  const attachmentNode = await measure(nodeAttachment)
  row('attachment: AES-CBC + HMAC + SHA-256 of plaintext, object', fmt(attachmentClient), fmt(attachmentNode), fmt(attachmentNode / attachmentClient))
  const objectClient = await measure(clientObject)
  const objectNode = await measure(nodeObject)
  row('object:     AES-CBC + HMAC (the envelope encryption)', fmt(objectClient), fmt(objectNode), fmt(objectNode / objectClient))
  const naive = await measure(naiveCryptoJs)
  row('baseline:   crypto-js one-shot AES-CBC + HMAC, naive bytes', fmt(naive))
  row('client object path vs baseline', fmt(objectClient / naive) + 'x')

  const { heap, retained, rss, gc } = await peakHeapGrowth()
  const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`
  console.log(`\nEncrypting ${HEAP_BYTES / MiB} MiB as an attachment: peak heap growth ${mib(heap)} (heapUsed, uncollected garbage included), retained after GC ${mib(retained)}, peak rss growth ${mib(rss)}`)
  if (!gc) console.log('(run with node --expose-gc for a clean baseline)')
  console.log(`Targets: client >= 40 MB/s; peak heap growth < 16 MiB.`)
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
