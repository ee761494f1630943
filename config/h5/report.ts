/**
 * What each H5 page needs before it can show anything: the entry's initial files plus the chunks
 * of the page's own import(), with the modules in every file. Written at build time to
 * dist/h5-report.json (outside the served directory); `npm run size` reads it to print and
 * enforce the home page's first-load budget and to check that no crypto code is in it.
 */
import path from 'node:path'
import type { Chunk, Compilation, Module } from 'webpack'

export interface BuildReport {
  /** Files the entry loads before the router starts (index.html's scripts and styles). */
  initial: string[]
  /** Page path (as in src/routes.ts) → the extra files its import() loads. */
  pages: Record<string, string[]>
  /** File → the source modules in it, as paths from the repository root, with their sizes. */
  modules: Record<string, Array<{ name: string; size: number }>>
}

function moduleEntries(module: Module, root: string): Array<{ name: string; size: number }> {
  const inner = (module as Module & { modules?: Module[] }).modules
  if (Array.isArray(inner)) return inner.flatMap((m) => moduleEntries(m, root))
  const resource = module.nameForCondition() ?? module.identifier()
  const relative = path.isAbsolute(resource) ? path.relative(root, resource).split(path.sep).join('/') : resource
  // Inlined assets (fonts as data: URLs) would otherwise be named by their whole content.
  const name = relative.startsWith('data:') ? `${relative.slice(0, relative.indexOf(',') + 1)}…` : relative
  return [{ name, size: module.size() }]
}

function filesOf(chunks: Iterable<Chunk>): string[] {
  return [...new Set([...chunks].flatMap((chunk) => [...chunk.files]))].filter((f) => !f.endsWith('.map')).sort()
}

export function buildReport(compilation: Compilation, root: string): BuildReport {
  const report: BuildReport = { initial: [], pages: {}, modules: {} }
  for (const [, entry] of compilation.entrypoints) report.initial.push(...filesOf(entry.chunks))
  report.initial = [...new Set(report.initial)].sort()
  for (const group of compilation.chunkGroups) {
    if (group.isInitial()) continue
    for (const origin of group.origins) {
      const page = /^\.\/((?:pages|report)\/.+\/index)$/.exec(origin.request ?? '')
      if (page) report.pages[page[1]] = filesOf(group.chunks).filter((f) => !report.initial.includes(f))
    }
  }
  for (const chunk of compilation.chunks) {
    const modules = [...compilation.chunkGraph.getChunkModulesIterable(chunk)].flatMap((m) => moduleEntries(m, root))
    for (const file of chunk.files) if (!file.endsWith('.map')) report.modules[file] = modules
  }
  return report
}
