/**
 * npm run bench:workstation — how long the bureau workstation takes to open an inbox of N cases
 * (default 1,000) and to search it.
 *
 * Seeds N reports through the real intake server (client crypto, envelope v2, RATE_LIMIT=off), makes
 * a workstation token, starts the real workstation (child process, dist/workstation) and measures,
 * in Debian's Chromium:
 *   - unlock → inbox shown: key file opened, every case listed and decrypted, first table page drawn;
 *   - the inbox opened again once unlocked (page load → first row);
 *   - search for a phone number, a word and a miss: the server's in-memory scan (searchMs, and with
 *     filter + sort + paging: queryMs) and in the page (typing → the table shows the answer for what
 *     was typed, including the page's 250 ms typing pause);
 *   - where the unlock time goes: opening the key file (scrypt), listing, decrypting, requests made.
 * Reference in the same run: decrypting the same N report objects in this process with the
 * existing decryptor (openObject), opening the key file, and a plain String.includes scan over N
 * descriptions. The machine's load average is printed with the figures.
 *
 * Options: --cases N (default 1000)
 */
import fs from 'node:fs'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { Fixture, PASSPHRASE, runCli } from '../__tests__/bureau/fixture'
import { request } from '../__tests__/server/helpers'
import { launchBrowser } from '../e2e/harness'
import { startWorkstation } from '../e2e/workstation-harness'
import { decodePrivateKeyFile, openObject } from '../server/src/envelope'
import type { CategoryCode } from '../src/domain/types'

const { values } = parseArgs({ options: { cases: { type: 'string', default: '1000' } } })
const N = Number(values.cases)
if (!Number.isInteger(N) || N < 1 || N > 20000) throw new Error('--cases 1..20000')

const CATS: CategoryCode[] = ['nude', 'loan', 'claim', 'smear', 'troll', 'collect', 'mlm', 'other']
const BRANCHES = ['yd', 'zs', 'sj']
const WORDS = ['转账', '威胁', '通讯录', '视频', '借款', '刷单', '催收', '拉人头']

const ms = (t: number) => `${t.toFixed(1)} ms`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]

async function main(): Promise<void> {
  if (!fs.existsSync('dist/workstation/index.html')) throw new Error('Build the workstation first: npm run build:workstation')
  const fx = await Fixture.start({ serverEnv: { RATE_LIMIT: 'off' } })
  const ws = await startWorkstation()
  const browser = await launchBrowser()
  try {
    const t0 = performance.now()
    const descriptions: string[] = []
    let next = 0
    const sendOne = async (): Promise<void> => {
      for (let i = next++; i < N; i = next++) {
        const d = `第 ${i} 号举报：对方以${WORDS[i % WORDS.length]}为名骗取钱财，前后共 ${1000 + i} 元。聊天记录和转账截图均已保存。`.repeat(4)
        descriptions.push(d)
        await fx.send({ category: CATS[i % CATS.length], branch: BRANCHES[i % BRANCHES.length], description: d, party: { phones: `139${String(10000000 + i).padStart(8, '0')}`, accounts: `wx_${i}` } })
      }
    }
    // Eight phones at a time (the server commits each report with an fsync).
    await Promise.all(Array.from({ length: 8 }, sendOne))
    const seedMs = performance.now() - t0
    const created = await runCli(['token', 'create', '--name', '基准测试工作站', '--data', fx.dataDir, '--campaign', fx.env.campaignFile])
    const token = /cw1_[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0]
    if (!token) throw new Error(created.output)

    // Reference: the same N objects decrypted in this process, and a plain scan.
    const metas: { id: string; header: unknown }[] = []
    for (let after = ''; ; ) {
      const r = await request(fx.server.bureauUrl!, `/bureau/v1/cases?limit=1000${after ? `&after=${after}` : ''}`, { headers: { authorization: `Bearer ${token}` } })
      metas.push(...r.json.cases)
      if (!r.json.next) break
      after = r.json.next
    }
    const objects: Buffer[] = []
    for (let i = 0; i < metas.length; i += 200) {
      const r = await request(fx.server.bureauUrl!, '/bureau/v1/reports', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: { ids: metas.slice(i, i + 200).map((m) => m.id) } })
      for (const o of r.json.reports) objects.push(Buffer.from(o.report, 'base64'))
    }
    const r0 = performance.now()
    objects.forEach((o, i) => JSON.parse(openObject({ header: metas[i].header as never, privateKey: [fx.newKey], label: 'report', object: o }).toString('utf8')))
    const refDecryptMs = performance.now() - r0
    const k0 = performance.now()
    await decodePrivateKeyFile(fs.readFileSync(fx.newKeyFile, 'utf8'), PASSPHRASE)
    const refKeyMs = performance.now() - k0
    const s0 = performance.now()
    for (let k = 0; k < 20; k++) descriptions.filter((d) => d.includes('13910000500') || d.includes('拉人头'))
    const refScanMs = (performance.now() - s0) / 20

    // The workstation, in Chromium.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const page = await context.newPage()
    await page.goto(ws.loginUrl)
    await page.getByTestId('setup-server').fill(fx.server.bureauUrl!)
    await page.getByTestId('setup-token').fill(token)
    await page.getByTestId('setup-save').click()
    await page.locator('input[type=file]').setInputFiles([fx.newKeyFile])
    await page.getByTestId('passphrase').fill(PASSPHRASE)
    const u0 = performance.now()
    await page.getByTestId('unlock').click()
    await page
      .locator('[data-testid^="case-row-"]')
      .first()
      .waitFor({ timeout: 300000 })
      .catch(async (e: unknown) => {
        throw new Error(`the inbox did not open: ${String(e)}\n${(await page.locator('body').innerText()).slice(0, 2000)}\n${ws.output()}`)
      })
    const unlockMs = performance.now() - u0
    const count = await page.getByTestId('inbox-count').innerText()
    const first = await page.evaluate(async () => {
      const r = await fetch('/api/cases?page=1&size=50')
      const text = await r.text()
      return { bytes: text.length, answer: JSON.parse(text) }
    })
    const load = first.answer.load as { listMs: number; decryptMs: number; totalMs: number; requests: number }

    const reopen: number[] = []
    for (let k = 0; k < 3; k++) {
      const p0 = performance.now()
      await page.reload()
      await page.locator('[data-testid^="case-row-"]').first().waitFor({ timeout: 60000 })
      reopen.push(performance.now() - p0)
    }

    const searches: { q: string; hits: number; serverMs: number; queryMs: number; pageMs: number }[] = []
    const input = page.locator('input[data-testid=search], [data-testid=search] input').first()
    for (const q of ['139 1000 0500', '拉人头', '没有这个词']) {
      await input.fill('')
      await page.waitForTimeout(400)
      const before = await page.getByTestId('inbox-count').innerText()
      const q0 = performance.now()
      await input.fill(q)
      await page.waitForFunction((b) => {
        const t = document.querySelector('[data-testid="inbox-count"]')?.textContent ?? ''
        return t !== b && t.includes('搜索用时')
      }, before)
      const pageMs = performance.now() - q0
      const answer = await page.evaluate(async (qq) => (await fetch(`/api/cases?q=${encodeURIComponent(qq)}`)).json(), q)
      searches.push({ q, hits: answer.matched, serverMs: answer.searchMs, queryMs: answer.queryMs, pageMs })
    }
    await context.close()

    process.stdout.write(
      [
        `Workstation inbox with ${N} cases (${count.trim()}); seeding took ${(seedMs / 1000).toFixed(1)} s`,
        `load average (1, 5, 15 min) when measured: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} on ${os.cpus().length} cores`,
        ``,
        `  unlock → inbox drawn (key + list + decrypt ${N} + first page) : ${ms(unlockMs)}`,
        `    in the workstation: list ${ms(load.listMs)}, fetch + decrypt ${ms(load.totalMs - load.listMs)} (of which decrypt ${ms(load.decryptMs)}), ${load.requests} requests`,
        `    reference: openObject × ${N} in this process         : ${ms(refDecryptMs)}`,
        `    reference: opening the key file (scrypt) here        : ${ms(refKeyMs)}`,
        `  first inbox page sent to the browser: ${first.answer.rows.length} rows, ${(first.bytes / 1024).toFixed(1)} KiB`,
        `  inbox reopened when unlocked (page load → first row)   : ${ms(median(reopen))} (median of 3: ${reopen.map(ms).join(', ')})`,
        ``,
        `  search (server: in-memory scan, then with filter + sort + page; page: typing → table, incl. 250 ms typing pause)`,
        ...searches.map((s) => `    ${JSON.stringify(s.q).padEnd(16)} ${String(s.hits).padStart(5)} hits   server ${ms(s.serverMs).padStart(9)} (${ms(s.queryMs)})   page ${ms(s.pageMs)}`),
        `    reference: String.includes over ${N} descriptions     : ${ms(refScanMs)}`,
        ``,
      ].join('\n'),
    )
  } finally {
    await browser.close()
    await ws.stop()
    await fx.stop()
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`)
  process.exit(1)
})
