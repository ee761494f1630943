#!/usr/bin/env node
// Builds the H5 app (dist/h5) when it is missing, so that `npm start` serves it at `/`.
// Exits non-zero if the build fails. H5_DIR points at another build, which is then only checked.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const custom = process.env.H5_DIR
const dir = custom ? path.resolve(custom) : path.join(root, 'dist', 'h5')

if (existsSync(path.join(dir, 'index.html'))) process.exit(0)
if (custom) {
  console.error(`H5_DIR=${custom}: no index.html there. Build it first, or unset H5_DIR to use dist/h5.`)
  process.exit(1)
}

console.log('No H5 build in dist/h5: building it now (npx taro build --type h5)…')
const result = spawnSync('npx', ['--no-install', 'taro', 'build', '--type', 'h5'], { cwd: root, stdio: 'inherit' })
if (result.error) {
  console.error(`Could not run the H5 build: ${result.error.message}`)
  process.exit(1)
}
if (result.status !== 0 || !existsSync(path.join(dir, 'index.html'))) {
  console.error(`The H5 build failed (exit ${result.status ?? result.signal}); see the output above.`)
  process.exit(result.status || 1)
}
