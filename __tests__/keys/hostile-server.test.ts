/**
 * Issue 10's attacks, end to end: the phone's outbox (src/outbox, over Node's fetch) against the
 * REAL intake server run as a hostile operator would run it — its campaign demands the attacker's
 * key, so it answers UNKNOWN_KID to the bureau's key, and it serves the attacker's key list. In
 * every case the phone must never encrypt to the served key: the kid of every create that reaches
 * the server is checked, and what the server stored. Then the legitimate rotation: keygen,
 * sign-keys, server restart; reports queued before and made after arrive and open with the right key.
 */
import { sign } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { memoryFiles } from '../app/support/memory-files'
import { completeDraft } from '../app/support/drafts'
import { runInProcess } from '../bureau/fixture'
import { __reset } from '../mocks/taro'
import Taro from '../mocks/taro'
import { entryOf, makeTestEnv, openStored, startServer, writeSignedKeyList, type RunningServer, type TestEnv } from '../server/helpers'
import { installFetchRequest, network, networkDown, type SentRequest } from '../submission/support/fetch-request'
import { buildAppWithAnchor, restoreDevelopmentBuild } from './support'
import { FsBlobStore } from '../../server/src/blobstore'
import { DEV_KEY_KID, DEV_PUBLIC_KEY, generateBureauKeyPair, readPrivateKeyFile, type BureauKeyPair } from '../../server/src/envelope'
import { generateSigningKeyPair, keyListMessage, readSigningKeyFile, signKeyList, type KeyListEntry, type SigningKeyPair } from '../../server/src/keylist'
import { SqliteRepository } from '../../server/src/repository'
import type { DraftAttachment } from '@/domain/types'
import { saveDraft } from '@/drafts/store'
import { jobView, loadJob, retryNow, startSubmission } from '@/outbox'
import { configureOutbox, idle, KEYS_NOT_VERIFIED, resetOutboxForTests, WAITING_FOR_KEYS } from '@/outbox/runner'
import { currentEncryptionKey, offerKeyList } from '@/keys/store'
import { errorLog } from '@/services/error-log'
import { refreshKeyList } from '@/services/key-list'

jest.mock('@/platform/files', () => require('../app/support/memory-files'))

// Each case starts a server and runs the real outbox (scrypt, sealing) to its end: on a loaded
// 2-core machine that went past Jest's 30 s. A bound for a hang, not a speed test.
jest.setTimeout(120_000)

let env: TestEnv
let server: RunningServer | undefined

beforeAll(() => {
  env = makeTestEnv()
})

afterAll(async () => {
  resetOutboxForTests()
  restoreDevelopmentBuild()
  await server?.stop()
  env?.cleanup()
  delete process.env.TARO_APP_API_BASE
})

afterEach(async () => {
  await idle()
  await server?.stop()
  server = undefined
})

const isCreate = (r: SentRequest) => r.method === 'POST' && r.path === '/api/v1/submissions'
const createdKids = () => network.sent.filter(isCreate).map((r) => r.json.header.kid as string)
const keysFetches = () => network.sent.filter((r) => r.method === 'GET' && r.path === '/api/v1/keys').length

let dirs = 0
function freshDir(): string {
  const dir = path.join(env.dir, `run-${++dirs}`)
  fs.mkdirSync(dir)
  return dir
}

/** A phone of the given build with empty storage; the outbox as after a fresh start. */
function freshPhone(anchor: SigningKeyPair, release = false): void {
  __reset()
  memoryFiles.clear()
  network.reset()
  installFetchRequest()
  resetOutboxForTests()
  configureOutbox({ random01: async () => 0 })
  buildAppWithAnchor(anchor, { release })
}

async function queueReport(id: string, sizes: number[] = [20_000]): Promise<Uint8Array[]> {
  const plain = sizes.map((n, i) => new Uint8Array(Buffer.alloc(n, i + 1)))
  const attachments: DraftAttachment[] = []
  for (const [i, bytes] of plain.entries()) {
    const ref = `att/${id}/f${i}`
    await memoryFiles.appendFile(ref, bytes)
    attachments.push({ id: `f${i}`, label: '截图', name: `证据${i}.png`, mime: 'image/png', size: bytes.length, ref })
  }
  saveDraft(completeDraft(id, { attachments, description: `举报 ${id}：对方冒充客服诱导转账。` }))
  await startSubmission(id)
  await idle()
  return plain
}

async function storedSubmissions(dataDir: string) {
  const repo = SqliteRepository.open(dataDir)
  try {
    return await repo.listSubmissions({ limit: 1000 })
  } finally {
    await repo.close()
  }
}

/** Opens submission `id` from the data directory with `key`, as the bureau would. */
async function openWith(dataDir: string, id: string, key: BureauKeyPair) {
  const repo = SqliteRepository.open(dataDir)
  const blobs = FsBlobStore.open(dataDir)
  try {
    const sub = (await repo.getSubmission(id))!
    const report = (await repo.getReport(id))!
    const attachments: Buffer[] = []
    for (const a of sub.attachments) {
      const chunks: Buffer[] = []
      for await (const c of await blobs.openRead(id, a.n)) chunks.push(c as Buffer)
      attachments.push(Buffer.concat(chunks))
    }
    const opened = openStored(key, sub.header, report, attachments)
    return { header: sub.header as { kid: string }, state: sub.state, report: JSON.parse(opened.report.toString('utf8')), attachments: opened.attachments }
  } finally {
    await repo.close()
  }
}

// -------------------------------------------------------------------------------------------------

describe('a hostile server cannot get a report encrypted to its key', () => {
  const bureau = () => env.signing
  const k1 = () => env.key
  const attackerKey = generateBureauKeyPair()
  const attackerSigning = generateSigningKeyPair()
  const oldKey = generateBureauKeyPair()
  const entry = (k: BureauKeyPair, current = true): KeyListEntry => entryOf(k, current)

  /** The list the phone accepted from the real bureau before the server was taken over. */
  function phoneHasBureauList(): void {
    const accepted = signKeyList({ sequence: 5, issuedAt: '2024-06-01T00:00:00Z', keys: [entry(k1())] }, bureau())
    if (!offerKeyList(JSON.parse(JSON.stringify(accepted))).accepted) throw new Error('setup: the phone refused the bureau list')
  }

  /** Starts the real server demanding `demanded` and serving `served` as its key list. */
  async function hostileServer(demanded: { kid: string; publicKey: string }, served: unknown): Promise<string> {
    const dir = freshDir()
    const campaign = JSON.parse(fs.readFileSync(env.campaignFile, 'utf8'))
    campaign.keys = [{ ...demanded, current: true }]
    fs.writeFileSync(path.join(dir, 'campaign.json'), JSON.stringify(campaign))
    fs.writeFileSync(path.join(dir, 'keys.signed.json'), JSON.stringify(served, null, 2))
    const dataDir = path.join(dir, 'data')
    server = await startServer(env, { args: ['--campaign', path.join(dir, 'campaign.json'), '--data', dataDir], env: { RATE_LIMIT: 'off' } })
    process.env.TARO_APP_API_BASE = server.url
    return dataDir
  }

  const pub = (k: BureauKeyPair) => ({ kid: k.kid, publicKey: k.publicKey.toString('base64') })
  const bureauSigned = (sequence: number, keys: KeyListEntry[]) => JSON.parse(JSON.stringify(signKeyList({ sequence, issuedAt: '2024-06-02T00:00:00Z', keys }, bureau())))
  /** Signs without sign-keys' checks: what a careless signer could produce. */
  const signedRaw = (sequence: number, keys: KeyListEntry[], by: SigningKeyPair) => {
    const unsigned = { format: 'clue-report/key-list@1' as const, sequence, issuedAt: '2024-06-02T00:00:00Z', signer: by.kid, keys }
    return { ...unsigned, signature: sign(null, keyListMessage(unsigned), by.privateKey).toString('base64') }
  }

  const ATTACKS: [name: string, code: string, make: () => { demanded: { kid: string; publicKey: string }; served: unknown }, release: boolean][] = [
    ['an unsigned list with the attacker key', 'MALFORMED', () => {
      const { signature: _s, ...unsigned } = bureauSigned(9, [entry(attackerKey)])
      return { demanded: pub(attackerKey), served: { ...unsigned, signer: bureau().kid } }
    }, false],
    ['a list signed by another key', 'WRONG_SIGNER', () => ({ demanded: pub(attackerKey), served: signKeyList({ sequence: 9, issuedAt: '2024-06-02T00:00:00Z', keys: [entry(attackerKey)] }, attackerSigning) }), false],
    ['a list signed by another key that names the bureau as signer', 'BAD_SIGNATURE', () => ({
      demanded: pub(attackerKey),
      served: { ...signedRaw(9, [entry(attackerKey)], attackerSigning), signer: bureau().kid },
    }), false],
    ['a list with a valid signature but a lower sequence', 'ROLLBACK', () => ({ demanded: pub(oldKey), served: bureauSigned(2, [entry(oldKey)]) }), false],
    ['a list whose bytes were changed after signing', 'BAD_SIGNATURE', () => {
      const genuine = bureauSigned(6, [entry(k1()), entry(oldKey, false)])
      return { demanded: pub(attackerKey), served: { ...genuine, keys: [entry(attackerKey), entry(oldKey, false)] } }
    }, false],
    ['a development key in a release build', 'DEVELOPMENT_KEY', () => ({
      demanded: { kid: DEV_KEY_KID, publicKey: DEV_PUBLIC_KEY },
      served: signedRaw(6, [{ kid: DEV_KEY_KID, publicKey: DEV_PUBLIC_KEY, current: true, development: true }], bureau()),
    }), true],
    ['the development key without its flag in a release build', 'DEVELOPMENT_KEY', () => ({
      demanded: { kid: DEV_KEY_KID, publicKey: DEV_PUBLIC_KEY },
      served: signedRaw(6, [{ kid: DEV_KEY_KID, publicKey: DEV_PUBLIC_KEY, current: true }], bureau()),
    }), true],
  ]

  test.each(ATTACKS)('%s: refused (%s); the report waits, encrypted only to the bureau key', async (_name, code, make, release) => {
    const { demanded, served } = make()
    const dataDir = await hostileServer(demanded, served)
    freshPhone(bureau(), release)
    phoneHasBureauList()

    await queueReport('victim')
    // Twice more: the resident taps "retry", and the app comes back to the front.
    await retryNow('victim')
    await retryNow('victim')

    // The security property first: nothing encrypted to the served key reached the server.
    const kids = createdKids()
    expect(kids).not.toContain(demanded.kid)
    expect(await storedSubmissions(dataDir)).toEqual([])
    expect(new Set(kids)).toEqual(new Set([k1().kid]))
    expect(kids.length).toBeGreaterThanOrEqual(3)
    expect(keysFetches()).toBe(kids.length)
    expect(currentEncryptionKey()?.kid).toBe(k1().kid)

    const job = loadJob('victim')!
    expect(job.header?.kid).toBe(k1().kid)
    expect(job.blocked).toBeUndefined()
    expect(job.lastError).toMatchObject({ code: KEYS_NOT_VERIFIED })
    const view = jobView('victim')!
    expect(view.status).toBe('waiting')
    expect(view.text).toBe(WAITING_FOR_KEYS)
    expect(errorLog().filter((e) => e.event === 'key-list-rejected').map((e) => e.detail.split(':')[0])).toEqual([code, code, code])
    expect(Taro.showModal).not.toHaveBeenCalled()
  })

  test('once the real bureau list is served, the waiting report goes to the bureau key', async () => {
    const k2 = generateBureauKeyPair()
    await hostileServer(pub(attackerKey), signKeyList({ sequence: 9, issuedAt: '2024-06-02T00:00:00Z', keys: [entry(attackerKey)] }, attackerSigning))
    freshPhone(bureau())
    phoneHasBureauList()
    await queueReport('later')
    expect(createdKids()).toEqual([k1().kid])
    await server!.stop()

    // The bureau takes the server back: its own list, signed, sequence 6, new key k2.
    const dir = freshDir()
    const campaign = JSON.parse(fs.readFileSync(env.campaignFile, 'utf8'))
    campaign.keys = [entry(k2)]
    fs.writeFileSync(path.join(dir, 'campaign.json'), JSON.stringify(campaign))
    writeSignedKeyList(path.join(dir, 'keys.signed.json'), bureau(), 6, campaign.keys)
    const dataDir = path.join(dir, 'data')
    server = await startServer(env, { args: ['--campaign', path.join(dir, 'campaign.json'), '--data', dataDir], env: { RATE_LIMIT: 'off' } })
    process.env.TARO_APP_API_BASE = server.url
    await retryNow('later')
    expect(createdKids()).toEqual([k1().kid, k1().kid, k2.kid])
    const job = loadJob('later')!
    expect(job.phase).toBe('done')
    const opened = await openWith(dataDir, job.submissionId!, k2)
    expect(opened.header.kid).toBe(k2.kid)
    expect(opened.report.description).toBe('举报 later：对方冒充客服诱导转账。')
  })
})

// -------------------------------------------------------------------------------------------------

describe('legitimate rotation: keygen, sign-keys, server restart', () => {
  const PASS = { BUREAU_KEY_PASSPHRASE: 'rotation test passphrase' }
  let bureauDir: string
  let serverDir: string
  let campaignFile: string

  const kidIn = (out: string) => /kid:\s+([0-9a-f]{16})/.exec(out)![1]
  const snippetIn = (out: string, name: string) => JSON.parse(new RegExp(`"${name}": (\\[[\\s\\S]*?\\n\\s*\\]|\\{[\\s\\S]*?\\n\\s*\\})`).exec(out)![1])

  async function bureauCli(args: string[]) {
    const r = await runInProcess(args, PASS)
    if (r.code !== 0) throw new Error(`bureau ${args[0]} failed:\n${r.output}`)
    return r.stdout
  }

  /** The offline computer: edit the campaign as keygen printed, then sign-keys into keys.signed.json. */
  async function rotate(options: { withSigningKey?: boolean; dropOld?: boolean } = {}): Promise<{ kid: string; sequence: number }> {
    const out = await bureauCli(['keygen', '--out', bureauDir, '--campaign', campaignFile, ...(options.withSigningKey ? ['--with-signing-key'] : [])])
    const campaign = JSON.parse(fs.readFileSync(campaignFile, 'utf8'))
    const keys = snippetIn(out, 'keys')
    campaign.keys = options.dropOld ? [keys[0]] : keys
    if (options.withSigningKey) campaign.signingKey = snippetIn(out, 'signingKey')
    fs.writeFileSync(campaignFile, JSON.stringify(campaign, null, 2))
    const signingFile = fs.readdirSync(bureauDir).find((f) => f.startsWith('bureau-signing-'))!
    const signed = await bureauCli(['sign-keys', '--signing-key', path.join(bureauDir, signingFile), '--campaign', campaignFile])
    const sequence = Number(/Sequence:\s+(\d+)/.exec(signed)![1])
    // "Copy keys.signed.json to the server": the server's campaign and list are these files.
    fs.copyFileSync(campaignFile, path.join(serverDir, 'campaign.json'))
    fs.copyFileSync(path.join(path.dirname(campaignFile), 'keys.signed.json'), path.join(serverDir, 'keys.signed.json'))
    return { kid: kidIn(out), sequence }
  }

  async function restartServer(): Promise<void> {
    await server?.stop()
    server = await startServer(env, { args: ['--campaign', path.join(serverDir, 'campaign.json'), '--data', path.join(serverDir, 'data')], env: { RATE_LIMIT: 'off' } })
    process.env.TARO_APP_API_BASE = server.url
  }

  const keyFile = (kid: string) => path.join(bureauDir, `bureau-${kid}.key.json`)

  test('a report queued before the rotation and one made after both arrive and open with the right key; a dropped key makes the queued report re-encrypt', async () => {
    bureauDir = freshDir()
    serverDir = freshDir()
    const offline = freshDir()
    campaignFile = path.join(offline, 'campaign.json')
    fs.copyFileSync(env.campaignFile, campaignFile)

    // First deployment: encryption key A and the signing key; the app is built with that anchor.
    const a = await rotate({ withSigningKey: true })
    expect(a.sequence).toBe(1)
    const signingFile = path.join(bureauDir, fs.readdirSync(bureauDir).find((f) => f.startsWith('bureau-signing-'))!)
    const anchor = await readSigningKeyFile(signingFile, PASS.BUREAU_KEY_PASSPHRASE)
    await restartServer()
    freshPhone(anchor, true)
    await expect(refreshKeyList()).resolves.toMatchObject({ accepted: true, sequence: 1, currentKid: a.kid })

    // Report 1 is queued while the phone is offline: encrypted to A, not yet sent.
    network.before = networkDown
    await queueReport('before', [30_000])
    expect(loadJob('before')!.header!.kid).toBe(a.kid)
    expect(createdKids()).toEqual([])

    // Rotation: key B (A stays listed), signed as sequence 2, server restarted.
    const b = await rotate()
    expect(b.sequence).toBe(2)
    await restartServer()
    network.before = undefined

    // The app opens again: it fetches the new list at launch, then the outbox sends.
    resetOutboxForTests()
    configureOutbox({ random01: async () => 0 })
    await expect(refreshKeyList()).resolves.toMatchObject({ accepted: true, sequence: 2, currentKid: b.kid })
    await retryNow('before')
    await queueReport('after', [10_000])
    const before = loadJob('before')!
    const after = loadJob('after')!
    expect([before.phase, after.phase]).toEqual(['done', 'done'])
    const dataDir = path.join(serverDir, 'data')
    const keyA = await readPrivateKeyFile(keyFile(a.kid), PASS.BUREAU_KEY_PASSPHRASE)
    const keyB = await readPrivateKeyFile(keyFile(b.kid), PASS.BUREAU_KEY_PASSPHRASE)
    const openedBefore = await openWith(dataDir, before.submissionId!, keyA)
    const openedAfter = await openWith(dataDir, after.submissionId!, keyB)
    expect(openedBefore.header.kid).toBe(a.kid)
    expect(openedAfter.header.kid).toBe(b.kid)
    expect(openedBefore.report.description).toBe('举报 before：对方冒充客服诱导转账。')
    expect(openedAfter.report.description).toBe('举报 after：对方冒充客服诱导转账。')
    expect(Buffer.from(openedBefore.attachments[0]).equals(Buffer.alloc(30_000, 1))).toBe(true)

    // Key B is retired at once (say it was exposed): C alone, sequence 3. A report encrypted to B
    // and waiting gets UNKNOWN_KID, fetches the signed list, and is encrypted again to C.
    network.before = networkDown
    await queueReport('dropped', [5_000])
    expect(loadJob('dropped')!.header!.kid).toBe(b.kid)
    const c = await rotate({ dropOld: true })
    expect(c.sequence).toBe(3)
    await restartServer()
    network.before = undefined
    network.sent = []
    await retryNow('dropped')
    expect(createdKids()).toEqual([b.kid, c.kid])
    const dropped = loadJob('dropped')!
    expect(dropped.phase).toBe('done')
    const keyC = await readPrivateKeyFile(keyFile(c.kid), PASS.BUREAU_KEY_PASSPHRASE)
    expect((await openWith(dataDir, dropped.submissionId!, keyC)).report.description).toBe('举报 dropped：对方冒充客服诱导转账。')
    expect(errorLog().filter((e) => e.event === 'key-list-rejected')).toEqual([])
  }, 120000)
})
