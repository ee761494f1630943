/**
 * The reply spool: sealed replies on disk, mode 0600, written atomically, nothing but ciphertext;
 * read back as hostile input (each malformed file a plain Chinese warning, left in place, never a throw).
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ReplySpool } from '../../bureau/workstation/server/spool'
import type { NewCaseMessage } from '../../server/src/repository'

const hex = () => randomBytes(16).toString('hex')
const header = { t: 'case-message', v: 1, suite: 'x25519-hkdf-sha256-chacha20poly1305-stream64k-padme', kid: '0123456789abcdef', rkid: 'fedcba9876543210', epk: randomBytes(32).toString('base64') } as const
const record = (msgId = hex()): NewCaseMessage => ({ caseId: hex(), msgId, from: 'bureau', header, message: randomBytes(120), copy: randomBytes(120), attachments: [], requestHash: '' })

let dir: string
let spool: ReplySpool
beforeEach(() => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clue-spool-')), 'outbox')
  spool = new ReplySpool(dir)
})

test('a kept reply is written 0600 (folder 0700), with no temp file left, read back byte for byte, and removed', () => {
  const r = record()
  spool.write(r.caseId, r, 1234)
  expect(fs.readdirSync(dir)).toEqual([`reply-${r.msgId}.json`])
  expect(fs.statSync(path.join(dir, `reply-${r.msgId}.json`)).mode & 0o777).toBe(0o600)
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
  const { replies, warnings } = spool.read()
  expect(warnings).toEqual([])
  expect(replies).toEqual([{ caseId: r.caseId, msgId: r.msgId, header, message: r.message, copy: r.copy, at: 1234 }])
  spool.remove(r.msgId)
  spool.remove(r.msgId)
  expect(fs.readdirSync(dir)).toEqual([])
})

test('no spool folder yet: nothing kept, no warning', () => {
  expect(spool.read()).toEqual({ replies: [], warnings: [] })
})

const good = () => {
  const r = record()
  return { name: `reply-${r.msgId}.json`, json: { v: 1, caseId: r.caseId, msgId: r.msgId, header, message: r.message.toString('base64'), copy: r.copy.toString('base64'), at: 5 } }
}
test.each<[string, (g: ReturnType<typeof good>) => string | Buffer, string]>([
  ['not JSON', () => '{"v":1,', '不是有效的 JSON'],
  ['JSON null', () => 'null', '内容不是对象'],
  ['another version', (g) => JSON.stringify({ ...g.json, v: 2 }), '格式版本 2 不认识'],
  ['a bad case id', (g) => JSON.stringify({ ...g.json, caseId: '../../etc' }), '案件编号无效'],
  ['a msgId not the file name', (g) => JSON.stringify({ ...g.json, msgId: hex() }), '消息编号与文件名不一致'],
  ['a header with markup', (g) => JSON.stringify({ ...g.json, header: { ...header, kid: '<script>' } }), '密文头部无效'],
  ['a header that is an array', (g) => JSON.stringify({ ...g.json, header: [] }), '密文头部无效'],
  ['ciphertext not base64', (g) => JSON.stringify({ ...g.json, copy: '@@@@' }), '密文无效'],
  ['no message', (g) => JSON.stringify({ ...g.json, message: undefined }), '密文无效'],
  ['a negative time', (g) => JSON.stringify({ ...g.json, at: -1 }), '时间无效'],
  ['invalid UTF-8', () => Buffer.from([0xff, 0xfe, 0x00]), '不是有效的 JSON'],
])('a spool file with %s is a warning, left in place, and the good one is still read', (_name, make, why) => {
  const ok = record()
  spool.write(ok.caseId, ok, 1)
  const g = good()
  fs.writeFileSync(path.join(dir, g.name), make(g))
  const { replies, warnings } = spool.read()
  expect(replies.map((r) => r.msgId)).toEqual([ok.msgId])
  expect(warnings).toHaveLength(1)
  expect(warnings[0]).toContain(g.name)
  expect(warnings[0]).toContain(why)
  expect(warnings[0]).toContain('没有发送')
  expect(fs.existsSync(path.join(dir, g.name))).toBe(true)
})

test('other names, folders, symbolic links and oversized files are warnings; an interrupted write is skipped', () => {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'x')
  fs.mkdirSync(path.join(dir, `reply-${hex()}.json`))
  fs.symlinkSync('/etc/passwd', path.join(dir, `reply-${hex()}.json`))
  fs.writeFileSync(path.join(dir, `reply-${hex()}.json`), Buffer.alloc(400_000, 0x20))
  fs.writeFileSync(path.join(dir, `reply-${hex()}.json.123.tmp`), '{')
  const { replies, warnings } = spool.read()
  expect(replies).toEqual([])
  expect(warnings.map((w) => /（(.*)）/.exec(w)?.[1]).sort()).toEqual(['不是普通文件', '不是普通文件', '文件名不是工作站写的', '文件过大'].sort())
})

test('a reply set aside (its bureau copy did not verify) is renamed, kept byte for byte, never read as a reply again, and reported on every read', () => {
  const r = record()
  spool.write(r.caseId, r, 7)
  const bytes = fs.readFileSync(path.join(dir, `reply-${r.msgId}.json`))
  expect(spool.quarantine(r.msgId)).toBe(`reply-${r.msgId}.unverified.json`)
  expect(fs.readdirSync(dir)).toEqual([`reply-${r.msgId}.unverified.json`])
  expect(fs.readFileSync(path.join(dir, `reply-${r.msgId}.unverified.json`)).equals(bytes)).toBe(true)
  // Set aside again under the same msgId (a copy restored from a backup): the first is not overwritten.
  spool.write(r.caseId, r, 8)
  expect(spool.quarantine(r.msgId)).toMatch(new RegExp(`^reply-${r.msgId}\\.unverified-\\d+\\.json$`))
  expect(fs.readdirSync(dir)).toHaveLength(2)
  // A set-aside file whose content is damaged too: still reported, without a case.
  fs.writeFileSync(path.join(dir, `reply-${hex()}.unverified.json`), '{')
  for (let i = 0; i < 2; i++) {
    const { replies, warnings } = spool.read()
    expect(replies).toEqual([])
    expect(warnings).toHaveLength(3)
    expect(warnings.filter((w) => w.includes(`（案件 ${r.caseId}）未通过验证`) && w.includes('没有发送') && w.includes('重新撰写'))).toHaveLength(2)
    expect(warnings.filter((w) => w.startsWith('有一条保留的回复未通过验证'))).toHaveLength(1)
  }
})
