#!/usr/bin/env node
// Prints and enforces the size budgets of both builds.
// - weapp: the whole build (total and largest files). WeChat allows 2 MB per main package; we keep
//   the whole build under 1 MB.
// - H5: the home page's first load, as sent compressed (brotli; gzip printed beside it): index.html,
//   the entry's scripts and styles, and the chunks of the home page's import(), from the build
//   report (dist/h5-report.json, written by config/h5/report.ts). None of it may contain crypto
//   code (crypto-js, tweetnacl, src/crypto beyond the byte helpers, the outbox's encryption).
// `npm run size` needs dist/weapp; dist/h5 is checked when built (always in CI: npm test builds it).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const WEAPP_BUDGET = 1024 * 1024
const H5_HOME_BUDGET = 150 * 1024
/** The home page as in src/routes.ts (MAIN_PAGES.home). */
const HOME_PAGE = 'pages/index/index'
const CRYPTO = /(^|\/)node_modules\/(crypto-js|tweetnacl)\/|^src\/crypto\/(?!bytes\.ts$)|^src\/outbox\/(encrypt|sending)\.ts$/
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`
const failures = []

function walk(root, dir = root) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(root, path) : [{ path: relative(root, path), size: statSync(path).size }]
  })
}

function weapp(root) {
  if (!existsSync(root)) {
    console.error(`${root} does not exist: run \`npm run build:weapp\` first`)
    process.exit(2)
  }
  const files = walk(root).sort((a, b) => b.size - a.size)
  const total = files.reduce((n, f) => n + f.size, 0)
  const subpackage = files.filter((f) => f.path.startsWith('report/')).reduce((n, f) => n + f.size, 0)
  console.log(`weapp build: ${files.length} files, total ${kb(total)} (budget ${kb(WEAPP_BUDGET)}); main package ${kb(total - subpackage)}, report subpackage ${kb(subpackage)}`)
  console.log('largest files:')
  for (const f of files.slice(0, 10)) console.log(`  ${kb(f.size).padStart(11)}  ${f.path}`)
  if (total > WEAPP_BUDGET) failures.push(`weapp build is ${kb(total)}, over the ${kb(WEAPP_BUDGET)} budget`)
}

function sizeOf(path) {
  return existsSync(path) ? statSync(path).size : undefined
}

function h5(root, reportFile) {
  if (!existsSync(join(root, 'index.html')) || !existsSync(reportFile)) {
    const message = `${root} or ${reportFile} missing: run \`npm run build:h5\` to check the H5 budget`
    if (process.env.CI) failures.push(message)
    else console.log(`\nH5: ${message} (skipped)`)
    return
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8'))
  const page = report.pages[HOME_PAGE]
  if (!page) {
    failures.push(`the build report lists no chunks for ${HOME_PAGE}`)
    return
  }
  const files = ['index.html', ...report.initial, ...page]
  let raw = 0
  let br = 0
  let gz = 0
  console.log(`\nH5 home page, first load (${files.length} files): file · brotli · gzip`)
  for (const file of files) {
    const size = sizeOf(join(root, file))
    if (size === undefined) {
      failures.push(`${file} is in the build report but not in ${root}`)
      continue
    }
    // Without a compressed copy the file itself is sent.
    const b = sizeOf(join(root, `${file}.br`)) ?? size
    const g = sizeOf(join(root, `${file}.gz`)) ?? size
    raw += size
    br += b
    gz += g
    console.log(`  ${kb(size).padStart(11)} ${kb(b).padStart(11)} ${kb(g).padStart(11)}  ${file}`)
  }
  console.log(`  ${kb(raw).padStart(11)} ${kb(br).padStart(11)} ${kb(gz).padStart(11)}  total; budget ${kb(H5_HOME_BUDGET)} brotli`)

  // What the first load is made of (module sizes before minification), for the next cut.
  // A chunk's script and stylesheet list the same modules: count each module once.
  const byPackage = new Map()
  const seen = new Set()
  for (const file of files) {
    for (const m of report.modules[file] ?? []) {
      if (seen.has(m.name)) continue
      seen.add(m.name)
      const key = /^node_modules\/((@[^/]+\/)?[^/]+)/.exec(m.name)?.[1] ?? m.name
      byPackage.set(key, (byPackage.get(key) ?? 0) + m.size)
    }
  }
  const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8)
  console.log(`  largest parts (before minification): ${top.map(([k, v]) => `${k} ${kb(v)}`).join(', ')}`)

  const crypto = [...new Set(files.flatMap((f) => (report.modules[f] ?? []).map((m) => m.name).filter((n) => CRYPTO.test(n))))]
  if (crypto.length) failures.push(`crypto code in the H5 home page's first load: ${crypto.slice(0, 5).join(', ')}`)
  else console.log('  no crypto code in the first load (crypto-js, tweetnacl, src/crypto, outbox encryption)')
  if (br > H5_HOME_BUDGET) failures.push(`H5 home page first load is ${kb(br)} brotli, over the ${kb(H5_HOME_BUDGET)} budget`)
}

weapp(process.argv[2] ?? 'dist/weapp')
h5(process.argv[3] ?? 'dist/h5', process.argv[4] ?? 'dist/h5-report.json')
for (const f of failures) console.error(f)
process.exit(failures.length ? 1 : 0)
