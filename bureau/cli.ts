/**
 * The bureau's command-line tool: `npm run bureau -- <command> [options]`.
 *
 *   keygen   a new key pair, its private key file protected by a passphrase (and the signing key)
 *   sign-keys  sign the key list phones may encrypt to (keys.signed.json)
 *   list     submissions on the server (ids, times, sizes, status: all the server knows)
 *   export   decrypt finalized submissions into folders staff can read and archive
 *   messages the conversation of a case, decrypted
 *   reply    an encrypted message to the resident (optionally a request for more material)
 *   status   set what a reporter sees on the status page
 *   qrcode   a QR code image for the notice
 *   purge    delete closed submissions for data retention (dry run first)
 *   token    workstation tokens for the bureau API (create, list, revoke)
 *
 * Exit status: 0 done; 1 some items failed or need attention (details printed); 2 nothing done
 * (wrong command or option, missing key, wrong passphrase, not the server's data directory).
 */
import type { Command, Io } from './command'
import { CliError, EXIT_USAGE, formatError } from './errors'
import { RemoteError } from './remote'

interface Entry {
  name: string
  summary: [zh: string, en: string]
  /** Loaded only when run, so that a command does not pay for the others' dependencies. */
  load(): Promise<Command>
}

export const COMMANDS: readonly Entry[] = [
  { name: 'keygen', summary: ['生成新的密钥对（私钥文件有口令保护）', 'generate a new key pair (passphrase-protected private key file)'], load: async () => (await import('./commands/keygen')).keygenCommand },
  { name: 'sign-keys', summary: ['给手机可用的公钥列表签名（keys.signed.json）', 'sign the key list phones may encrypt to (keys.signed.json)'], load: async () => (await import('./commands/sign-keys')).signKeysCommand },
  { name: 'list', summary: ['列出服务器上的举报（编号、时间、大小、状态）', 'list submissions (ids, times, sizes, status)'], load: async () => (await import('./commands/list')).listCommand },
  { name: 'export', summary: ['解密已提交的举报，导出到文件夹', 'decrypt finalized submissions into folders'], load: async () => (await import('./commands/export')).exportCommand },
  { name: 'messages', summary: ['显示与举报人的往来消息（解密）', 'show the conversation with the resident (decrypted)'], load: async () => (await import('./commands/messages')).messagesCommand },
  { name: 'reply', summary: ['给举报人发送加密消息（可请求补充材料）', 'send the resident an encrypted message (may request material)'], load: async () => (await import('./commands/reply')).replyCommand },
  { name: 'status', summary: ['设置举报人看到的处理状态', 'set the status the reporter sees'], load: async () => (await import('./commands/status')).statusCommand },
  { name: 'qrcode', summary: ['生成通告上的二维码（PNG 或 SVG）', 'make the QR code for the notice (PNG or SVG)'], load: async () => (await import('./commands/qrcode')).qrcodeCommand },
  { name: 'token', summary: ['工作站访问令牌：生成（只显示一次）、列出、撤销', 'workstation tokens for the bureau API: create (shown once), list, revoke'], load: async () => (await import('./commands/token')).tokenCommand },
  { name: 'purge', summary: ['按保存期限删除已办结的举报（先试运行）', 'delete closed submissions for data retention (dry run first)'], load: async () => (await import('./commands/purge')).purgeCommand },
]

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}   ${c.summary[0]}\n  ${' '.repeat(width)}   ${c.summary[1]}`)
  return `扫黑办线索举报工具 / Bureau tools for the clue-report server

用法 Usage:  npm run bureau -- <命令 command> [选项 options]
             npm run bureau -- <命令 command> --help     每个命令的说明 / help for one command

命令 Commands:
${lines.join('\n')}

退出状态 Exit status: 0 完成 done; 1 部分失败或需要注意 some items failed or need attention;
2 未执行 nothing done (参数、密钥、口令或数据目录有误 wrong option, key, passphrase or data directory).

说明见 README.md「For bureau staff (扫黑办工作人员)」。 See README.md, "For bureau staff".`
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined
    io.out(target ? (await target.load()).help : mainHelp())
    return name === undefined ? EXIT_USAGE : 0
  }
  const entry = COMMANDS.find((c) => c.name === name)
  if (!entry) {
    io.err(formatError(new CliError(`没有 "${name}" 这个命令。`, `Unknown command "${name}".`)))
    io.err(mainHelp())
    return EXIT_USAGE
  }
  try {
    const command = await entry.load()
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.help)
      return 0
    }
    return await command.run(rest, io)
  } catch (e) {
    if (e instanceof CliError) {
      io.err(formatError(e))
      return e.exitCode
    }
    if (e instanceof RemoteError) {
      // The bureau API (--server): unreachable, token revoked, a case this token may not see, …
      io.err(formatError(new CliError(e.zh, `bureau API: ${e.code}${e.status ? ` (HTTP ${e.status})` : ''}`)))
      return EXIT_USAGE
    }
    io.err(`内部错误 Internal error: ${(e as Error)?.stack ?? String(e)}\n`)
    return EXIT_USAGE
  }
}

const processIo: Io = {
  env: process.env,
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
}

if (require.main === module) {
  runCli(process.argv.slice(2), processIo).then(
    (code) => {
      process.exitCode = code
    },
    (e: unknown) => {
      process.stderr.write(`内部错误 Internal error: ${(e as Error)?.stack ?? String(e)}\n`)
      process.exitCode = EXIT_USAGE
    },
  )
}
