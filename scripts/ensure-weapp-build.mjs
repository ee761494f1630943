#!/usr/bin/env node
// Builds the WeChat app (dist/weapp) when it is missing or older than its sources, for
// `npm run test:weapp`. WEAPP_DIST points at another build, which is then only checked.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const custom = process.env.WEAPP_DIST
const dir = custom ? path.resolve(custom) : path.join(root, 'dist', 'weapp')
const marker = path.join(dir, 'app.js')

function newest(p) {
  if (!existsSync(p)) return 0
  const s = statSync(p)
  if (!s.isDirectory()) return s.mtimeMs
  return Math.max(0, ...readdirSync(p).map((n) => newest(path.join(p, n))))
}

if (custom) {
  if (existsSync(marker)) process.exit(0)
  console.error(`WEAPP_DIST=${custom}: no app.js there. Build it first, or unset WEAPP_DIST to use dist/weapp.`)
  process.exit(1)
}

const sources = ['src', 'config', 'campaign', 'package-lock.json', 'babel.config.js', 'project.config.json'].map((p) => newest(path.join(root, p)))
if (existsSync(marker) && statSync(marker).mtimeMs >= Math.max(...sources)) process.exit(0)

console.log(existsSync(marker) ? 'dist/weapp is older than its sources: rebuilding it (taro build --type weapp)…' : 'No WeChat build in dist/weapp: building it now (taro build --type weapp)…')
const result = spawnSync('npx', ['--no-install', 'taro', 'build', '--type', 'weapp'], { cwd: root, stdio: 'inherit' })
if (result.error) {
  console.error(`Could not run the WeChat build: ${result.error.message}`)
  process.exit(1)
}
if (result.status !== 0 || !existsSync(marker)) {
  console.error(`The WeChat build failed (exit ${result.status ?? result.signal}); see the output above.`)
  process.exit(result.status || 1)
}
