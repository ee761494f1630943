/**
 * The H5 app in a real production configuration: a release build whose built-in trust anchor is
 * a freshly generated bureau signing key (e2e/release-build.ts), and a server in --production
 * mode with a key list signed by that key, a fresh encryption key and a receipt pepper from the
 * environment, serving the build with its CSP, HSTS and the rest. A resident walks the report
 * flow, submits, gets a receipt and checks it on the status page, with no Content-Security-Policy
 * violation reported by the browser (console or securitypolicyviolation events).
 *
 * The build bundles another key than the server's list names (the bureau rotated after the
 * release): the report reaches the server encrypted to the listed key only if the app verified
 * the served list against the anchor built into it.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { generateBureauKeyPair, type BureauKeyPair } from '../server/src/envelope'
import { formatKeyList, signKeyList } from '../server/src/keylist'
import { DESCRIPTION, makeEvidence, walkToReview } from './flows'
import { launchPhone, ROOT, startServer, type RunningServer } from './harness'
import { fillField, tap } from './phone'
import { releaseBuild } from './release-build'
import { openAllSubmissions } from './stored'

let server: RunningServer
let h5Dir: string
let browser: Browser
let page: Page
let dir: string
let key: BureauKeyPair
let bundledKid: string
let signerKid: string
const violations: string[] = []

beforeAll(async () => {
  const build = await releaseBuild()
  bundledKid = build.campaign.keys[0].kid
  signerKid = build.signing.kid
  h5Dir = build.h5Dir
  dir = mkdtempSync(join(tmpdir(), 'clue-prod-e2e-'))
  // The bureau's new encryption key, in its configuration and in a list it signed (as keygen and
  // sign-keys do on its offline computer).
  key = generateBureauKeyPair()
  const entry = { kid: key.kid, publicKey: key.publicKey.toString('base64'), current: true }
  const campaignFile = join(dir, 'campaign.json')
  const keysFile = join(dir, 'keys.signed.json')
  writeFileSync(campaignFile, JSON.stringify({ ...build.campaign, keys: [entry] }))
  writeFileSync(keysFile, formatKeyList(signKeyList({ sequence: 1, issuedAt: '2024-06-01T08:00:00Z', keys: [entry] }, build.signing)))
  server = await startServer({
    dataDir: join(dir, 'data'),
    args: ['--production', '--campaign', campaignFile, '--keys', keysFile, '--h5', build.h5Dir],
    // The pepper comes from the environment, not from the data directory.
    env: { NODE_ENV: 'production', RECEIPT_PEPPER: randomBytes(32).toString('hex') },
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
}, 600000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

test('the release build carries the test bureau\'s signing key and bundled key, and no development key', () => {
  const repo = JSON.parse(readFileSync(join(ROOT, 'campaign', 'campaign.json'), 'utf8'))
  const dir = join(h5Dir, 'js')
  const code = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n')
  for (const dev of [repo.signingKey.publicKey, ...repo.keys.map((k: { publicKey: string }) => k.publicKey)]) expect(code).not.toContain(dev)
  expect(code).toContain(signerKid)
  expect(code).toContain(bundledKid)
})

const pageViolations = (p: Page) => p.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])

test('the release build walks, submits and checks its receipt under the production server and headers without a CSP violation', async () => {
  expect(bundledKid).not.toBe(key.kid)
  const home = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } })
  const csp = home.headers.get('content-security-policy') ?? ''
  expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/)
  expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/)
  expect(home.headers.get('strict-transport-security')).toMatch(/max-age=/)
  expect((await fetch(`${server.url}/docs`)).status).toBe(404)

  const evidence = makeEvidence('production-headers')
  await walkToReview(page, server.url, evidence)
  await page.locator('[data-testid="review-details"]').waitFor()
  // Thumbnails (blob: URLs) rendered on the evidence step and the review: no violations so far.
  expect(await pageViolations(page)).toEqual([])
  // Encrypting in the worker (worker-src) and talking to the API (connect-src) happen now.
  await tap(page, page.locator('[data-testid="submit"] >> visible=true'))
  const code = page.locator('[data-testid="receipt-code"] >> visible=true').first()
  await code.waitFor({ timeout: 60000 })
  const receipt = (await code.innerText()).replace(/\s/g, '')
  expect(receipt).toMatch(/^\d{16}$/)
  expect(await pageViolations(page)).toEqual([])

  // The phone took the key from the list it verified under its built-in anchor, and refused nothing.
  const stored = await page.evaluate(() => ({ accepted: localStorage.getItem('keys/accepted') ?? '', log: localStorage.getItem('log/errors') ?? '' }))
  expect(JSON.parse(stored.accepted)).toMatchObject({ data: { list: { sequence: 1, signer: signerKid, keys: [{ kid: key.kid, current: true }] } } })
  expect(stored.log).not.toMatch(/key-list/)
  // What the server holds is encrypted to the bureau's listed key and opens with it, intact.
  const submissions = await openAllSubmissions(server.dataDir, key)
  expect(submissions.map((s) => [s.kid, s.state])).toEqual([[key.kid, 'accepted']])
  const [submission] = submissions
  expect(submission.report.description).toBe(DESCRIPTION)
  submission.attachments.forEach((bytes, n) => expect(bytes.equals(evidence[n].bytes)).toBe(true))

  // The case page after a reload under the same policy: keys derived from the receipt in the
  // worker, the authenticator checked against the verifier made with the pepper.
  await page.goto(`${server.url}/#/pages/case/index`)
  await fillField(page, 'case-input', receipt)
  await tap(page, page.locator('[data-testid="case-open"] >> visible=true'))
  const result = page.locator('[data-testid="case-status"] >> visible=true').first()
  await result.waitFor({ timeout: 60000 })
  await expect(result.getAttribute('data-status')).resolves.toBe('received')
  expect(await pageViolations(page)).toEqual([])
  expect(violations).toEqual([])
})
