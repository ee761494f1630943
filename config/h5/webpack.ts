/**
 * H5 webpack settings (applied from config/index.ts): how pages share chunks, and, in production
 * builds, the finishing steps after webpack has written dist/h5 — the build report, the service
 * worker with the release manifest, brotli and gzip copies of every text file.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Compiler } from 'webpack'
import { precompressDir } from './precompress'
import { buildReport } from './report'
import { writeServiceWorker } from './shell'

const ROOT = path.resolve(__dirname, '..', '..')
/** The build report beside (not inside) the served directory: dist/h5 → dist/h5-report.json. */
export const reportFileOf = (outputDir: string) => `${outputDir.replace(/[\\/]+$/, '')}-report.json`
/** The page the app opens on (the first of src/routes.ts MAIN_PAGES, home). */
export const HOME_PAGE = 'pages/index/index'

/**
 * The router imports the home page's chunks only once the entry has run: one more round trip
 * (400 ms and more on a slow mobile network). Preload links in index.html fetch them alongside
 * the entry instead. Links, not scripts: nothing inline is added (CSP).
 */
export function preloadPage(dir: string, files: string[]): void {
  const file = path.join(dir, 'index.html')
  const html = fs.readFileSync(file, 'utf8')
  const links = files
    .filter((f) => f.endsWith('.js') && !html.includes(`/${f}"`))
    .map((f) => `<link rel="preload" as="script" href="/${f}">`)
    .join('')
  if (!html.includes('</head>')) throw new Error(`${file} has no </head>`)
  fs.writeFileSync(file, html.replace('</head>', `${links}</head>`))
}

/** The steps after emit, on a finished build directory (also used by tests to make releases). */
export function finishH5Build(dir: string): { version: string; files: number } {
  const manifest = writeServiceWorker(dir)
  precompressDir(dir)
  return { version: manifest.version, files: manifest.files.length }
}

class H5FinishPlugin {
  apply(compiler: Compiler): void {
    compiler.hooks.afterEmit.tap('H5FinishPlugin', (compilation) => {
      if (compilation.errors.length > 0) return
      const dir = compiler.outputPath
      const report = buildReport(compilation, ROOT)
      fs.writeFileSync(reportFileOf(dir), `${JSON.stringify(report)}\n`)
      preloadPage(dir, report.pages[HOME_PAGE] ?? [])
      const { version, files } = finishH5Build(dir)
      console.log(`H5 release ${version}: ${files} files in the service worker's shell; brotli and gzip copies written`)
    })
  }
}

interface Chain {
  optimization: { get(key: 'splitChunks'): { cacheGroups?: Record<string, object | false> } & Record<string, unknown>; splitChunks(value: object): unknown }
  plugin(name: string): { use(plugin: unknown, args?: unknown[]): unknown }
}

/**
 * Taro splits only initial chunks (`chunks: 'initial'`), so every page's async chunk carried its
 * own copy of @tarojs/components' React wrappers and tslib (about 60 KB minified each, 15 pages).
 * Its groups stay as they are for the entry; async chunks now share libraries used by two or
 * more pages, and our own modules used by three or more, in chunks of at least 10 KB.
 */
export function configureH5Webpack(chain: Chain, production: boolean): void {
  const split = chain.optimization.get('splitChunks')
  const entryGroups = Object.fromEntries(
    Object.entries(split.cacheGroups ?? {}).map(([name, group]) => [name, group && { chunks: 'initial', ...group }]),
  )
  chain.optimization.splitChunks({
    ...split,
    chunks: 'all',
    cacheGroups: {
      ...entryGroups,
      pageLibraries: { chunks: 'async', test: /[\\/]node_modules[\\/]/, minChunks: 2, minSize: 10000, priority: 20, name: false, reuseExistingChunk: true },
      pageShared: { chunks: 'async', minChunks: 3, minSize: 10000, priority: 5, name: false, reuseExistingChunk: true },
    },
  })
  if (production) chain.plugin('h5-finish').use(H5FinishPlugin)
}
