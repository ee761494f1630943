/**
 * The vector generators must not use the code the vectors test: they import node's built-ins and
 * their shared node:crypto module only (docs/protocol.md, "Test vectors").
 */
import fs from 'node:fs'
import path from 'node:path'

const SCRIPTS = path.join(__dirname, '..', '..', 'scripts')
const GENERATORS = ['make-vectors.ts', 'make-vectors-v2.ts', 'make-case-vectors.ts', 'make-key-list-vectors.ts', 'vectors/node-reference.ts']

const importsOf = (file: string) => [...fs.readFileSync(path.join(SCRIPTS, file), 'utf8').matchAll(/^import [^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1])

test.each(GENERATORS)('%s imports only node built-ins and the shared reference module', (file) => {
  const imports = importsOf(file)
  expect(imports.length).toBeGreaterThan(0)
  for (const source of imports) expect(source).toMatch(/^(node:[a-z/]+|\.\/vectors\/node-reference|\.\/node-reference)$/)
})
