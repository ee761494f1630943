/**
 * `bureau keygen`, `status`, `qrcode`, `purge` and the data-directory checks, run as child
 * processes against a data directory made by the real server; help text in-process.
 */
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import QRCode from 'qrcode'
import zlib from 'node:zlib'
import { PNG_WIDTH, QR_OPTIONS } from '../../bureau/commands/qrcode'
import { loadCampaign } from '../../server/src/config'
import { readPrivateKeyFile } from '../../server/src/envelope'
import { Fixture, PASSPHRASE, request, runCli, runInProcess, type CliResult, type Sent } from './fixture'

/** A minimal PNG decoder (8-bit greyscale, RGB or RGBA, no interlace): an independent check of the file. */
function decodePng(png: Buffer): { width: number; height: number; channels: number; rgba: Buffer } {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true)
  let pos = 8
  let width = 0
  let height = 0
  let channels = 0
  const idat: Buffer[] = []
  while (pos < png.length) {
    const length = png.readUInt32BE(pos)
    const type = png.toString('latin1', pos + 4, pos + 8)
    const data = png.subarray(pos + 8, pos + 8 + length)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      expect(data[8]).toBe(8)
      expect(data[12]).toBe(0)
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[data[9]]
    } else if (type === 'IDAT') idat.push(data)
    else if (type === 'IEND') break
    pos += 12 + length
  }
  const raw = zlib.inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const out = Buffer.alloc(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]
      const a = x >= channels ? out[y * stride + x - channels] : 0
      const b = y > 0 ? out[(y - 1) * stride + x] : 0
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0
      const p = a + b - c
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]
      out[y * stride + x] = (v + predictor) & 0xff
    }
  }
  return { width, height, channels, rgba: out }
}

let fx: Fixture
let tmp: string
const env = { BUREAU_KEY_PASSPHRASE: PASSPHRASE }

beforeAll(async () => {
  fx = await Fixture.start()
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bureau-cmd-'))
}, 30000)

afterAll(async () => {
  await fx?.stop()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('help', () => {
  const capture = async (argv: string[]) => {
    const r = await runInProcess(argv)
    return { code: r.code, out: r.stdout, err: r.stderr }
  }

  test('the command list is in Chinese and English', async () => {
    const r = await capture(['--help'])
    expect(r.code).toBe(0)
    for (const name of ['keygen', 'sign-keys', 'list', 'export', 'status', 'qrcode', 'purge']) expect(r.out).toContain(`  ${name}`)
    expect(r.out).toContain('扫黑办')
    expect(r.out).toContain('Bureau tools')
  })

  test.each(['keygen', 'sign-keys', 'list', 'export', 'status', 'qrcode', 'purge'])('%s --help is in Chinese and English', async (name) => {
    const r = await capture([name, '--help'])
    expect(r.code).toBe(0)
    expect(r.out).toContain(`npm run bureau -- ${name}`)
    expect(r.out).toMatch(/[\u4e00-\u9fff]{4}/)
    expect(r.out).toMatch(/\b(the|a|an)\b/)
  })

  test('an unknown command or option is refused with exit status 2', async () => {
    const unknown = await capture(['decrypt'])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('Unknown command "decrypt"')
    const badOption = await capture(['list', '--colour'])
    expect(badOption.code).toBe(2)
    expect(badOption.err).toContain("Unknown option '--colour'")
    expect(badOption.err).toContain('npm run bureau -- list --help')
  })
})

describe('keygen', () => {
  let made: CliResult
  const keyDir = () => path.join(tmp, 'keys')

  beforeAll(async () => {
    fs.mkdirSync(keyDir())
    made = await runCli(['keygen', '--out', keyDir(), '--campaign', fx.env.campaignFile, '--data', fx.dataDir], env)
  })

  test('writes a passphrase-protected key file that server/src/envelope reads back', async () => {
    expect(made.code).toBe(0)
    const kid = /kid:\s+([0-9a-f]{16})/.exec(made.stdout)?.[1]
    const publicKey = /Public key \(base64\):\s+(\S+)/.exec(made.stdout)?.[1]
    expect(kid).toBeDefined()
    const file = path.join(keyDir(), `bureau-${kid}.key.json`)
    expect(made.stdout).toContain(file)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const pair = await readPrivateKeyFile(file, PASSPHRASE)
    expect(pair.kid).toBe(kid)
    expect(pair.publicKey.toString('base64')).toBe(publicKey)
    await expect(readPrivateKeyFile(file, 'a wrong passphrase')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' })
    expect(fs.readFileSync(file, 'utf8')).not.toContain(PASSPHRASE)
  })

  test('prints the exact "keys" change: the new key current, the old ones kept, and the server accepts it', () => {
    const snippet = /"keys": (\[[\s\S]*?\n\s*\])/.exec(made.stdout)?.[1]
    expect(snippet).toBeDefined()
    const keys = JSON.parse(snippet!)
    const kid = /kid:\s+([0-9a-f]{16})/.exec(made.stdout)![1]
    expect(keys[0]).toEqual({ kid, publicKey: expect.any(String), current: true })
    expect(keys.slice(1).map((k: any) => [k.kid, k.current])).toEqual([
      [fx.newKey.kid, false],
      [fx.oldKey.kid, false],
    ])
    const campaign = JSON.parse(fs.readFileSync(fx.env.campaignFile, 'utf8'))
    campaign.keys = keys
    const edited = path.join(tmp, 'campaign-edited.json')
    fs.writeFileSync(edited, JSON.stringify(campaign))
    expect(loadCampaign(edited, true).keys).toHaveLength(3)
    expect(made.stdout).toContain('kill -HUP')
  })

  test('refuses to overwrite, to write into the data directory, or to run without a passphrase', async () => {
    const existing = path.join(tmp, 'existing.key.json')
    fs.writeFileSync(existing, 'keep me')
    const [overwrite, intoData, noPass, short] = await Promise.all([
      runInProcess(['keygen', '--out', existing, '--campaign', fx.env.campaignFile], env),
      runInProcess(['keygen', '--out', path.join(fx.dataDir, 'k.json'), '--campaign', fx.env.campaignFile, '--data', fx.dataDir], env),
      runCli(['keygen', '--out', path.join(tmp, 'new.key.json'), '--campaign', fx.env.campaignFile]),
      runInProcess(['keygen', '--out', path.join(tmp, 'short.key.json'), '--campaign', fx.env.campaignFile], { BUREAU_KEY_PASSPHRASE: 'short' }),
    ])
    expect(overwrite.code).toBe(2)
    expect(overwrite.stderr).toContain('already exists')
    expect(fs.readFileSync(existing, 'utf8')).toBe('keep me')
    expect(intoData.code).toBe(2)
    expect(intoData.stderr).toContain("must not be written into the server's data directory")
    expect(noPass.code).toBe(2)
    expect(noPass.stderr).toContain('BUREAU_KEY_PASSPHRASE')
    expect(fs.existsSync(path.join(tmp, 'new.key.json'))).toBe(false)
    expect(short.code).toBe(2)
    expect(short.stderr).toContain('at least 8 characters')
    expect(fs.existsSync(path.join(tmp, 'short.key.json'))).toBe(false)
  })
})

describe('status', () => {
  let sent: Sent
  let open: Sent

  beforeAll(async () => {
    ;[sent, open] = await Promise.all([
      fx.send({ category: 'collect', branch: 'yd', description: '催收骚扰', extra: { phones: '13800000001' } }),
      fx.send({ category: 'collect', branch: 'yd', description: '未完成', files: [{ name: 'a.png', bytes: randomBytes(300) }] }, { finalize: false }),
    ])
  })

  const lookup = (receipt: string) => request(fx.server.url, '/api/v1/status', { method: 'POST', body: { receipt } })

  test('a new submission shows "received" to the reporter', async () => {
    const res = await lookup(sent.receipt)
    expect(res.status).toBe(200)
    expect(res.json.status).toBe('received')
  })

  test('reviewing with a note, then closed keeping the note, then the note cleared: the reporter sees each', async () => {
    const a = await runCli(['status', sent.id, 'reviewing', '--note', '线索已转交属地核查', '--data', fx.dataDir])
    expect(a.code).toBe(0)
    expect(a.stdout).toContain('核查中')
    expect(a.stdout).toContain('The reporter now sees')
    let res = await lookup(sent.receipt)
    expect(res.json).toMatchObject({ status: 'reviewing', note: '线索已转交属地核查' })

    // An export folder name works as the id.
    const b = await runInProcess(['status', `2024-05-02-${sent.id}`, 'closed', '--data', fx.dataDir])
    expect(b.code).toBe(0)
    res = await lookup(sent.receipt)
    expect(res.json).toMatchObject({ status: 'closed', note: '线索已转交属地核查' })

    const c = await runInProcess(['status', sent.id, 'closed', '--clear-note', '--data', fx.dataDir])
    expect(c.code).toBe(0)
    res = await lookup(sent.receipt)
    expect(res.json.status).toBe('closed')
    expect(res.json.note).toBeUndefined()
  })

  test('unknown ids, unfinished submissions, bad statuses and long notes are refused clearly', async () => {
    const [unknown, unfinished, badStatus, longNote, badId] = await Promise.all([
      runCli(['status', 'f'.repeat(32), 'closed', '--data', fx.dataDir]),
      runInProcess(['status', open.id, 'reviewing', '--data', fx.dataDir]),
      runInProcess(['status', sent.id, 'done', '--data', fx.dataDir]),
      runInProcess(['status', sent.id, 'closed', '--note', '长'.repeat(501), '--data', fx.dataDir]),
      runInProcess(['status', '../etc', 'closed', '--data', fx.dataDir]),
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain(`No submission ${'f'.repeat(32)}`)
    expect(unfinished.code).toBe(2)
    expect(unfinished.stderr).toContain('is unfinished')
    expect(badStatus.code).toBe(2)
    expect(badStatus.stderr).toContain('use received, reviewing or closed')
    expect(longNote.code).toBe(2)
    expect(longNote.stderr).toContain('at most 500 characters')
    expect(badId.code).toBe(2)
    expect(badId.stderr).toContain('is not a submission id')
  })
})

describe('qrcode', () => {
  const url = 'https://jubao.example.gov.cn/r?b=yd&c=loan'

  test('SVG: exactly what the qrcode library gives for BASE/r?b=…&c=…', async () => {
    const file = path.join(tmp, 'yd-loan.svg')
    const r = await runCli(['qrcode', '--base', 'https://jubao.example.gov.cn/', '--branch', 'yd', '--category', 'loan', '--out', file, '--campaign', fx.env.campaignFile])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(url)
    expect(r.stdout).toContain('大同市公安局御东分局扫黑办')
    const svg = fs.readFileSync(file, 'utf8')
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
    expect(svg).toBe(await QRCode.toString(url, { ...QR_OPTIONS, type: 'svg' }))
    // And the symbol encodes that URL as one byte segment.
    const symbol = QRCode.create(url, QR_OPTIONS)
    expect(symbol.segments.map((s: any) => Buffer.from(s.data).toString())).toEqual([url])
  })

  test('PNG: decodes to the very modules of the QR symbol for the URL', async () => {
    const file = path.join(tmp, 'all.png')
    const r = await runCli(['qrcode', '--base', 'https://jubao.example.gov.cn/clue', '--out', file, '--size', '333', '--campaign', fx.env.campaignFile])
    expect(r.code).toBe(0)
    const link = 'https://jubao.example.gov.cn/clue/r'
    expect(r.stdout).toContain(`${link}\n`)
    const png = decodePng(fs.readFileSync(file))
    expect(png.width).toBe(333)
    expect(png.height).toBe(333)
    const symbol = QRCode.create(link, QR_OPTIONS)
    const size = symbol.modules.size
    const scale = png.width / (size + 2 * QR_OPTIONS.margin)
    const dark = (x: number, y: number) => png.rgba[(y * png.width + x) * png.channels] < 128
    const decoded: string[] = []
    const expected: string[] = []
    for (let row = 0; row < size; row++) {
      let d = ''
      let e = ''
      for (let col = 0; col < size; col++) {
        d += dark(Math.floor((QR_OPTIONS.margin + col + 0.5) * scale), Math.floor((QR_OPTIONS.margin + row + 0.5) * scale)) ? '#' : '.'
        e += symbol.modules.get(row, col) ? '#' : '.'
      }
      decoded.push(d)
      expected.push(e)
    }
    expect(decoded).toEqual(expected)
    // The quiet zone is white.
    expect(dark(1, 1)).toBe(false)
    expect(PNG_WIDTH).toBe(1000)
  })

  test('unknown codes, other formats and bad addresses are refused', async () => {
    const base = ['--base', 'https://jubao.example.gov.cn', '--campaign', fx.env.campaignFile]
    const [branch, category, format, badBase, query] = await Promise.all([
      runCli(['qrcode', ...base, '--branch', 'xx', '--out', path.join(tmp, 'x.png')]),
      runInProcess(['qrcode', ...base, '--category', 'drugs', '--out', path.join(tmp, 'y.png')]),
      runInProcess(['qrcode', ...base, '--out', path.join(tmp, 'z.jpg')]),
      runInProcess(['qrcode', '--base', 'jubao.example', '--out', path.join(tmp, 'w.png'), '--campaign', fx.env.campaignFile]),
      runInProcess(['qrcode', '--base', 'https://a.example/?x=1', '--out', path.join(tmp, 'v.png'), '--campaign', fx.env.campaignFile]),
    ])
    expect(branch.code).toBe(2)
    expect(branch.stderr).toContain('Unknown branch code "xx"')
    expect(branch.stderr).toContain('yd')
    expect(category.code).toBe(2)
    expect(category.stderr).toContain('Unknown category code "drugs"')
    expect(format.code).toBe(2)
    expect(format.stderr).toContain('.png or .svg')
    expect(badBase.code).toBe(2)
    expect(badBase.stderr).toContain('not a valid URL')
    expect(query.code).toBe(2)
    expect(fs.readdirSync(tmp).filter((f) => /^[xyzwv]\./.test(f))).toEqual([])
  })
})

describe('purge', () => {
  let oldClosed: Sent
  let newClosed: Sent
  let oldReviewing: Sent
  const DAY = 24 * 3600 * 1000

  beforeAll(async () => {
    ;[oldClosed, newClosed, oldReviewing] = await Promise.all([
      fx.send({ category: 'troll', branch: 'yd', description: '旧的已办结', extra: { siteLinks: 'https://x.invalid' }, files: [{ name: 'p.png', bytes: randomBytes(1000) }] }),
      fx.send({ category: 'troll', branch: 'yd', description: '新的已办结', extra: { siteLinks: 'https://y.invalid' } }),
      fx.send({ category: 'troll', branch: 'yd', description: '旧的核查中', extra: { siteLinks: 'https://z.invalid' } }),
    ])
    for (const [s, status] of [
      [oldClosed, 'closed'],
      [newClosed, 'closed'],
      [oldReviewing, 'reviewing'],
    ] as const) {
      const r = await runInProcess(['status', s.id, status, '--data', fx.dataDir])
      expect(r.code).toBe(0)
    }
    // Age two of them: closed / set 40 days ago (the server is running; WAL allows this).
    const db = new Database(path.join(fx.dataDir, 'submissions.sqlite'))
    const old = Date.now() - 40 * DAY
    db.prepare('UPDATE submissions SET status_changed_at = ? WHERE id IN (?, ?)').run(old, oldClosed.id, oldReviewing.id)
    db.close()
  })

  test('the dry run lists only closed submissions older than DAYS and deletes nothing', async () => {
    const r = await runCli(['purge', '--older-than', '30', '--data', fx.dataDir])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('DRY RUN')
    expect(r.stdout).toContain(oldClosed.id)
    expect(r.stdout).not.toContain(newClosed.id)
    expect(r.stdout).not.toContain(oldReviewing.id)
    expect(r.stdout).toContain('nothing was deleted')
    expect(fs.existsSync(fx.blobFile(oldClosed.id, 0))).toBe(true)
    expect((await request(fx.server.url, '/api/v1/status', { method: 'POST', body: { receipt: oldClosed.receipt } })).status).toBe(200)
  })

  test('--exported-to keeps what was never exported', async () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'exports-'))
    const r = await runInProcess(['purge', '--older-than', '30', '--yes', '--exported-to', empty, '--data', fx.dataDir])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(oldClosed.id)
    expect(r.stdout).toContain('Deleted 0 submissions')
    expect(fs.existsSync(fx.blobFile(oldClosed.id, 0))).toBe(true)
  })

  test('--yes deletes exactly those, rows and blobs; the others stay', async () => {
    const r = await runCli(['purge', '--older-than', '30', '--yes', '--data', fx.dataDir])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`deleted ${oldClosed.id}`)
    expect(r.stdout).toContain('Deleted 1 submissions')
    expect(fs.existsSync(path.dirname(fx.blobFile(oldClosed.id, 0)))).toBe(false)
    const list = JSON.parse((await runInProcess(['list', '--json', '--data', fx.dataDir])).stdout)
    const ids = list.map((row: any) => row.id)
    expect(ids).not.toContain(oldClosed.id)
    expect(ids).toEqual(expect.arrayContaining([newClosed.id, oldReviewing.id]))
    expect((await request(fx.server.url, '/api/v1/status', { method: 'POST', body: { receipt: oldClosed.receipt } })).status).toBe(404)
  })

  test('bad day counts are refused', async () => {
    const r = await runInProcess(['purge', '--older-than', 'thirty', '--data', fx.dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('whole number of days')
  })
})

describe('data directory checks', () => {
  test('a missing directory, an empty one, and a foreign SQLite file are refused without being changed', async () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'))
    const foreign = fs.mkdtempSync(path.join(tmp, 'foreign-'))
    const db = new Database(path.join(foreign, 'submissions.sqlite'))
    db.exec('CREATE TABLE notes (x TEXT)')
    db.close()
    fs.writeFileSync(path.join(foreign, 'receipt-salt'), randomBytes(32))
    const before = fs.readFileSync(path.join(foreign, 'submissions.sqlite'))
    const [missing, emptyDir, foreignDir] = await Promise.all([
      runCli(['list', '--data', path.join(tmp, 'nope')]),
      runInProcess(['status', 'a'.repeat(32), 'closed', '--data', empty]),
      runInProcess(['purge', '--older-than', '1', '--yes', '--data', foreign]),
    ])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('does not exist')
    expect(emptyDir.code).toBe(2)
    expect(emptyDir.stderr).toContain('there is no submissions.sqlite')
    expect(fs.readdirSync(empty)).toEqual([])
    expect(foreignDir.code).toBe(2)
    expect(foreignDir.stderr).toContain('has no submissions table')
    expect(fs.readFileSync(path.join(foreign, 'submissions.sqlite')).equals(before)).toBe(true)
  })
})
