import { expect as jestExpect } from 'expect'
;(globalThis as any).expect = jestExpect
import { launchPhone, startServer } from '../e2e/harness'
import { makeEvidence, walkToReview } from '../e2e/flows'
;(async () => {
  const server = await startServer()
  const { browser, page } = await launchPhone()
  const found: Record<string, Set<string>> = {}
  const run = async (step: string) => {
    await page.addScriptTag({ path: require.resolve('axe-core') })
    const res = await page.evaluate(async () => {
      const axe = (window as any).axe
      axe.configure({ checks: [{ id: 'target-size', options: { minSize: 44 } }] })
      const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'] }, rules: { 'target-size': { enabled: true } } })
      return r.violations.map((v: any) => ({ id: v.id, nodes: v.nodes.slice(0, 30).map((n: any) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\n').slice(1, 2).join('') + ' :: ' + (n.html || '').slice(0, 80)) }))
    })
    for (const v of res) {
      found[v.id] ??= new Set()
      for (const n of v.nodes) found[v.id].add(`[${step}] ${n}`)
    }
  }
  try {
    await walkToReview(page, server.url, makeEvidence('axe-probe'), run)
    await run('review')
  } finally {
    for (const [id, nodes] of Object.entries(found)) {
      console.log(`== ${id} (${nodes.size})`)
      for (const n of [...nodes].slice(0, 60)) console.log('  ' + n)
    }
    await browser.close()
    await server.stop()
  }
})()
