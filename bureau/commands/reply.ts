/**
 * reply: a message to the resident of one case, encrypted so that only the holder of the 查询码
 * can read it (to the case's reply key D from inside the report, with the bureau's copy to the
 * bureau key), and stored through the repository (the data directory, like `status`).
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { MAX_MESSAGE_TEXT } from '../../src/case/labels'
import { textLength } from '../../src/case/plaintext'
import { DATA_HELP, DATA_OPTION, parse, type Parsed } from '../args'
import { findCategory } from '../../src/domain/categories'
import { openCase, readConversation, sealBureauReply, type CaseContext } from '../case'
import type { Command } from '../command'
import { CliError } from '../errors'
import { PASSPHRASE_ENV, loadKeyFiles } from '../keys'
import { REMOTE_HELP, REMOTE_OPTIONS, openSource } from '../remote-options'
import { printable } from '../untrusted'
import { cstDateTime } from '../time'
import { parseSubmissionId } from './status'

const HELP = `npm run bureau -- reply ID --key FILE (--text "…" | --file message.txt) [--request-material] [--accept-unverified-key] [--data DIR | --server URL --token-file FILE]

给举报人发送一条消息。消息用举报人的回复公钥加密：只有持有查询码的人能读到，服务器读不到。
举报人在“案件”页面用查询码打开后看到。最多 ${MAX_MESSAGE_TEXT} 个字。
Sends a message to the resident, encrypted so that only the holder of the 查询码 can read it.

选项 Options:
  --key FILE          私钥文件；第一个用来加密本消息的副本（请先给当前密钥）
                      key files; the first one makes the bureau's copy (give the current key first)
  --text TEXT         消息内容 / the message
  --file FILE         从 UTF-8 文本文件读取消息内容 / read the message from a UTF-8 text file
  --request-material  标记为“请求补充材料”：举报人会看到提示，可用“补充材料”上传截图和文件
                      mark it as a request for more material (the resident sees it as such)
  --accept-unverified-key
                      旧版举报（渠道上线前提交）的回复公钥是服务器上登记的、未经验证：控制服务器的人
                      可能换成了自己的公钥来读取回复。确认这一风险后才发送（本地和远程模式相同）
                      legacy reports: their reply key is the server's word (whoever controls the
                      server could have put in its own and read the reply); sent only with this
                      flag, with --data and with --server alike
${DATA_HELP}

${REMOTE_HELP}

不要在消息中写举报人的姓名、电话等：持有查询码（或手机）的任何人都能看到。
Anyone holding the 查询码 (or the phone that kept it) can read the message: write nothing that identifies the resident.

口令 Passphrase: 在终端中会提示输入；脚本中用环境变量 ${PASSPHRASE_ENV}。`

/** Why a reply to a legacy case's reply key needs --accept-unverified-key: printed before anything is sent (locally and over the API alike). */
export const UNVERIFIED_KEY_WARNING =
  '⚠️ 旧版举报（渠道上线前提交）：回复公钥不在举报内容里，是举报人的新版程序后来登记到服务器上的，与这份举报没有绑定，无法验证。' +
  '控制了服务器的人可以换成自己的公钥，读到这条回复。\n' +
  "⚠️ Legacy report (made before the case channel): its reply key is not inside the report but was registered with the server later; nothing binds it to this report. " +
  'Whoever controls the server could have put in their own key, and would then read this reply.'

/**
 * What the bureau decrypted for this case, shown before an unverified key is accepted: a server
 * that controls the data can make any case look legacy (its own report, sealed to the bureau's
 * public key, with no reply key inside), so staff check that this is the old report they expect.
 */
export function reportSummary(ctx: Pick<CaseContext, 'submission' | 'report'>): string {
  const r = typeof ctx.report === 'object' && ctx.report !== null ? (ctx.report as Record<string, unknown>) : {}
  const code = typeof r.category === 'string' ? r.category : undefined
  const category = findCategory(code)
  const description = typeof r.description === 'string' ? r.description.replace(/\s+/g, ' ').trim() : ''
  const at = ctx.submission.acceptedAt ?? ctx.submission.createdAt
  return (
    `这份举报 / This report: ${cstDateTime(at).slice(0, 16)} 北京时间收到 received；` +
    `类别 category: ${category ? category.name : code ? `未知 unknown（${printable(code, 20)}）` : '未填写 none'}；` +
    `内容开头 begins: “${description ? printable(description, 40) : '（空 empty）'}”\n` +
    '请确认这是您要回复的那份旧举报。/ Check that this is the old report you mean to answer.'
  )
}

/** A submission id (or an export folder name), or a CliError. */
export function parseCaseId(input: string): string {
  const id = parseSubmissionId(input)
  if (!id) throw new CliError(`"${input}" 不是举报编号（应为 32 位十六进制数字）。`, `"${input}" is not a submission id (32 hexadecimal digits).`)
  return id
}

export function keyFilesOf(command: string, values: Parsed['values']): string[] {
  const files = ((values.key as string[] | undefined) ?? []).map((k) => path.resolve(k))
  if (files.length === 0) throw new CliError(`缺少 --key（私钥文件）。运行 npm run bureau -- ${command} --help 查看用法。`, `Missing --key. Run npm run bureau -- ${command} --help for usage.`)
  return files
}

/** The message text from --text or --file, checked as the phone checks its own. */
export function messageText(values: Parsed['values']): string {
  const hasText = typeof values.text === 'string'
  const hasFile = typeof values.file === 'string'
  if (hasText === hasFile) throw new CliError('请给出 --text 或 --file 之一。', 'Give exactly one of --text and --file.')
  let text: string
  if (hasFile) {
    let bytes: Buffer
    try {
      bytes = fs.readFileSync(values.file as string)
    } catch (e) {
      throw new CliError(`无法读取 ${String(values.file)}：${(e as Error).message}`, `Cannot read ${String(values.file)}: ${(e as Error).message}`)
    }
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } else {
    text = values.text as string
  }
  return checkReplyText(text)
}

/** The reply text normalized (line ends, outer blanks) and checked as the phone checks its own; a CliError when unusable. */
export function checkReplyText(input: string): string {
  const text = input.replace(/\r\n?/g, '\n').trim()
  if (text === '') throw new CliError('消息内容为空。', 'The message is empty.')
  if (textLength(text) > MAX_MESSAGE_TEXT) throw new CliError(`消息太长：最多 ${MAX_MESSAGE_TEXT} 个字（现在 ${textLength(text)} 个）。`, `Too long: at most ${MAX_MESSAGE_TEXT} characters (${textLength(text)}).`)
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) throw new CliError('消息中含有控制字符。', 'The message contains control characters.')
  return text
}

export const replyCommand: Command = {
  name: 'reply',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse(
      'reply',
      argv,
      { key: { type: 'string', multiple: true }, text: { type: 'string' }, file: { type: 'string' }, 'request-material': { type: 'boolean' }, 'accept-unverified-key': { type: 'boolean' }, ...DATA_OPTION, ...REMOTE_OPTIONS },
      true,
    )
    if (positionals.length !== 1) throw new CliError('用法：npm run bureau -- reply 编号 --key 私钥文件 --text "…"', 'Usage: npm run bureau -- reply ID --key FILE --text "…"')
    const caseId = parseCaseId(positionals[0])
    const text = messageText(values)
    const keyFiles = keyFilesOf('reply', values)
    const data = await openSource('reply', values, io)
    try {
      const keys = await loadKeyFiles(keyFiles, io.env)
      const ctx = await openCase(data, caseId, keys)
      if (!ctx.replyKey) {
        throw new CliError(
          '无法回复：这是渠道上线前提交的举报，举报人还没有用新版程序打开过案件（还没有回复公钥）。',
          'Cannot reply: a report made before the case channel whose resident has not opened the case with a new app yet (no reply key).',
        )
      }
      if (!ctx.replyKey.verified) {
        io.err(UNVERIFIED_KEY_WARNING)
        io.err(reportSummary(ctx))
        if (values['accept-unverified-key'] !== true) {
          throw new CliError(
            '未发送。如果确认这一风险（回复中没有不能让服务器看到的内容），加 --accept-unverified-key 再运行（与工作台上勾选“我已了解风险，仍要回复”相同）。',
            "Not sent. If you accept the risk (the reply holds nothing the server must not read), run again with --accept-unverified-key (the same as ticking 我已了解风险，仍要回复 on the workstation).",
          )
        }
        io.err('已确认风险（--accept-unverified-key），发送到服务器登记的回复公钥。/ Risk accepted (--accept-unverified-key): sending to the reply key registered with the server.')
      }
      if (ctx.record.status === 'closed') io.err('提示：此案件已办结；举报人仍可在规定期限内回复。/ Note: the case is closed; the resident may still answer within the window.')
      const conversation = await readConversation(data, ctx, keys)
      const lastSeen = [...conversation].reverse().find((e) => e.plaintext)?.stored.msgId ?? null
      const msgId = randomBytes(16).toString('hex')
      const now = Date.now()
      const record = sealBureauReply({ caseId, msgId, text, requestsMaterial: values['request-material'] === true, inReplyTo: lastSeen, now }, keys[0], ctx.replyKey)
      const result = await data.repository.cases.postBureauMessage(record, now)
      if (result.outcome !== 'created' && result.outcome !== 'existing') throw new CliError('消息未能保存。', 'The message was not stored.')
      io.out(
        `已发送 sent: 案件 case ${caseId}，消息 #${result.message.seq}（${msgId}），${cstDateTime(now).slice(0, 16)} 北京时间` +
          `${values['request-material'] ? '，标记为请求补充材料 (requests more material)' : ''}\n` +
          `举报人用查询码打开案件页面即可看到 / The resident sees it on the case page with the 查询码.`,
      )
      return 0
    } finally {
      await data.close()
    }
  },
}
