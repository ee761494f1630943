/**
 * The workstation's page: React + Ant Design, built by Vite into dist/workstation. Vite rather than
 * the app's Taro/webpack toolchain: this is a plain browser app for a desktop, with none of Taro's
 * targets; Vite builds it in seconds with no configuration to share with (or break) the H5 build,
 * and keeps it out of the H5 app's bundles entirely.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { defineConfig, type Plugin } from 'vite'
import react from '@vitejs/plugin-react'

type ModuleInfo = { isEntry: boolean; importedIds: readonly string[]; dynamicImporters: readonly string[] }
type ChunkMeta = { getModuleIds: () => IterableIterator<string>; getModuleInfo: (id: string) => ModuleInfo | null }

const REACT = /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/
const PACKAGE = /[\\/]node_modules[\\/]/
/** Rollup's CommonJS helpers (react-dom is CommonJS): with React, which every other chunk imports. */
const CJS_HELPERS = '\0commonjsHelpers.js'
/** The lazily loaded screens (src/pages.ts) in the groups the vendor chunks are cut by. */
const SCREEN_GROUPS: Record<string, string> = {
  SetupPage: 'unlock',
  UnlockPage: 'unlock',
  Console: 'inbox',
  InboxPage: 'inbox',
  CasePage: 'case',
  PrintPage: 'case',
  AuditPage: 'case',
  StatsPage: 'stats',
}

/**
 * `import { Table, Tag } from 'antd'` in the page's sources becomes `import Table from
 * 'antd/es/table'; import Tag from 'antd/es/tag'` (the names as antd's own es/index.js re-exports
 * them). Rollup's tree-shaking already drops the components nobody uses, but the module graph the
 * vendor split below reads links every module that imports 'antd' to all of Ant Design.
 */
function antdPerComponent(): Plugin {
  const barrel = createRequire(__filename).resolve('antd/es/index.js')
  const paths = new Map<string, string>()
  for (const m of fs.readFileSync(barrel, 'utf8').matchAll(/export \{ default as (\w+) \} from '\.\/([\w-]+)';/g)) paths.set(m[1], `antd/es/${m[2]}`)
  const src = `${path.resolve(__dirname, 'src')}${path.sep}`
  return {
    name: 'workstation-antd-per-component',
    transform(code, id) {
      if (!id.startsWith(src) || !/\bfrom ["']antd["']/.test(code)) return null
      const out = code.replace(/import\s*\{([^}]*)\}\s*from\s*["']antd["'];?/g, (whole, names: string) => {
        const specs = names.split(',').map((n) => n.trim()).filter(Boolean).map((n) => /^(\w+)(?:\s+as\s+(\w+))?$/.exec(n))
        if (specs.some((m) => !m || !paths.has(m[1]))) return whole
        return specs.map((m) => `import ${m![2] ?? m![1]} from ${JSON.stringify(paths.get(m![1]))};`).join('\n')
      })
      if (/\bfrom ["']antd["']/.test(out)) this.warn(`${path.relative(src, id)} still imports from 'antd' as a whole: its chunk links all of Ant Design`)
      return { code: out, map: null }
    },
  }
}

/**
 * Vendor chunks (the pages are split by React.lazy, src/pages.ts). Library code never shares a
 * chunk with the page's own code, so a change to the page keeps the libraries' chunks (and
 * Chromium's compiled code for them) cached:
 *  - `react`: React, ReactDOM and the scheduler;
 *  - `vendor`: the rest of the library code the first load needs (Ant Design's core, theme and
 *    CSS-in-JS, config provider, message and modal, the components the shell itself draws);
 *  - `vendor-<groups>`: the library code only some lazily loaded screens need (e.g. Table,
 *    DatePicker, Select for the inbox; Form and Upload for setup and unlock), one chunk per set of
 *    screen groups (SCREEN_GROUPS) that use it. One Ant Design chunk for everything would put the
 *    Form, Upload, Descriptions... of every screen back into the first load.
 * "Uses" is read from the static imports, before tree-shaking, so a little more lands in the
 * earlier chunks than Rollup's own split would put there (8 KiB for the inbox when measured),
 * never less: no chunk imports a later one, and the vendor chunks import no page code.
 */
function vendorChunks(): Plugin {
  let users: Map<string, Set<string>> | undefined
  const screens = (meta: ChunkMeta) => {
    // Which entries (the page's entry, '', and each lazily imported screen) reach each module by
    // static imports.
    const out = new Map<string, Set<string>>()
    for (const id of meta.getModuleIds()) {
      const info = meta.getModuleInfo(id)
      if (!info || !(info.isEntry || info.dynamicImporters.length > 0)) continue
      const name = info.isEntry ? '' : (SCREEN_GROUPS[path.basename(id).replace(/\.[^.]+$/, '')] ?? 'other')
      const seen = new Set([id])
      for (const stack = [id]; stack.length > 0; ) {
        for (const dep of meta.getModuleInfo(stack.pop()!)?.importedIds ?? []) {
          if (!seen.has(dep)) {
            seen.add(dep)
            stack.push(dep)
          }
        }
      }
      for (const m of seen) (out.get(m) ?? out.set(m, new Set()).get(m)!).add(name)
    }
    return out
  }
  const manualChunks = (id: string, meta: ChunkMeta): string | undefined => {
    if (id === CJS_HELPERS || REACT.test(id)) return 'react'
    if (!PACKAGE.test(id)) return undefined
    users ??= screens(meta)
    const by = users.get(id) ?? new Set<string>()
    if (by.size === 0 || by.has('')) return 'vendor'
    return `vendor-${[...by].sort().join('-')}`
  }
  return {
    name: 'workstation-vendor-chunks',
    apply: 'build',
    buildStart: () => void (users = undefined),
    outputOptions: (output) => ({ ...output, manualChunks }),
  }
}

export default defineConfig({
  root: __dirname,
  base: '/',
  plugins: [react(), antdPerComponent(), vendorChunks()],
  logLevel: 'warn',
  build: {
    outDir: path.resolve(__dirname, '../../../dist/workstation'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 4000,
    // No inline scripts or styles anywhere: the page's CSP allows scripts from this origin only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  resolve: { alias: { '@': path.resolve(__dirname, '../../../src') } },
})
