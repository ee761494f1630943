#!/usr/bin/env node
// Builds the bureau workstation's page (dist/workstation) when it is missing, so that
// `npm run workstation` has something to serve. Exits non-zero if the build fails.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dir = path.join(root, 'dist', 'workstation')
if (existsSync(path.join(dir, 'index.html'))) process.exit(0)
console.log('No workstation build in dist/workstation: building it now (vite build)…')
const result = spawnSync('npx', ['--no-install', 'vite', 'build', '--config', 'bureau/workstation/web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
if (result.error || result.status !== 0 || !existsSync(path.join(dir, 'index.html'))) {
  console.error(`The workstation build failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`}); see the output above.`)
  process.exit(result.status || 1)
}
