/**
 * The service worker of an H5 build: lists every file the build emitted (whatever their names,
 * so new outputs such as a crypto Web Worker are included without changes here), records each
 * one's size and SHA-256, derives the release version from them, and bundles src/sw/worker.ts
 * with that manifest into `<dir>/sw.js`; also `<dir>/sw-reset.js`, the emergency replacement.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { buildSync } from 'esbuild'
import type { ShellFile, ShellManifest } from '../../src/sw/manifest'
import { isCompressedCopy, listFiles } from './precompress'

const SW_SOURCE = path.resolve(__dirname, '..', '..', 'src', 'sw')
export const SERVICE_WORKER = 'sw.js'
export const SERVICE_WORKER_RESET = 'sw-reset.js'
/** A content hash in the name (webpack's [hash:8], [chunkhash], [contenthash]). */
const HASHED_NAME = /\.[0-9a-f]{8,}\.[a-z0-9]+$/

/** Not part of the shell: compressed copies, licence notes, source maps, the workers themselves. */
export function isShellFile(file: string): boolean {
  if (isCompressedCopy(file) || file === SERVICE_WORKER || file === SERVICE_WORKER_RESET) return false
  return !/\.(LICENSE\.txt|map)$/.test(file)
}

export function shellManifest(dir: string): ShellManifest {
  const files: ShellFile[] = listFiles(dir)
    .filter(isShellFile)
    .sort()
    .map((file) => {
      const bytes = fs.readFileSync(path.join(dir, file))
      return { url: `/${file}`, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), hashed: HASHED_NAME.test(file) }
    })
  if (!files.some((f) => f.url === '/index.html')) throw new Error(`${dir} has no index.html: not an H5 build`)
  const version = createHash('sha256')
    .update(files.map((f) => `${f.url} ${f.sha256}\n`).join(''))
    .digest('hex')
    .slice(0, 16)
  return { version, files }
}

function bundle(entry: string, define: Record<string, string>): string {
  const result = buildSync({
    entryPoints: [path.join(SW_SOURCE, entry)],
    bundle: true,
    format: 'iife',
    target: 'es2017',
    minify: true,
    write: false,
    legalComments: 'none',
    define,
  })
  return result.outputFiles[0].text
}

/** Writes sw.js (and sw-reset.js) into an H5 build directory; returns the manifest it carries. */
export function writeServiceWorker(dir: string): ShellManifest {
  const manifest = shellManifest(dir)
  fs.writeFileSync(path.join(dir, SERVICE_WORKER), bundle('worker.ts', { __SHELL_MANIFEST__: JSON.stringify(manifest) }))
  fs.writeFileSync(path.join(dir, SERVICE_WORKER_RESET), bundle('reset.ts', {}))
  return manifest
}
