import { createCipheriv, createHmac, createHash, randomBytes } from 'node:crypto'
import { encryptObject, encryptAttachment, sha256Hex } from '../src/crypto/index'
async function main() {


for (const n of [0,1,15,16,17,31,32,33,1000,16383,16384,16385,50000,262143,262144,262145,700001]) {
  const keys = { label: 'x', encKey: randomBytes(32), macKey: randomBytes(32) }
  const iv = randomBytes(16); const pt = randomBytes(n)
  const c = createCipheriv('aes-256-cbc', keys.encKey, iv); const ct = Buffer.concat([c.update(pt), c.final()])
  const tag = createHmac('sha256', keys.macKey).update(iv).update(ct).digest()
  const expect = Buffer.concat([iv, ct, tag])
  const got = Buffer.from(encryptObject(keys, new Uint8Array(iv), new Uint8Array(pt)))
  if (!got.equals(expect)) console.log('MISMATCH object', n)
  for (const cs of [1, 7, 16, 1000, 262144]) {
    if (n > 50000 && cs < 1000) continue
    const parts: Uint8Array[] = []
    const r = await encryptAttachment({ keys, iv: new Uint8Array(iv), size: n, chunkSize: cs, read: async (o, l) => new Uint8Array(pt.subarray(o, o + l)), write: async (b) => { parts.push(b) } })
    const all = Buffer.concat(parts)
    if (!all.equals(expect)) console.log('MISMATCH stream', n, cs)
    if (r.plaintextSha256 !== createHash('sha256').update(pt).digest('hex')) console.log('pt hash mismatch', n, cs)
    if (r.ciphertextSha256 !== createHash('sha256').update(expect).digest('hex')) console.log('ct hash mismatch', n, cs)
  }
  if (sha256Hex(new Uint8Array(pt)) !== createHash('sha256').update(pt).digest('hex')) console.log('sha mismatch', n)
}
console.log('done')
const big = new Uint8Array(randomBytes(16 << 20))
const keys = { label: 'x', encKey: randomBytes(32), macKey: randomBytes(32) }
for (let r = 0; r < 3; r++) {
  let t = performance.now()
  await encryptAttachment({ keys, iv: new Uint8Array(16), size: big.length, read: async (o, l) => big.subarray(o, o + l), write: async () => {} })
  console.log('attachment', (16.777 / ((performance.now() - t) / 1000)).toFixed(1), 'MB/s')
  t = performance.now(); encryptObject(keys, new Uint8Array(16), big); console.log('object', (16.777 / ((performance.now() - t) / 1000)).toFixed(1), 'MB/s')
}
}; main()
