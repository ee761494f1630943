/**
 * `bureau list` and `bureau export` against a data directory made by the real server from real
 * encrypted submissions: key rotation (two keys), a hostile attachment name, a corrupted blob, an
 * attachment whose SHA-256 does not match the report, an unfinished upload, and reruns.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Fixture, PASSPHRASE, listFiles, runCli, type CliResult, type Sent } from './fixture'

let fx: Fixture
let out: string
let full: Sent
let hostile: Sent
let corrupt: Sent
let mismatch: Sent
let unfinished: Sent

// Real signatures in front, so the export detects what the names say.
const big = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(1024 * 1024 + 4321)])
const small = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2000)])
const HOSTILE_NAMES = [
  '../../etc/passwd',
  'a/b.jpg',
  'CON',
  'x\u0000y.png',
  `${'长'.repeat(300)}.jpg`,
  'same.jpg',
  'SAME.jpg',
  'report.md',
  'invoice\u202Egpj.exe',
  '..',
]
const env = { BUREAU_KEY_PASSPHRASE: PASSPHRASE }

beforeAll(async () => {
  fx = await Fixture.start()
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'bureau-export-'))
  ;[full, hostile, corrupt, mismatch, unfinished] = await Promise.all([
    fx.send({
      category: 'loan',
      branch: 'yd',
      description: '我在某某贷借了5000元，实际到账3500元。\n之后每天接到催收电话。',
      links: ['https://loan.example.invalid/app?id=1', 'http://`tick`.invalid'],
      party: { accounts: 'wx_loan_01', phones: '13800000000', websites: '某某贷' },
      extra: { app: '某某贷', contractAmount: '5000', receivedAmount: '3500' },
      reporter: { anonymous: false, name: '张三', mobile: '13912345678', idNumber: '' },
      files: [
        { name: '转账记录.png', bytes: big, label: '交易记录', mime: 'image/png' },
        { name: '聊天截图.jpg', bytes: small, label: '截图', mime: 'image/jpeg' },
      ],
    }),
    fx.send(
      {
        category: 'nude',
        branch: 'zs',
        description: '<img src="http://tracker.invalid/x.png"> [点这里](http://evil.invalid) # 标题\n- 列表',
        extra: { platform: '某交友App' },
        files: HOSTILE_NAMES.map((name, i) => ({ name, bytes: Buffer.from(`hostile file ${i}`) })),
      },
      { key: fx.oldKey },
    ),
    fx.send({ category: 'other', branch: 'sj', description: '附件被损坏的举报', files: [{ name: 'evidence.png', bytes: randomBytes(5000) }] }),
    fx.send({
      category: 'claim',
      branch: 'yd',
      description: '附件指纹不一致',
      extra: { shop: '小店', platform: '某电商' },
      files: [{ name: 'order.png', bytes: randomBytes(3000) }],
      // A report made before envelope v2 (report@1 lists each file's SHA-256), whose list is wrong.
      tamper: (r) => {
        ;(r.attachments[0] as { sha256?: string }).sha256 = '0'.repeat(64)
      },
    }, { version: 1 }),
    fx.send({ category: 'mlm', branch: 'yd', description: '未完成', files: [{ name: 'x.png', bytes: randomBytes(500) }] }, { finalize: false }),
  ])

  // Flip one byte in the middle of the stored ciphertext.
  const file = fx.blobFile(corrupt.id, 0)
  const bytes = fs.readFileSync(file)
  bytes[100] ^= 0x01
  fs.writeFileSync(file, bytes)
}, 60000)

afterAll(async () => {
  await fx?.stop()
  if (out) fs.rmSync(out, { recursive: true, force: true })
})

const folderOf = (id: string) => {
  const found = fs.readdirSync(out).find((d) => d.endsWith(`-${id}`))
  return found ? path.join(out, found) : undefined
}

describe('list', () => {
  let plain: CliResult
  let json: CliResult
  let notData: CliResult
  beforeAll(async () => {
    ;[plain, json, notData] = await Promise.all([
      runCli(['list', '--data', fx.dataDir]),
      runCli(['list', '--data', fx.dataDir, '--json']),
      runCli(['list', '--data', out]),
    ])
  })

  test('shows finalized and unfinished submissions, and says the server knows nothing else', () => {
    const r = plain
    expect(r.code).toBe(0)
    for (const s of [full, hostile, corrupt, mismatch, unfinished]) expect(r.stdout).toContain(s.id)
    expect(r.stdout).toContain('5 submissions: 4 finalized, 1 unfinished')
    expect(r.stdout).toContain('服务器只知道以上信息')
    expect(r.stdout).toContain('This is all the server knows')
    // Nothing secret: no receipt, no content.
    expect(r.stdout).not.toContain(full.receipt)
    expect(r.stdout).not.toContain('某某贷')
  })

  test('--json gives states, sizes and status for scripts', () => {
    const r = json
    expect(r.code).toBe(0)
    const rows = JSON.parse(r.stdout)
    const byId = new Map(rows.map((row: any) => [row.id, row]))
    expect(byId.get(full.id)).toMatchObject({ state: 'finalized', status: 'received', attachments: 2, kid: fx.newKey.kid })
    expect(byId.get(hostile.id)).toMatchObject({ kid: fx.oldKey.kid })
    const u = byId.get(unfinished.id) as any
    expect(u).toMatchObject({ state: 'unfinished', status: null })
    expect(u.storedBytes).toBeLessThan(u.declaredBytes)
    expect(u.expiresAt).toEqual(expect.any(String))
  })

  test('a directory that is not the server data directory is refused clearly', () => {
    const r = notData
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('is not the intake server\'s data directory')
    expect(r.stderr).toContain('不是举报服务器的数据目录')
    expect(fs.existsSync(path.join(out, 'submissions.sqlite'))).toBe(false)
  })
})

describe('export', () => {
  test('without the old key: exports what it can, names the missing kid, fails the corrupt blob, exit 1', async () => {
    const r = await runCli(['export', '--key', fx.newKeyFile, '--out', out, '--data', fx.dataDir], env)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('4 finalized submissions')
    expect(r.stderr).toContain(hostile.id)
    expect(r.stderr).toContain(`encrypted to key ${fx.oldKey.kid}, which was not given`)
    expect(r.stderr).toContain(corrupt.id)
    expect(r.stderr).toMatch(/Attachment 1 is corrupt: it fails authentication/)
    expect(r.stderr).toContain('INTEGRITY WARNING')
    expect(r.stdout).toContain('Done: 2 exported, 0 skipped, 2 failed, 1 with integrity warnings.')
    expect(folderOf(hostile.id)).toBeUndefined()
    expect(folderOf(corrupt.id)).toBeUndefined()
    expect(folderOf(unfinished.id)).toBeUndefined()
    // No staging folders or temporary files left behind.
    expect(fs.readdirSync(out).filter((d) => d.startsWith('.'))).toEqual([])
  })

  test('the export folder holds report.json, report.md and byte-identical attachments', () => {
    const dir = folderOf(full.id)!
    expect(path.basename(dir)).toMatch(/^\d{4}-\d{2}-\d{2}-[0-9a-f]{32}$/)
    expect(fs.readdirSync(dir).sort()).toEqual(['.exported', 'report.json', 'report.md', '聊天截图.jpg', '转账记录.png'].sort())
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'))).toEqual(full.report)
    expect(fs.readFileSync(path.join(dir, '转账记录.png')).equals(big)).toBe(true)
    expect(fs.readFileSync(path.join(dir, '聊天截图.jpg')).equals(small)).toBe(true)
    const marker = JSON.parse(fs.readFileSync(path.join(dir, '.exported'), 'utf8'))
    expect(marker).toMatchObject({ submission: full.id, kid: fx.newKey.kid })
    expect(marker.attachments.map((a: any) => a.integrity)).toEqual(['ok', 'ok'])
  })

  test('report.md is readable Chinese with every part of the report', () => {
    const md = fs.readFileSync(path.join(folderOf(full.id)!, 'report.md'), 'utf8')
    expect(md).toContain('# 涉网黑恶犯罪线索举报')
    expect(md).toContain('(二)网络“套路贷”犯罪')
    expect(md).toContain('(十四)大同市公安局御东分局扫黑办（代码 yd）')
    expect(md).toContain('2024年4月30日 21:15')
    // The resident's text exactly, line breaks kept, nothing escaped.
    expect(md).toContain('```text\n我在某某贷借了5000元，实际到账3500元。\n之后每天接到催收电话。\n```')
    expect(md).toContain('```text\nhttps://loan.example.invalid/app?id=1\n```')
    expect(md).toContain('```text\nhttp://`tick`.invalid\n```')
    expect(md).toContain('**账号（微信号、QQ号、平台账号等）：**\n\n```text\nwx_loan_01\n```')
    expect(md).toContain('**合同（借条）金额（元）：**\n\n```text\n5000\n```')
    expect(md).toContain('实名举报')
    expect(md).toContain('**姓名：**\n\n```text\n张三\n```')
    expect(md).toContain('**手机号码：**\n\n```text\n13912345678\n```')
    expect(md).toContain('**声明时间：** 2024年5月2日 11:10（北京时间）')
    expect(md).toContain('### 附件 1\n\n- **类型（举报人选择）：** 交易记录\n- **导出的文件名：** `转账记录.png`　**检测到的文件类型：** PNG 图片\n- **大小：** 1.0 MB\n- **完整性校验：** ✅ 一致')
    expect(md).toContain('### 附件 2\n\n- **类型（举报人选择）：** 截图\n- **导出的文件名：** `聊天截图.jpg`　**检测到的文件类型：** JPEG 图片\n- **大小：** 2 KB\n- **完整性校验：** ✅ 一致')
    expect(md).not.toMatch(/检测到的文件类型：\*\* ⚠️/)
    expect(md).toContain(full.id)
  })

  test('a v1 report with a SHA-256 mismatch is exported with INTEGRITY-WARNING.txt and flagged in report.md', () => {
    const dir = folderOf(mismatch.id)!
    const warning = fs.readFileSync(path.join(dir, 'INTEGRITY-WARNING.txt'), 'utf8')
    expect(warning).toContain('INTEGRITY WARNING')
    expect(warning).toContain(`expected: SHA-256 ${'0'.repeat(64)}`)
    expect(warning).toContain('order.png')
    expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('❌ 不一致，见 INTEGRITY-WARNING.txt')
    expect(fs.readFileSync(path.join(dir, 'order.png')).equals(mismatch.files[0].bytes)).toBe(true)
  })

  test('with both keys: the rerun skips what is done, opens the old-key report, still fails the corrupt blob', async () => {
    const r = await runCli(['export', '--key', fx.newKeyFile, '--key', fx.oldKeyFile, '--out', out, '--data', fx.dataDir], env)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('2 already exported (skipped), 2 to export')
    expect(r.stdout).toContain('Done: 1 exported, 2 skipped, 1 failed, 0 with integrity warnings.')
    expect(r.stderr).toContain(corrupt.id)
    expect(folderOf(hostile.id)).toBeDefined()
    expect(folderOf(corrupt.id)).toBeUndefined()
  })

  test('hostile attachment names stay inside the folder, unique and harmless', () => {
    const dir = folderOf(hostile.id)!
    const files = listFiles(dir)
    // Every file is directly in the folder; nothing escaped it.
    expect(files.every((f) => !f.includes('/'))).toBe(true)
    expect(fs.existsSync(path.join(out, 'passwd'))).toBe(false)
    expect(fs.existsSync(path.join(path.dirname(out), 'etc'))).toBe(false)
    const marker = JSON.parse(fs.readFileSync(path.join(dir, '.exported'), 'utf8'))
    const names: string[] = marker.attachments.map((a: any) => a.fileName)
    expect(names).toHaveLength(HOSTILE_NAMES.length)
    expect(names[0]).toBe('passwd')
    expect(names[1]).toBe('b.jpg')
    expect(names[2]).toBe('_CON')
    expect(names[3]).toBe('xy.png')
    expect(Buffer.byteLength(names[4])).toBeLessThanOrEqual(160)
    expect(names[4].endsWith('.jpg')).toBe(true)
    expect(names[5]).toBe('same.jpg')
    expect(names[6]).toBe('SAME (2).jpg')
    expect(names[7]).toBe('report (2).md')
    expect(names[8]).toBe('invoicegpj.exe_')
    expect(names[9]).toBe('attachment-10.bin')
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length)
    names.forEach((name, i) => expect(fs.readFileSync(path.join(dir, name)).toString()).toBe(`hostile file ${i}`))
    // The real report.md is ours, not the attachment called "report.md".
    const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8')
    expect(md).toContain('(一)网络“裸聊”敲诈犯罪')
    expect(md).toContain('匿名举报')
    // Hostile markdown is inert: no HTML, no link, no heading.
    // Inside a fenced block, shown literally and exactly; nothing of it outside.
    expect(md).toContain('```text\n<img src="http://tracker.invalid/x.png"> [点这里](http://evil.invalid) # 标题\n- 列表\n```')
    expect(md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '')).not.toContain('<img')
    expect(md).not.toMatch(/^# 标题/m)
  })

  test('a third run has only the corrupt submission left; nothing was written into the data directory', async () => {
    const r = await runCli(['export', '--key', fx.newKeyFile, '--key', fx.oldKeyFile, '--out', out, '--data', fx.dataDir], env)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('3 already exported (skipped), 1 to export')
    const plaintextMarkers = [Buffer.from('我在某某贷借了5000元'), big.subarray(0, 64), Buffer.from('hostile file 0')]
    for (const file of listFiles(fx.dataDir)) {
      const bytes = fs.readFileSync(path.join(fx.dataDir, file))
      for (const m of plaintextMarkers) expect(bytes.includes(m)).toBe(false)
    }
    expect(listFiles(fx.dataDir).some((f) => /report|\.md$|\.json$|partial/.test(f))).toBe(false)
  })

  test('--since skips older submissions', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'bureau-since-'))
    try {
      const r = await runCli(['export', '--key', fx.newKeyFile, '--out', other, '--data', fx.dataDir, '--since', '2999-01-01'], env)
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('0 finalized submissions since 2999-01-01')
      expect(fs.readdirSync(other)).toEqual([])
    } finally {
      fs.rmSync(other, { recursive: true, force: true })
    }
  })

  // One CLI process per case, one after another: five at once (each unlocking the key with its
  // KDF) went past the CLI's time limit on a loaded 2-core machine.
  test.each<[string, () => string[], () => Record<string, string>, string[]]>([
    ['a wrong passphrase', () => ['export', '--key', fx.newKeyFile, '--out', out, '--data', fx.dataDir], () => ({ BUREAU_KEY_PASSPHRASE: 'not the passphrase' }), ['Wrong passphrase for key file', '口令不正确']],
    ['a missing key', () => ['export', '--key', path.join(fx.env.dir, 'nope.key.json'), '--out', out, '--data', fx.dataDir], () => env, ['not found', '找不到私钥文件']],
    ['output inside the data directory', () => ['export', '--key', fx.newKeyFile, '--out', path.join(fx.dataDir, 'export'), '--data', fx.dataDir], () => env, ['plaintext must never go there']],
    ['no passphrase', () => ['export', '--key', fx.newKeyFile, '--out', out, '--data', fx.dataDir], () => ({}), ['BUREAU_KEY_PASSPHRASE']],
    ['a bad date', () => ['export', '--key', fx.newKeyFile, '--out', out, '--data', fx.dataDir, '--since', '2024-02-30'], () => env, ['Invalid --since date "2024-02-30"']],
  ])('a clear error for %s', async (_name, args, cliEnv, messages) => {
    const r = await runCli(args(), cliEnv())
    expect(r.code).toBe(2)
    for (const m of messages) expect(r.stderr).toContain(m)
    expect(fs.existsSync(path.join(fx.dataDir, 'export'))).toBe(false)
  }, 60_000)
})
