/**
 * npm run bench:keys — what checking the bureau's signed key list costs on the phone: the app's
 * whole check (strict parse, canonical bytes, tweetnacl Ed25519 verify, kid hashes) against
 * node:crypto verifying the same signature, in this process with the JIT and again in a child
 * process under --jitless (our stand-in for iOS JavaScriptCore, which has no JIT in WeChat).
 */
import { createPublicKey, verify } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { checkKeyList } from '../src/keys/accept'
import { keyListSigningBytes } from '../src/keys/key-list'

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'docs', 'vectors', 'key-list-v1.json'), 'utf8'))
const trust = { anchor: { kid: vectors.signingKey.kid, publicKey: vectors.signingKey.publicKeyBase64, development: false }, release: true }
const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(vectors.signingKey.publicKey, 'hex')])
const anchorKey = createPublicKey({ key: spki, format: 'der', type: 'spki' })

/** Median milliseconds of `run` over `runs` runs, after two warm-ups. */
function median(run: () => unknown, runs: number): number {
  run()
  run()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    run()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]
}

function measureHere(runs: number): { app: number; node: number } {
  const signature = Buffer.from(vectors.list.signature, 'base64')
  return {
    app: median(() => checkKeyList(vectors.list, { trust, floor: 0 }), runs),
    node: median(() => verify(null, Buffer.from(keyListSigningBytes(vectors.list)), anchorKey, signature), runs),
  }
}

if (process.argv.includes('--child')) {
  process.stdout.write(JSON.stringify(measureHere(Number(process.argv[process.argv.indexOf('--child') + 1]))))
} else {
  const jit = measureHere(21)
  const out = execFileSync(process.execPath, ['--jitless', '--import', 'tsx', __filename, '--child', '7'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  const jitless = JSON.parse(out) as { app: number; node: number }
  const row = (name: string, r: { app: number; node: number }) =>
    `${name.padEnd(10)} app check ${r.app.toFixed(2).padStart(8)} ms   node:crypto verify ${r.node.toFixed(3).padStart(7)} ms   ratio ${(r.app / r.node).toFixed(0).padStart(5)}x`
  console.log(`Key list check (${vectors.list.keys.length} keys), median per check:`)
  console.log(row('JIT', jit))
  console.log(row('--jitless', jitless))
}
