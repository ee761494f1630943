import { randomBytes } from 'node:crypto'
import { encryptAttachment } from '../src/crypto'
const keys = { label: 'attachment/0', encKey: new Uint8Array(randomBytes(32)), macKey: new Uint8Array(randomBytes(32)) }
const iv = new Uint8Array(16)
const pattern = new Uint8Array(randomBytes(256 * 1024))
async function run(size: number) {
  const gc = (globalThis as any).gc; gc()
  const base = process.memoryUsage().heapUsed
  let peak = 0; let n = 0; const hist: number[] = []
  const sample = () => { const h = process.memoryUsage().heapUsed - base; peak = Math.max(peak, h); if ((n++ % 40) === 0) hist.push(Math.round(h / 1048576)) }
  await encryptAttachment({ keys, iv, size, read: async (_o, l) => pattern.slice(0, l), write: async () => sample() })
  gc(); const after = process.memoryUsage().heapUsed - base
  console.log(size >> 20, 'MiB: peak', (peak / 1048576).toFixed(1), 'after gc', (after / 1048576).toFixed(1), hist.join(' '))
}
(async () => { for (const s of [16, 64, 128]) await run(s << 20); const s = require('v8').getHeapSpaceStatistics(); console.log(s.map((x: any) => x.space_name + ':' + (x.space_size / 1048576).toFixed(1)).join(' ')) })()
