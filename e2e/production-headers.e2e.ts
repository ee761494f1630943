/**
 * The H5 app under the production header policy (server/src/http/security-headers.ts): a server in
 * --production mode serves the real build with its CSP, HSTS and the rest, and a resident walks the
 * report flow to review, submits, and opens the status page, with no Content-Security-Policy
 * violation reported by the browser (console or securitypolicyviolation events).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { generateBureauKeyPair } from '../server/src/envelope'
import { makeEvidence, walkToReview } from './flows'
import { ROOT, launchPhone, startServer, type RunningServer } from './harness'
import { tap } from './phone'

let server: RunningServer
let browser: Browser
let page: Page
let dir: string
const violations: string[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clue-prod-e2e-'))
  // Production refuses the development key: a campaign with a key of its own, and a pepper outside the data directory.
  const key = generateBureauKeyPair()
  const campaign = JSON.parse(readFileSync(join(ROOT, 'campaign', 'campaign.json'), 'utf8'))
  campaign.keys = [{ kid: key.kid, publicKey: key.publicKey.toString('base64'), current: true }]
  campaign.campaign.acceptAfterEnd = true
  writeFileSync(join(dir, 'campaign.json'), JSON.stringify(campaign))
  writeFileSync(join(dir, 'pepper'), randomBytes(32).toString('hex'))
  server = await startServer({
    dataDir: join(dir, 'data'),
    args: ['--production', '--campaign', join(dir, 'campaign.json')],
    env: { NODE_ENV: 'production', RECEIPT_PEPPER_FILE: join(dir, 'pepper') },
  })
  ;({ browser, page } = await launchPhone())
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|create)/i.test(m.text())) violations.push(m.text())
  })
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const w = window as unknown as { __csp?: string[] }
      ;(w.__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`)
    })
  })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const pageViolations = (p: Page) => p.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])

test('the app boots and walks under the production headers without a CSP violation', async () => {
  const home = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } })
  const csp = home.headers.get('content-security-policy') ?? ''
  expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/)
  expect(home.headers.get('strict-transport-security')).toMatch(/max-age=/)
  expect((await fetch(`${server.url}/docs`)).status).toBe(404)

  await walkToReview(page, server.url, makeEvidence('production-headers'))
  await page.locator('[data-testid="review-details"]').waitFor()
  // Thumbnails (blob: URLs) rendered on the evidence step and the review: no violations so far.
  expect(await pageViolations(page)).toEqual([])
  await tap(page, page.locator('[data-testid="submit"] >> visible=true'))
  // Encrypting and talking to the API (connect-src) happen now; give it a few seconds.
  await page.waitForTimeout(4000)
  expect(await pageViolations(page)).toEqual([])
  // The status page (another API call) after a reload under the same policy.
  await page.goto(`${server.url}/#/pages/case/index`)
  await page.waitForTimeout(1500)
  expect(await pageViolations(page)).toEqual([])
  expect(violations).toEqual([])
})
