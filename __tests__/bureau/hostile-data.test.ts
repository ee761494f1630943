/**
 * A tampered data directory (e.g. copied from a seized or compromised server) cannot make
 * `bureau export` write or delete anything outside --out: records with hostile ids, sizes or blob
 * files are refused and named, the others still export, and nothing else on the machine changes.
 */
import Database from 'better-sqlite3'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Fixture, PASSPHRASE, listFiles, runCli, type Sent } from './fixture'

const env = { BUREAU_KEY_PASSPHRASE: PASSPHRASE }

let fx: Fixture
let good: Sent
let later: Sent
let root: string
let out: string
let victim: string

/** Every file under `dir` with its SHA-256 and mode: what must not change. */
function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const rel of listFiles(dir)) {
    const file = path.join(dir, rel)
    const st = fs.lstatSync(file)
    result[rel] = st.isSymbolicLink() ? `link ${fs.readlinkSync(file)}` : `${createHash('sha256').update(fs.readFileSync(file)).digest('hex')} ${st.mode}`
  }
  return result
}

const HOSTILE_IDS = {
  dotdot: '..',
  slashDotdot: '/..',
  escape: '/../../victim',
  absolute: '', // set below: an absolute path to the victim folder
  nul: `${'a'.repeat(16)}\u0000${'b'.repeat(15)}`,
  long: 'f'.repeat(5000),
  upperCase: '', // the good id in upper case: differs only in case
  rtl: `${'c'.repeat(31)}\u202e`,
}

beforeAll(async () => {
  fx = await Fixture.start()
  root = fx.env.dir
  out = path.join(root, 'exports')
  victim = path.join(root, 'victim')
  fs.mkdirSync(victim)
  fs.writeFileSync(path.join(victim, 'precious.txt'), 'not to be deleted')
  HOSTILE_IDS.absolute = victim
  good = await fx.send({ category: 'loan', branch: 'yd', description: '正常的举报，应当照常导出。', files: [{ name: 'a.png', bytes: randomBytes(3000) }] })
  later = await fx.send({ category: 'other', branch: 'yd', description: '第二条正常举报，篡改之后才导出。', files: [{ name: 'b.png', bytes: randomBytes(2000) }] })
  HOSTILE_IDS.upperCase = good.id.toUpperCase()
  await fx.server.stop()

  // A first export of the good report, before the tampering: it must survive.
  const db0 = new Database(path.join(fx.dataDir, 'submissions.sqlite'))
  db0.prepare('UPDATE submissions SET state = ? WHERE id = ?').run('open', later.id)
  db0.close()
  const first = await runCli(['export', '--data', fx.dataDir, '--key', fx.newKeyFile, '--out', out], env)
  expect(first.code).toBe(0)

  // Tamper with the database: copies of the good row under hostile ids, sizes and blobs.
  const db = new Database(path.join(fx.dataDir, 'submissions.sqlite'))
  db.prepare('UPDATE submissions SET state = ? WHERE id = ?').run('accepted', later.id)
  const copy = (id: string, tag: string) => {
    db.prepare(
      `INSERT INTO submissions (id, idempotency_key, request_hash, envelope_version, suite, kid, epk, report, state, created_at,
        expires_at, accepted_at, receipt_hash, receipt_scheme, status, status_changed_at, public_note)
       SELECT ?, idempotency_key || ?, request_hash, envelope_version, suite, kid, epk, report, state, created_at, expires_at,
        accepted_at, NULL, NULL, status, status_changed_at, public_note FROM submissions WHERE id = ?`,
    ).run(id, tag, good.id)
    db.prepare('INSERT INTO attachments (submission_id, n, size, sha256) SELECT ?, n, size, sha256 FROM attachments WHERE submission_id = ?').run(id, good.id)
  }
  for (const [tag, id] of Object.entries(HOSTILE_IDS)) copy(id, tag)
  // Well-formed ids with hostile contents: an impossible size, and a blob that is a link out of the store.
  const hugeSize = randomBytes(16).toString('hex')
  copy(hugeSize, 'huge')
  db.prepare('UPDATE attachments SET size = ? WHERE submission_id = ?').run(2 ** 52, hugeSize)
  const linked = randomBytes(16).toString('hex')
  copy(linked, 'link')
  db.close()
  const linkDir = path.join(fx.dataDir, 'blobs', linked.slice(0, 2), linked)
  fs.mkdirSync(linkDir, { recursive: true })
  fs.symlinkSync(path.join(victim, 'precious.txt'), path.join(linkDir, '0.bin'))
  ;(HOSTILE_IDS as Record<string, string>).hugeSize = hugeSize
  ;(HOSTILE_IDS as Record<string, string>).linked = linked
}, 60000)

afterAll(async () => {
  await fx?.stop()
})

test('hostile ids, sizes and blobs are refused; nothing outside --out changes; the rest exports', async () => {
  const outside = () => {
    const all = snapshot(root)
    // The export folder itself, and SQLite's own WAL/SHM bookkeeping, may change.
    return Object.fromEntries(Object.entries(all).filter(([rel]) => !rel.startsWith('exports/') && !/\.sqlite-(wal|shm)$/.test(rel)))
  }
  const before = outside()
  const firstExport = snapshot(out)
  const goodFolder = Object.keys(firstExport).find((f) => f.endsWith(`${good.id}/report.md`))!
  expect(goodFolder).toBeDefined()

  const r = await runCli(['export', '--data', fx.dataDir, '--key', fx.newKeyFile, '--out', out], env)

  // The untouched record exports; the earlier export is still there, byte for byte.
  expect(r.stdout).toMatch(/Done: 1 exported, 1 skipped, 10 failed/)
  expect(r.code).toBe(1)
  expect(fs.readdirSync(out).filter((d) => d.endsWith(later.id))).toHaveLength(1)
  for (const [rel, digest] of Object.entries(firstExport)) expect(snapshot(out)[rel]).toBe(digest)
  // Nothing outside --out changed: not the victim folder, not the data directory, not the key files.
  expect(outside()).toEqual(before)
  expect(fs.readFileSync(path.join(victim, 'precious.txt'), 'utf8')).toBe('not to be deleted')
  expect(fs.existsSync(path.join(root, 'report.md'))).toBe(false)
  // Inside --out: only the two export folders and the lock-free top level.
  expect(fs.readdirSync(out).sort()).toEqual(fs.readdirSync(out).filter((d) => /^\d{4}-\d{2}-\d{2}-[0-9a-f]{32}$/.test(d)).sort())
  expect(fs.readdirSync(out)).toHaveLength(2)

  // Each refusal is named, printed safely (no raw control or direction characters on the terminal).
  expect(r.stderr.match(/REFUSED/g)).toHaveLength(9)
  expect(r.stderr).toContain('its id is not 32 lowercase hex digits')
  expect(r.stderr).toContain('attachment 0 has an impossible size')
  expect(r.stderr).toContain('not a regular file')
  expect(r.stderr).toContain('\\u{0}')
  expect(r.stderr).toContain('\\u{202e}')
  expect(r.output).not.toContain('\u0000')
  expect(r.output).not.toContain('\u202e')
  expect(r.output).not.toContain('f'.repeat(200))
})

test('list and purge refuse the same records and keep working', async () => {
  const list = await runCli(['list', '--data', fx.dataDir, '--json'])
  expect(list.code).toBe(0)
  const ids = JSON.parse(list.stdout).map((row: { id: string }) => row.id)
  expect(ids.sort()).toEqual([good.id, later.id, (HOSTILE_IDS as Record<string, string>).linked].sort())
  expect(list.stderr.match(/invalid record/g)).toHaveLength(9)
  const purge = await runCli(['purge', '--data', fx.dataDir, '--older-than', '0'])
  expect(purge.stderr.match(/invalid record/g)).toHaveLength(9)
  expect(fs.readFileSync(path.join(victim, 'precious.txt'), 'utf8')).toBe('not to be deleted')
})
