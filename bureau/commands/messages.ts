/**
 * messages: the conversation of one case, decrypted with the bureau key files, in the server's
 * order, with times; the resident's messages shown are then marked read (list counts unread ones).
 */
import { DATA_HELP, DATA_OPTION, parse } from '../args'
import { openCase, readConversation, type ConversationEntry } from '../case'
import type { Command } from '../command'
import { CliError, EXIT_OK, EXIT_PARTIAL } from '../errors'
import { PASSPHRASE_ENV, loadKeyFiles } from '../keys'
import { formatBytes } from '../report-md'
import { REMOTE_HELP, REMOTE_OPTIONS, openSource } from '../remote-options'
import { cstDateTime } from '../time'
import { printable } from '../untrusted'
import { keyFilesOf, parseCaseId } from './reply'

const HELP = `npm run bureau -- messages ID --key FILE [--key FILE …] [--no-mark-read] [--data DIR | --server URL --token-file FILE]

显示一条举报（案件）与举报人之间的往来消息，用私钥解密，按服务器收到的顺序，带时间（北京时间）。
显示后，举报人的消息标记为已读（list 中的“未读”随之减少）；--no-mark-read 不标记。
Shows the conversation of one case, decrypted with the key files, in order with times; the
resident's messages shown are then marked read (--no-mark-read: not).

选项 Options:
  --key FILE          私钥文件（可给多次）/ a private key file (may be given several times)
  --no-mark-read      不标记为已读 / do not mark read
${DATA_HELP}

${REMOTE_HELP}

口令 Passphrase: 在终端中会提示输入；脚本中用环境变量 ${PASSPHRASE_ENV}。`

/** One message as terminal text (everything from the data directory made printable). */
export function formatEntry(e: ConversationEntry): string {
  const who = e.stored.from === 'bureau' ? '扫黑办 bureau' : '举报人 resident'
  const when = cstDateTime(e.stored.acceptedAt ?? e.stored.createdAt).slice(0, 16)
  const head = `#${e.stored.seq} ${when} ${who}${e.stored.from === 'resident' && e.stored.readAt === null ? '  [未读 unread]' : ''}`
  if (!e.plaintext || e.error) return `${head}\n  ✗ ${e.error}`
  const p = e.plaintext
  const lines = [head]
  if (p.requestsMaterial) lines.push('  【请求补充材料 requests more material】')
  for (const line of (p.text === '' ? '（无文字 no text）' : p.text).split('\n')) lines.push(`  ${printable(line, 4000)}`)
  for (const a of p.attachments) lines.push(`  📎 ${a.n + 1}. ${printable(a.name, 120)} (${printable(a.label, 10)}, ${printable(a.mime, 60)}, ${formatBytes(a.size)})`)
  return lines.join('\n')
}

export const messagesCommand: Command = {
  name: 'messages',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse('messages', argv, { key: { type: 'string', multiple: true }, 'no-mark-read': { type: 'boolean' }, ...DATA_OPTION, ...REMOTE_OPTIONS }, true)
    if (positionals.length !== 1) throw new CliError('用法：npm run bureau -- messages 编号 --key 私钥文件', 'Usage: npm run bureau -- messages ID --key FILE')
    const caseId = parseCaseId(positionals[0])
    const keyFiles = keyFilesOf('messages', values)
    const data = await openSource('messages', values, io)
    try {
      const keys = await loadKeyFiles(keyFiles, io.env)
      const ctx = await openCase(data, caseId, keys)
      if (ctx.replyKey && !ctx.replyKey.verified) {
        io.err('⚠️ 旧版举报：回复公钥来自服务器，未经验证（legacy report: the reply key came from the server, unverified）。')
      }
      const entries = await readConversation(data, ctx, keys)
      io.out(`案件 case ${caseId}：${entries.length} 条消息 messages\n`)
      io.out(entries.length === 0 ? '（还没有消息 no messages yet）' : entries.map(formatEntry).join('\n\n'))
      const bad = entries.filter((e) => e.error).length
      const lastShown = Math.max(0, ...entries.filter((e) => e.plaintext && !e.error).map((e) => e.stored.seq ?? 0))
      if (!values['no-mark-read'] && lastShown > 0) {
        const n = await data.repository.cases.markRead(caseId, Date.now(), lastShown)
        if (n > 0) io.err(`已将 ${n} 条举报人消息标记为已读 / ${n} resident messages marked read.`)
      }
      if (bad > 0) io.err(`\n✗ ${bad} 条消息无法打开或校验失败（见上）/ ${bad} messages failed (see above).`)
      return bad > 0 ? EXIT_PARTIAL : EXIT_OK
    } finally {
      await data.close()
    }
  },
}
