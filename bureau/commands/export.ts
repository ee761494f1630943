/**
 * export: decrypts each finalized submission into OUT/<date>-<id>/ with report.json, a Chinese
 * report.md and the attachments under safe versions of their original names.
 *
 * Safety and robustness:
 *  - nothing is written into the server's data directory (OUT may not be in it);
 *  - each submission is built in a hidden staging folder, renamed into place, and a `.exported`
 *    marker is written last: a crash leaves no folder that looks complete, and a rerun redoes it;
 *    folders with the marker are skipped;
 *  - attachments are decrypted file to file with bounded memory, the MAC verified before any
 *    plaintext is kept (server/src/envelope openObjectFile);
 *  - envelope v2 authenticates every 64 KiB chunk of every attachment as it is decrypted; the size
 *    (and, for reports made before v2, the SHA-256 the phone recorded) is checked against the
 *    report; a mismatch is reported loudly and written to INTEGRITY-WARNING.txt in the folder;
 *  - a corrupt object (MAC failure), a missing blob or a key that was not given fails that
 *    submission only: the others are exported and the exit status is 1;
 *  - the data directory is hostile input (bureau/untrusted.ts): a record whose id, sizes or times
 *    are not what the server writes is refused, and every path written or removed is checked to
 *    be a direct child of --out (or of the staging folder) before it is used.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { EnvelopeError, openObject, openObjectFile, type BureauKeyPair, type EnvelopeHeader } from '../../server/src/envelope'
import { fsyncDir } from '../../server/src/durable'
import type { Submission } from '../../server/src/repository'
import { detectFileType, SNIFF_BYTES } from '../../src/domain/file-type'
import { HASH_LISTING_SCHEMAS, READABLE_REPORT_SCHEMAS, type ReportPlaintext } from '../../src/domain/report-plaintext'
import type { BranchOffice } from '../../src/domain/types'
import { CAMPAIGN_HELP, CAMPAIGN_OPTION, DATA_HELP, DATA_OPTION, campaignFileOf, parse, required } from '../args'
import { readCampaign } from '../campaign'
import type { Command, Io } from '../command'
import { allSubmissions, isInside, type DataSource } from '../data-dir'
import { CliError, EXIT_OK, EXIT_PARTIAL, errnoCode } from '../errors'
import { PASSPHRASE_ENV, loadKeyFiles } from '../keys'
import { REMOTE_HELP, REMOTE_OPTIONS, isLocal, openSource } from '../remote-options'
import { formatBytes, renderReportMarkdown, type ExportedAttachment } from '../report-md'
import { safeFileNames } from '../safe-name'
import { cstDate, cstDateTime, parseCstDate } from '../time'
import { childPath, partitionStored } from '../untrusted'
import { exportConversation } from './export-case'

export const MARKER_FILE = '.exported'
export const WARNING_FILE = 'INTEGRITY-WARNING.txt'
const RESERVED = ['report.json', 'report.md', WARNING_FILE, MARKER_FILE]

const HELP = `npm run bureau -- export --key FILE [--key FILE …] --out DIR [--since DATE] [--data DIR | --server URL --token-file FILE] [--campaign FILE]

把服务器上已提交的举报解密到 DIR 下，每条一个文件夹 DIR/<日期>-<编号>/，里面有：
  report.md      中文的举报内容（类别、经过、链接、被举报方、受理单位、举报人、声明时间、附件清单）
  report.json    解密后的原始数据
  附件           按举报人手机上的文件名保存（已去掉不安全的字符）
  INTEGRITY-WARNING.txt   只有当附件与举报中记录的 SHA-256 指纹不一致时才会出现，请务必查看
已导出的文件夹再次运行时会跳过，所以可以每天运行一次，只导出新的举报。
与举报人的往来消息按顺序写在 report.md 末尾（每次运行更新），举报人补充的材料解密后放在同一文件夹
（补充材料-<消息序号>-<n>-<文件名>），经过与原附件相同的完整性校验；再次运行只导出新的消息和材料。
Decrypts each finalized submission into DIR/<date>-<id>/: report.md (Chinese), report.json, the
attachments under their original names (made safe), and INTEGRITY-WARNING.txt if an attachment's
SHA-256 does not match the report. Folders already exported are skipped on the next run.
The conversation with the resident is written at the end of report.md (updated on every run), and
the files the resident added are decrypted into the same folder with the same integrity checks; a
rerun exports only the new messages and files.

选项 Options:
  --key FILE          私钥文件；密钥轮换后可给多次，每条举报用它记录的 kid 对应的私钥打开
                      a private key file; give it several times after key rotation (each report names its kid)
  --out DIR           导出到哪个目录（不能在服务器数据目录里）/ where to write (not inside the data directory)
  --since DATE        只导出该日（北京时间，YYYY-MM-DD）及以后收到的举报 / only those received on or after DATE
${DATA_HELP}
${CAMPAIGN_HELP}
                      （用于显示受理单位名称 / for the branch office names）

${REMOTE_HELP}
  远程导出与在服务器上导出的结果完全相同（同样的文件、同样的字节）；密文只临时下载，解密只在本机进行。
  A remote export writes the same files, byte for byte, as one on the server host; only ciphertext is downloaded.

口令 Passphrase: 在终端中会提示输入（不显示）；脚本中用环境变量 ${PASSPHRASE_ENV}。
  Asked on the terminal (hidden); scripts set ${PASSPHRASE_ENV}.

解密后的文件是明文，请只保存在办公用的加密存储上，按保密规定管理。
The exported files are plaintext: keep them on the office's encrypted storage only.`

interface Outcome {
  folder: string
  warnings: string[]
}

class SubmissionError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(en)
  }
}

async function writeDurable(file: string, data: string | Buffer): Promise<void> {
  const fh = await fsp.open(file, 'wx', 0o600)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

function describeEnvelopeError(e: EnvelopeError, what: { zh: string; en: string }, file?: string): SubmissionError {
  const where = file ? `（${file}）` : ''
  const whereEn = file ? ` (${file})` : ''
  switch (e.code) {
    case 'BAD_MAC':
    case 'TRUNCATED':
      return new SubmissionError(
        `${what.zh}已损坏，无法通过完整性校验${where}。文件在服务器上被改动或损坏；请从备份恢复数据目录后重新导出。`,
        `${what.en} is corrupt: it fails authentication${whereEn} (${e.code}). Restore the data directory from a backup and export again.`,
      )
    case 'BAD_PADDING':
      return new SubmissionError(`${what.zh}格式错误（发送方程序有缺陷）${where}。`, `${what.en} is malformed (broken sender)${whereEn}: ${e.message}`)
    default:
      return new SubmissionError(`${what.zh}无法解密：${e.message}`, `${what.en} cannot be decrypted: ${e.message}`)
  }
}

async function readHead(file: string): Promise<Uint8Array> {
  const fh = await fsp.open(file, 'r')
  try {
    const buf = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

function folderName(s: Submission): string {
  return `${cstDate(s.acceptedAt ?? s.createdAt)}-${s.id}`
}

async function exportOne(
  data: DataSource,
  s: Submission,
  keys: readonly BureauKeyPair[],
  outDir: string,
  branches: readonly BranchOffice[],
  io: Io,
): Promise<Outcome> {
  const folder = folderName(s)
  const final = childPath(outDir, folder)
  const staging = childPath(outDir, `.${folder}.${randomBytes(4).toString('hex')}.partial`)
  const header = s.header as EnvelopeHeader

  if (!keys.some((k) => k.kid === header.kid)) {
    throw new SubmissionError(
      `这条举报是用 kid 为 ${header.kid} 的密钥加密的，但没有给出这把私钥。请用 --key 加上对应的私钥文件（bureau-${header.kid}.key.json）。`,
      `It is encrypted to key ${header.kid}, which was not given: add --key with that key file (bureau-${header.kid}.key.json).`,
    )
  }
  const object = await data.repository.getReport(s.id)
  if (!object) throw new SubmissionError('服务器上找不到举报内容。', 'The report object is missing from the database.')
  let plaintext: Buffer
  try {
    plaintext = openObject({ header, privateKey: keys, label: 'report', object })
  } catch (e) {
    if (e instanceof EnvelopeError) throw describeEnvelopeError(e, { zh: '举报内容', en: 'The report object' })
    throw e
  }
  let report: ReportPlaintext
  try {
    report = JSON.parse(plaintext.toString('utf8'))
  } catch {
    report = undefined as unknown as ReportPlaintext
  }
  if (typeof report !== 'object' || report === null || Array.isArray(report)) {
    throw new SubmissionError('解密后的举报内容不是有效的 JSON 对象（发送方程序有缺陷）。', 'The decrypted report is not a JSON object (broken sender).')
  }
  const warnings: string[] = []
  const schema = (report as { schema?: unknown }).schema
  if (!READABLE_REPORT_SCHEMAS.includes(schema as string)) {
    warnings.push(`举报格式未知 unknown report schema ${JSON.stringify(schema)}`)
  }
  // report@1 and @2 (envelope v1) list the SHA-256 of each file; @3 (v2) relies on the chunk tags.
  const hashListed = HASH_LISTING_SCHEMAS.includes(schema as string) || header.v === 1
  const listed = (Array.isArray(report.attachments) ? report.attachments : []).filter(
    (a): a is ReportPlaintext['attachments'][number] & { sha256?: string } => typeof a === 'object' && a !== null && Number.isSafeInteger(a.n),
  )

  // An incomplete earlier run (no marker): start again from nothing.
  await fsp.rm(final, { recursive: true, force: true })
  await fsp.mkdir(staging, { mode: 0o700 })
  try {
    await writeDurable(childPath(staging, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)

    const objects = s.attachments
    const names = safeFileNames(
      objects.map((o) => listed.find((a) => a.n === o.n)?.name),
      RESERVED,
      (i) => `attachment-${objects[i].n + 1}.bin`,
    )
    const results: ExportedAttachment[] = []
    const problems: string[] = []
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i]
      const entry = listed.find((a) => a.n === o.n)
      const output = childPath(staging, names[i])
      io.out(`      附件 attachment ${i + 1}/${objects.length}: ${names[i]} (${formatBytes(typeof entry?.size === 'number' ? entry.size : o.size)})`)
      const blob = await data.blobFile(s.id, o.n, o.size)
      const input = blob.path
      if (blob.problem === 'missing') {
        throw new SubmissionError(`附件 ${o.n + 1} 的加密文件不在服务器上（${input}）。请从备份恢复数据目录。`, `Attachment ${o.n + 1}'s blob is missing (${input}). Restore the data directory from a backup.`)
      }
      if (blob.problem !== undefined) {
        throw new SubmissionError(
          `附件 ${o.n + 1} 的加密文件异常（${input}：${blob.problem}），数据目录可能被篡改。请从备份恢复数据目录。`,
          `Attachment ${o.n + 1}'s blob is not usable (${input}: ${blob.problem}); the data directory may have been tampered with. Restore it from a backup.`,
        )
      }
      let got: { size: number; sha256: string }
      try {
        got = await openObjectFile({ header, privateKey: keys, label: `attachment/${o.n}`, inputPath: input, outputPath: output })
      } catch (e) {
        if (e instanceof EnvelopeError) throw describeEnvelopeError(e, { zh: `附件 ${o.n + 1}`, en: `Attachment ${o.n + 1}` }, input)
        throw e
      } finally {
        await blob.release()
      }
      let integrity: ExportedAttachment['integrity'] = 'ok'
      if (!entry) {
        integrity = 'unlisted'
        problems.push(
          `附件 ${o.n + 1}（${names[i]}）：服务器上有此文件，但举报中没有列出它，无法校验。\n` +
            `Attachment ${o.n + 1} (${names[i]}): held by the server but not listed in the report; it cannot be verified.\n` +
            `  实际 actual:   SHA-256 ${got.sha256}, ${got.size} bytes`,
        )
      } else if ((hashListed && entry.sha256 !== got.sha256) || entry.size !== got.size) {
        integrity = 'mismatch'
        problems.push(
          `附件 ${o.n + 1}（${names[i]}）：解密得到的文件与举报中记录的指纹不一致！\n` +
            `Attachment ${o.n + 1} (${names[i]}): the decrypted file does NOT match the fingerprint in the report!\n` +
            `  举报记录 expected: ${hashListed ? `SHA-256 ${String(entry.sha256)}, ` : ''}${String(entry.size)} bytes\n` +
            `  实际 actual:       SHA-256 ${got.sha256}, ${got.size} bytes`,
        )
      }
      // What the file really is, from its first bytes: shown beside its name in report.md.
      const detected = detectFileType(await readHead(path.join(staging, names[i])))
      io.out(`        检测到的类型 detected type: ${detected.label} (${detected.kind})`)
      results.push({ n: o.n, fileName: names[i], size: got.size, sha256: got.sha256, integrity, detected })
    }
    for (const entry of listed) {
      if (!objects.some((o) => o.n === entry.n)) {
        results.push({ n: entry.n, integrity: 'missing' })
        problems.push(
          `附件 ${entry.n + 1}（${String(entry.name)}）：举报中列出了此文件，但服务器上没有。\n` +
            `Attachment ${entry.n + 1} (${String(entry.name)}): listed in the report but not held by the server.`,
        )
      }
    }

    const markdown = renderReportMarkdown(report, { submissionId: s.id, receivedAt: s.acceptedAt, kid: header.kid, branches, attachments: results })
    await writeDurable(childPath(staging, 'report.md'), markdown)
    if (problems.length > 0) {
      await writeDurable(
        childPath(staging, WARNING_FILE),
        `完整性警告 INTEGRITY WARNING\n\n` +
          `举报 submission ${s.id}，导出于 exported ${cstDateTime(Date.now())}（北京时间 UTC+8）\n\n` +
          `下列附件与举报中记录的大小（旧版举报还有举报人手机在加密前记录的 SHA-256 指纹）不符，或缺失。不要把它们当作原始证据使用，请联系技术人员核查。\n` +
          `The attachments below do not match the size (and, for reports made before envelope v2, the SHA-256\n` +
          `the reporter's phone recorded before encryption) that the report lists, or are missing. Do not rely on them as original evidence; have them checked.\n\n` +
          `${problems.join('\n\n')}\n`,
      )
      warnings.push(...problems.map((p) => p.split('\n')[1]))
    }
    await fsyncDir(staging)
    await fsp.rename(staging, final)
    await fsyncDir(outDir)
    // The marker goes last: a folder without it is incomplete and is redone by the next run.
    const marker = {
      submission: s.id,
      exportedAt: new Date().toISOString(),
      kid: header.kid,
      attachments: results.map(({ n, fileName, size, sha256, integrity }) => ({ n, fileName, size, sha256, integrity })),
    }
    const tmp = childPath(final, `${MARKER_FILE}.tmp`)
    await writeDurable(tmp, `${JSON.stringify(marker, null, 2)}\n`)
    await fsp.rename(tmp, childPath(final, MARKER_FILE))
    await fsyncDir(final)
    return { folder, warnings }
  } catch (e) {
    await fsp.rm(staging, { recursive: true, force: true })
    throw e
  }
}

export const exportCommand: Command = {
  name: 'export',
  help: HELP,
  async run(argv, io) {
    const { values } = parse('export', argv, {
      key: { type: 'string', multiple: true },
      out: { type: 'string' },
      since: { type: 'string' },
      ...DATA_OPTION,
      ...CAMPAIGN_OPTION,
      ...REMOTE_OPTIONS,
    })
    const keyFiles = ((values.key as string[] | undefined) ?? []).map((k) => path.resolve(k))
    if (keyFiles.length === 0) {
      throw new CliError(
        '缺少 --key（私钥文件）。请用 --key 指定 keygen 生成的私钥文件。运行 npm run bureau -- export --help 查看用法。',
        'Missing --key (the private key file keygen made). Run npm run bureau -- export --help for usage.',
      )
    }
    const outDir = path.resolve(required('export', values, 'out', '导出目录'))
    let since: number | undefined
    if (typeof values.since === 'string') {
      since = parseCstDate(values.since)
      if (since === undefined) {
        throw new CliError(`--since 的日期 "${values.since}" 无效，应写成 YYYY-MM-DD，例如 2024-05-01。`, `Invalid --since date "${values.since}": write YYYY-MM-DD, e.g. 2024-05-01.`)
      }
    }
    const data = await openSource('export', values, io)
    try {
      const dataDir = isLocal(data) ? data.dir : undefined
      if (dataDir !== undefined && isInside(outDir, dataDir)) {
        throw new CliError(
          `导出目录 ${outDir} 在服务器数据目录 ${dataDir} 里面。解密后的明文绝不能放进服务器的数据目录，请换一个目录。`,
          `The output directory ${outDir} is inside the server's data directory ${dataDir}; plaintext must never go there.`,
        )
      }
      if (dataDir !== undefined && isInside(dataDir, outDir)) {
        throw new CliError(`服务器数据目录 ${dataDir} 在导出目录 ${outDir} 里面，请换一个导出目录。`, `The data directory ${dataDir} is inside the output directory ${outDir}; choose another.`)
      }
      const campaign = readCampaign(campaignFileOf(values, io.env))
      for (const file of keyFiles) {
        if (dataDir !== undefined && isInside(file, dataDir)) io.err(`⚠️ 私钥文件 ${file} 放在服务器数据目录里，这是不安全的。/ The key file is inside the server's data directory: unsafe.`)
      }
      const keys = await loadKeyFiles(keyFiles, io.env)
      io.err(`已打开私钥 Keys opened: ${keys.map((k) => k.kid).join(', ')}`)
      try {
        await fsp.mkdir(outDir, { recursive: true, mode: 0o700 })
      } catch (e) {
        throw new CliError(`无法创建导出目录 ${outDir}：${(e as Error).message}`, `Cannot create the output directory ${outDir}: ${(e as Error).message}`)
      }
      const unlock = await lockOutDir(outDir)
      try {
        return await exportAll(data, keys, outDir, since, values.since as string | undefined, campaign.branches, io)
      } finally {
        await unlock()
      }
    } finally {
      await data.close()
    }
  },
}

/** One export at a time per output directory: `.export.lock` holds the pid of the running one. */
async function lockOutDir(outDir: string): Promise<() => Promise<void>> {
  const lock = path.join(outDir, '.export.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeDurable(lock, String(process.pid))
      return () => fsp.rm(lock, { force: true })
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e
      const pid = Number((await fsp.readFile(lock, 'utf8').catch(() => '')).trim())
      let alive = false
      if (Number.isSafeInteger(pid) && pid > 0) {
        try {
          process.kill(pid, 0)
          alive = true
        } catch (err) {
          alive = errnoCode(err) === 'EPERM'
        }
      }
      if (alive) {
        throw new CliError(
          `另一个导出正在向 ${outDir} 写入（进程 ${pid}）。请等它结束后再运行。`,
          `Another export (pid ${pid}) is writing to ${outDir}; wait for it to finish.`,
        )
      }
      await fsp.rm(lock, { force: true })
    }
  }
  throw new CliError(`无法锁定导出目录 ${outDir}。`, `Cannot lock the output directory ${outDir}.`)
}

async function exportAll(
  data: DataSource,
  keys: readonly BureauKeyPair[],
  outDir: string,
  since: number | undefined,
  sinceText: string | undefined,
  branches: readonly BranchOffice[],
  io: Io,
): Promise<number> {
  // Staging folders of a run that crashed.
  for (const entry of await fsp.readdir(outDir)) {
    if (/^\.\d{4}-\d{2}-\d{2}-[0-9a-f]{32}\.[0-9a-f]{8}\.partial$/.test(entry)) await fsp.rm(childPath(outDir, entry), { recursive: true, force: true })
  }

  // Records that are not what the server writes are refused before any of them becomes a path.
  const stored = partitionStored(await allSubmissions(data.repository, { state: 'accepted' }))
  const subs = stored.valid.filter((s) => since === undefined || (s.acceptedAt ?? s.createdAt) >= since)
  const todo: Submission[] = []
  let skipped = 0
  for (const s of subs) {
    if (fs.existsSync(childPath(childPath(outDir, folderName(s)), MARKER_FILE))) skipped += 1
    else todo.push(s)
  }
  io.out(
    `已提交的举报 ${subs.length} 条${sinceText !== undefined ? `（${sinceText} 起）` : ''}：已导出过 ${skipped} 条（跳过），本次导出 ${todo.length} 条。\n` +
      `${subs.length} finalized submissions${sinceText !== undefined ? ` since ${sinceText}` : ''}: ${skipped} already exported (skipped), ${todo.length} to export.` +
      (stored.invalid.length > 0 ? `\n另有 ${stored.invalid.length} 条记录无效，已拒绝 / ${stored.invalid.length} invalid records refused.` : ''),
  )

  let exported = 0
  const failed: { id: string; error: SubmissionError }[] = stored.invalid.map((r) => ({
    id: r.shownId,
    error: new SubmissionError(
      `数据库中的这条记录不是服务器写入的格式（${r.problem}），可能被篡改，已拒绝处理。请从备份恢复数据目录。`,
      `This database record is not in the form the server writes (${r.problem}); it may have been tampered with and was refused. Restore the data directory from a backup.`,
    ),
  }))
  for (const f of failed) io.err(`✗ 拒绝 REFUSED ${f.id}\n  错误：${f.error.zh}\n  Error: ${f.error.en}`)
  const flagged: { folder: string; warnings: string[] }[] = []
  for (let i = 0; i < todo.length; i++) {
    const s = todo[i]
    io.out(`[${i + 1}/${todo.length}] ${folderName(s)}`)
    try {
      const outcome = await exportOne(data, s, keys, outDir, branches, io)
      exported += 1
      if (outcome.warnings.length > 0) {
        flagged.push(outcome)
        io.err(
          `\n!!!!!!!! 完整性警告 INTEGRITY WARNING: ${outcome.folder} !!!!!!!!\n` +
            outcome.warnings.map((w) => `  ${w}`).join('\n') +
            `\n  详见 see ${path.join(outDir, outcome.folder, WARNING_FILE)}\n`,
        )
      }
      io.out(`      已导出 exported → ${path.join(outDir, outcome.folder)}`)
    } catch (e) {
      const error =
        e instanceof SubmissionError
          ? e
          : new SubmissionError(`导出失败：${(e as Error).message}`, `Export failed: ${(e as Error).message}${errnoCode(e) ? ` (${errnoCode(e)})` : ''}`)
      failed.push({ id: s.id, error })
      io.err(`✗ 失败 FAILED ${s.id}\n  错误：${error.zh}\n  Error: ${error.en}`)
    }
  }

  // The case channel: new messages and added files of every exported case (new or earlier).
  let conversations = 0
  for (const s of subs) {
    const folder = childPath(outDir, folderName(s))
    if (!fs.existsSync(childPath(folder, MARKER_FILE))) continue
    try {
      const { newMessages, problems } = await exportConversation(data, s, keys, folder, io)
      if (newMessages > 0) {
        conversations += 1
        io.out(`      往来消息 conversation: ${newMessages} 条新消息 new messages → ${path.join(folder, 'report.md')}`)
      }
      if (problems.length > 0) {
        flagged.push({ folder: folderName(s), warnings: problems })
        io.err(`\n!!!!!!!! 完整性警告 INTEGRITY WARNING: ${folderName(s)} !!!!!!!!\n${problems.map((w) => `  ${w}`).join('\n')}\n`)
      }
    } catch (e) {
      const error = new SubmissionError(`往来消息导出失败：${(e as Error).message}`, `Conversation export failed: ${(e as Error).message}`)
      failed.push({ id: s.id, error })
      io.err(`✗ 失败 FAILED ${s.id}\n  错误：${error.zh}\n  Error: ${error.en}`)
    }
  }
  if (conversations > 0) io.out(`有新消息的案件 ${conversations} 件 / ${conversations} cases with new messages.`)

  io.out(
    `\n完成：导出 ${exported} 条，跳过 ${skipped} 条，失败 ${failed.length} 条，完整性警告 ${flagged.length} 条。\n` +
      `Done: ${exported} exported, ${skipped} skipped, ${failed.length} failed, ${flagged.length} with integrity warnings.`,
  )
  if (failed.length > 0) {
    io.err(`\n以下举报未能导出；排除问题后再次运行 export 会重试它们：\nNot exported; running export again retries them:`)
    for (const f of failed) io.err(`  ${f.id}: ${f.error.en}`)
  }
  if (flagged.length > 0) {
    io.err(`\n以下文件夹有完整性警告，请查看其中的 ${WARNING_FILE}：\nThese folders have integrity warnings; read their ${WARNING_FILE}:`)
    for (const f of flagged) io.err(`  ${path.join(outDir, f.folder)}`)
  }
  return failed.length > 0 || flagged.length > 0 ? EXIT_PARTIAL : EXIT_OK
}
