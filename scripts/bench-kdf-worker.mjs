// bench:crypto's worker thread: the case KDF as the phone's encryption worker runs it (median seconds).
// Plain ESM, registering tsx itself (a worker thread does not inherit the parent's --import).
import { parentPort, workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const mod = await import('../src/case/index.ts')
// The TypeScript sources are CommonJS here: their exports may sit under `default`.
const { caseSalt, deriveCaseSecrets } = mod.caseSalt ? mod : mod.default
const salt = caseSalt('datong-2023')
const times = []
for (let i = 0; i < workerData.runs; i++) {
  const start = process.hrtime.bigint()
  deriveCaseSecrets('1234567890123456', salt)
  times.push(Number(process.hrtime.bigint() - start) / 1e9)
}
parentPort.postMessage(times.sort((a, b) => a - b)[Math.floor(times.length / 2)])
