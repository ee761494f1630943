#!/usr/bin/env node
// Prints the size of the weapp build (total and largest files) and fails above the budget.
// WeChat allows 2 MB per main package; we keep the whole build under 1 MB.
import { readdirSync, statSync, existsSync } from 'node:fs'
import { join, relative } from 'node:path'

const BUDGET = 1024 * 1024
const root = process.argv[2] ?? 'dist/weapp'
if (!existsSync(root)) {
  console.error(`${root} does not exist: run \`npm run build:weapp\` first`)
  process.exit(2)
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [{ path: relative(root, path), size: statSync(path).size }]
  })
}

const files = walk(root).sort((a, b) => b.size - a.size)
const total = files.reduce((n, f) => n + f.size, 0)
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`
const subpackage = files.filter((f) => f.path.startsWith('report/')).reduce((n, f) => n + f.size, 0)
console.log(`weapp build: ${files.length} files, total ${kb(total)} (budget ${kb(BUDGET)}); main package ${kb(total - subpackage)}, report subpackage ${kb(subpackage)}`)
console.log('largest files:')
for (const f of files.slice(0, 10)) console.log(`  ${kb(f.size).padStart(11)}  ${f.path}`)
if (total > BUDGET) {
  console.error(`weapp build is ${kb(total)}, over the ${kb(BUDGET)} budget`)
  process.exit(1)
}
