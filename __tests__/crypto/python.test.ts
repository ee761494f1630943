/**
 * A third implementation: the Python recipes of docs/protocol.md (§10.1 for v2, §13.6 for v1), run
 * as written against the known-answer vectors, multi-chunk objects included. Skipped where no
 * python3 with the `cryptography` package is installed (CI installs only npm packages and Chromium).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sealObject } from '@/crypto'
import { ROOT, hex, plaintextOf, vectors, vectorsV2 } from './helpers'

function hasPythonCryptography(): boolean {
  try {
    execFileSync('python3', ['-c', 'import cryptography.hazmat.primitives.ciphers.aead'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** The first ```python block after `heading` in the protocol document. */
function recipe(heading: string): string {
  const doc = readFileSync(join(ROOT, 'docs', 'protocol.md'), 'utf8')
  const at = doc.indexOf(heading)
  if (at < 0) throw new Error(`no section ${heading}`)
  const match = /```python\n([\s\S]*?)```/.exec(doc.slice(at))
  if (!match) throw new Error(`no Python block in ${heading}`)
  return match[1]
}

const maybe = hasPythonCryptography() ? describe : describe.skip

maybe('the Python recipes of docs/protocol.md', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'envelope-python-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  /** Runs `code` + a driver that opens each object file and prints the SHA-256 of its plaintext. */
  function run(code: string, header: unknown, privateKey: string, objects: { label: string; file: string }[]): string[] {
    const driver = `
import json, sys, hashlib
header = json.loads(sys.argv[1]); key = bytes.fromhex(sys.argv[2])
for label, path in json.loads(sys.argv[3]):
    print(hashlib.sha256(open_object(header, key, label, open(path, "rb").read())).hexdigest())
`
    writeFileSync(join(dir, 'recipe.py'), code + driver)
    const out = execFileSync('python3', [join(dir, 'recipe.py'), JSON.stringify(header), privateKey, JSON.stringify(objects.map((o) => [o.label, o.file]))], { encoding: 'utf8' })
    return out.trim().split('\n')
  }

  test('§10.1 opens every v2 vector object, the multi-chunk ones too', () => {
    const objects = vectorsV2.objects.map((o) => {
      const bytes = sealObject(hex(o.key), hex(o.objectNonce), plaintextOf(o as never)).bytes
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(o.objectSha256)
      const file = join(dir, `v2-${o.label.replace('/', '-')}.bin`)
      writeFileSync(file, bytes)
      return { label: o.label, file }
    })
    const hashes = run(recipe('### 10.1 Python'), vectorsV2.header, vectorsV2.bureau.privateKey, objects)
    expect(hashes).toEqual(vectorsV2.objects.map((o) => o.plaintextSha256))
  })

  test('§10.1 refuses a v2 object with one flipped byte', () => {
    const o = vectorsV2.objects.find((x) => x.label === 'attachment/1')!
    const bytes = Buffer.from(o.object!, 'hex')
    bytes[20] ^= 1
    const file = join(dir, 'flipped.bin')
    writeFileSync(file, bytes)
    expect(() => run(recipe('### 10.1 Python'), vectorsV2.header, vectorsV2.bureau.privateKey, [{ label: o.label, file }])).toThrow(/InvalidTag/)
  })

  test('§13.6 opens the inline v1 vector objects', () => {
    const inline = vectors.objects.filter((o) => o.object)
    const objects = inline.map((o) => {
      const file = join(dir, `v1-${o.label.replace('/', '-')}.bin`)
      writeFileSync(file, Buffer.from(o.object!, 'hex'))
      return { label: o.label, file }
    })
    expect(run(recipe('### 13.6 Decrypting v1 in Python'), vectors.header, vectors.bureau.privateKey, objects)).toEqual(inline.map((o) => o.plaintextSha256))
  })
})
