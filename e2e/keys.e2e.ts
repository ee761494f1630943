/**
 * Issue 10 in the browser: the real H5 build (its trust anchor is the campaign's signing key)
 * against the real server run by an attacker — its campaign demands the attacker's key and it
 * serves the attacker's key list. The phone never sends a report encrypted to that key: every
 * create the browser sends is checked. Then the bureau's signed rotation is served on the same
 * address, and the waiting report goes out encrypted to the new key and opens with it.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page, Request } from 'playwright-core'
import { makeEvidence, walkToReview } from './flows'
import { ROOT, launchPhone, screenshotter, startServer, type RunningServer } from './harness'
import { eventually, tap } from './phone'

let server: RunningServer | undefined
let browser: Browser
let page: Page
let dir: string

beforeEach(async () => {
  ;({ browser, page } = await launchPhone())
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-e2e-keys-'))
})

afterEach(async () => {
  await browser?.close()
  await server?.stop()
  server = undefined
  fs.rmSync(dir, { recursive: true, force: true })
})

async function setup() {
  const { generateBureauKeyPair } = await import('../server/src/envelope')
  const { formatKeyList, generateSigningKeyPair, readDevSigningKey, signKeyList } = await import('../server/src/keylist')
  const campaign = JSON.parse(fs.readFileSync(path.join(ROOT, 'campaign', 'campaign.json'), 'utf8'))
  const entry = (k: { kid: string; publicKey: Buffer }) => ({ kid: k.kid, publicKey: k.publicKey.toString('base64'), current: true })
  /** A server directory: the campaign demanding `key`, and `list` as its key list. */
  const serverFiles = (name: string, key: { kid: string; publicKey: Buffer }, list: string) => {
    const campaignFile = path.join(dir, `${name}-campaign.json`)
    const keysFile = path.join(dir, `${name}-keys.json`)
    fs.writeFileSync(campaignFile, JSON.stringify({ ...campaign, keys: [entry(key)] }))
    fs.writeFileSync(keysFile, list)
    return { CAMPAIGN_FILE: campaignFile, KEYS_FILE: keysFile, RATE_LIMIT: 'off' }
  }
  return { generateBureauKeyPair, formatKeyList, generateSigningKeyPair, readDevSigningKey, signKeyList, entry, serverFiles, campaign }
}

test('a hostile server cannot get a report encrypted to its key; the bureau\'s signed rotation is picked up', async () => {
  const s = await setup()
  const attackerKey = s.generateBureauKeyPair()
  const attackerList = s.formatKeyList(s.signKeyList({ sequence: 99, issuedAt: '2024-06-01T00:00:00Z', keys: [s.entry(attackerKey)] }, s.generateSigningKeyPair()))
  server = await startServer({ env: s.serverFiles('hostile', attackerKey, attackerList) })
  const { port, dataDir } = server
  expect(server.output()).toContain('phones will refuse this key list')
  const snap = screenshotter(page, 'keys-hostile-server')

  const createdKids: string[] = []
  let keyFetches = 0
  page.on('request', (request: Request) => {
    const url = new URL(request.url())
    if (request.method() === 'POST' && url.pathname === '/api/v1/submissions') createdKids.push(JSON.parse(request.postData() ?? '{}').header?.kid)
    if (request.method() === 'GET' && url.pathname === '/api/v1/keys') keyFetches += 1
  })

  const evidence = makeEvidence('keys-hostile')
  await walkToReview(page, server.url, evidence)
  await tap(page, page.locator('[data-testid="submit"] >> visible=true'))
  // Whatever happens next — the report waits, or (the defect this guards against) it is accepted —
  // nothing encrypted to the attacker's key may have been sent.
  const waiting = page.locator('[data-testid="submit-page"][data-status="waiting"] >> visible=true')
  const accepted = page.locator('[data-testid="receipt-code"] >> visible=true')
  await eventually(async () => expect((await waiting.count()) + (await accepted.count())).toBeGreaterThan(0), 60000)
  expect(createdKids).not.toContain(attackerKey.kid)
  expect(await accepted.count()).toBe(0)
  await page.getByText('正在等待公安机关发布经过核验的新加密公钥', { exact: false }).first().waitFor()
  await snap('waiting-for-verified-key')

  // Reloads and retries do not change it: still only the development key (the bundled one).
  await page.reload()
  await eventually(async () => expect(createdKids.length).toBeGreaterThanOrEqual(2), 30000)
  const bundledKid = s.campaign.keys[0].kid
  expect(new Set(createdKids)).toEqual(new Set([bundledKid]))
  expect(createdKids).not.toContain(attackerKey.kid)
  expect(keyFetches).toBeGreaterThanOrEqual(2)
  const log = await page.evaluate(() => localStorage.getItem('log/errors') ?? '')
  expect(log).toContain('WRONG_SIGNER')
  const { SqliteRepository } = await import('../server/src/repository')
  const repo = SqliteRepository.open(dataDir)
  expect(await repo.listSubmissions({ limit: 10 })).toEqual([])
  await repo.close()
  await server.stop()

  // The bureau takes its server back: a new key, signed with its signing key (the anchor built
  // into this H5 build: the development one), sequence 2; same address.
  const newKey = s.generateBureauKeyPair()
  const rotation = s.formatKeyList(s.signKeyList({ sequence: 2, issuedAt: '2024-06-02T00:00:00Z', keys: [s.entry(newKey)] }, await s.readDevSigningKey()))
  server = await startServer({ port, dataDir, env: s.serverFiles('rotated', newKey, rotation) })
  await page.goto(`${server.url}/`)
  const pending = page.locator('[data-testid="receipt-pending"] >> visible=true').first()
  await pending.waitFor({ timeout: 90000 }).catch(async (e) => {
    const state = await page.evaluate(() => Object.fromEntries(Object.keys(localStorage).filter((k) => /outbox|keys|log/.test(k)).map((k) => [k, localStorage.getItem(k)])))
    throw new Error(`${(e as Error).message}\nkids sent: ${createdKids.join(', ')}\nstate: ${JSON.stringify(state, null, 1)}\nserver: ${server?.output()}`)
  })
  expect(createdKids.at(-1)).toBe(newKey.kid)
  expect(createdKids).not.toContain(attackerKey.kid)
  await snap('home-after-rotation')

  // What the server holds opens with the new key, and only with it.
  const { FsBlobStore } = await import('../server/src/blobstore')
  const { openObject } = await import('../server/src/envelope')
  const repo2 = SqliteRepository.open(dataDir)
  try {
    const [submission] = await repo2.listSubmissions({ limit: 10 })
    expect((submission.header as { kid: string }).kid).toBe(newKey.kid)
    const report = JSON.parse(openObject({ header: submission.header as never, privateKey: newKey, label: 'report', object: (await repo2.getReport(submission.id))! }).toString('utf8'))
    // Envelope v2 (report@3): the sizes are listed; the chunk tags, not a listed hash, prove the files.
    expect(report.schema).toBe('clue-report/report@3')
    expect(report.attachments.map((a: { size: number }) => a.size)).toEqual(evidence.map((e) => e.bytes.length))
    const blobs = FsBlobStore.open(dataDir)
    const chunks: Buffer[] = []
    for await (const c of await blobs.openRead(submission.id, 0)) chunks.push(Buffer.from(c))
    expect(openObject({ header: submission.header as never, privateKey: newKey, label: 'attachment/0', object: Buffer.concat(chunks) }).equals(evidence[0].bytes)).toBe(true)
  } finally {
    await repo2.close()
  }

  // The privacy page shows the new key's fingerprint.
  await page.goto(`${server.url}/#/pages/privacy/index`)
  const fingerprint = page.locator('[data-testid="key-fingerprint"] >> visible=true').first()
  await fingerprint.waitFor()
  expect((await fingerprint.innerText()).trim()).toBe(newKey.kid.replace(/(.{4})(?=.)/g, '$1 '))
  await snap('privacy-fingerprint')
})
