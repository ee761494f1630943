/**
 * list: the submissions on the server, finalized and unfinished, with everything the server knows
 * about them: id, times, sizes, public status. Not the category, the branch, the reporter or any
 * content: that is encrypted to the bureau's key and only export can read it.
 */
import { DATA_HELP, DATA_OPTION, parse } from '../args'
import { STATUS_LABELS, type Command } from '../command'
import { allSubmissions } from '../data-dir'
import { CliError } from '../errors'
import { REMOTE_HELP, REMOTE_OPTIONS, isLocal, openSource } from '../remote-options'
import { formatBytes } from '../report-md'
import { cstDateTime } from '../time'
import { partitionStored, printable } from '../untrusted'

const HELP = `npm run bureau -- list [--state all|finalized|unfinished] [--json] [--data DIR | --server URL --token-file FILE]

列出服务器上的举报：编号、时间、大小、处理状态。服务器只保存密文，除此之外一无所知：
举报类别、内容、举报人都要用 export 解密后才能看到。查询码只有举报人知道（服务器只存它的散列值）。
Lists the submissions on the server: id, times, sizes, status. The server keeps only ciphertext and
knows nothing else: category, content and reporter are visible only after export. Receipts (查询码)
are known only to the reporters (the server keeps a hash).

选项 Options:
  --state S           all（默认 default）| finalized 已提交完成 | unfinished 未完成（上传中断，24 小时后自动删除）
  --json              以 JSON 输出，供脚本使用 / JSON output for scripts
${DATA_HELP}

${REMOTE_HELP}
  远程模式只列出已提交完成的举报（扫黑办接口不提供未完成的上传）。
  Remote mode lists finalized submissions only (the bureau API does not serve unfinished uploads).`

interface Row {
  id: string
  state: 'finalized' | 'unfinished'
  createdAt: string
  acceptedAt: string | null
  expiresAt: string | null
  kid: string
  attachments: number
  /** Ciphertext bytes stored (report object + attachments). */
  storedBytes: number
  /** Ciphertext bytes declared at creation (report object + attachments). */
  declaredBytes: number
  status: string | null
  statusChangedAt: string | null
  note: string | null
  /** Case channel: the resident's messages not yet read (messages shows them), and their added files. */
  unreadMessages: number
  unreadFiles: number
}

export const listCommand: Command = {
  name: 'list',
  help: HELP,
  async run(argv, io) {
    const { values } = parse('list', argv, { state: { type: 'string' }, json: { type: 'boolean' }, ...DATA_OPTION, ...REMOTE_OPTIONS })
    const state = (values.state as string | undefined) ?? 'all'
    if (!['all', 'finalized', 'unfinished'].includes(state)) {
      throw new CliError(`--state 只能是 all、finalized 或 unfinished，而不是 "${state}"。`, `--state must be all, finalized or unfinished, not "${state}".`)
    }
    const data = await openSource('list', values, io)
    try {
      if (!isLocal(data)) {
        if (state === 'unfinished') {
          throw new CliError('扫黑办接口不提供未完成的上传：请在服务器主机上用 --data 查看。', 'The bureau API does not serve unfinished uploads: run list with --data on the server host.')
        }
        if (state === 'all') io.err('远程模式：只列出已提交完成的举报。/ Remote mode: finalized submissions only.')
      }
      const stored = partitionStored(await allSubmissions(data.repository, state === 'all' ? {} : { state: state === 'finalized' ? 'accepted' : 'open' }))
      for (const r of stored.invalid) {
        io.err(`⚠️ 无效记录（可能被篡改），不列出 / invalid record (tampered?), not listed: ${r.shownId}: ${r.problem}`)
      }
      const subs = stored.valid
      // Counts from the data directory: only non-negative integers are believed.
      const count = (n: unknown) => (Number.isSafeInteger(n) && (n as number) >= 0 ? (n as number) : 0)
      const activity = new Map((await data.repository.cases.listActivity(subs.map((s) => s.id))).map((a) => [a.caseId, a]))
      const rows: Row[] = []
      for (const s of subs) {
        const declared = s.reportSize + s.attachments.reduce((sum, a) => sum + a.size, 0)
        let stored = declared
        if (s.state === 'open' && isLocal(data)) {
          stored = s.reportSize
          for (const a of s.attachments) stored += await data.blobs.size(s.id, a.n)
        }
        rows.push({
          id: s.id,
          state: s.state === 'accepted' ? 'finalized' : 'unfinished',
          createdAt: new Date(s.createdAt).toISOString(),
          acceptedAt: s.acceptedAt !== null ? new Date(s.acceptedAt).toISOString() : null,
          expiresAt: s.expiresAt !== null ? new Date(s.expiresAt).toISOString() : null,
          kid: s.header.kid,
          attachments: s.attachments.length,
          storedBytes: stored,
          declaredBytes: declared,
          status: s.status,
          statusChangedAt: s.statusChangedAt !== null ? new Date(s.statusChangedAt).toISOString() : null,
          note: s.publicNote,
          unreadMessages: count(activity.get(s.id)?.unread),
          unreadFiles: count(activity.get(s.id)?.unreadAttachments),
        })
      }
      if (values.json) {
        io.out(JSON.stringify(rows, null, 2))
        return 0
      }
      const finalized = rows.filter((r) => r.state === 'finalized').length
      io.out(`共 ${rows.length} 条：已提交 ${finalized} 条，未完成 ${rows.length - finalized} 条。 / ${rows.length} submissions: ${finalized} finalized, ${rows.length - finalized} unfinished.`)
      if (rows.length > 0) {
        const table = rows.map((r) => {
          const ms = (iso: string | null) => (iso ? cstDateTime(Date.parse(iso)).slice(0, 16) : '—')
          return [
            r.id,
            r.state === 'finalized' ? '已提交 finalized' : '未完成 unfinished',
            ms(r.createdAt),
            r.state === 'finalized' ? ms(r.acceptedAt) : `删除于 expires ${ms(r.expiresAt)}`,
            r.state === 'finalized' ? formatBytes(r.declaredBytes) : `${formatBytes(r.storedBytes)}/${formatBytes(r.declaredBytes)}`,
            String(r.attachments),
            r.status ? `${STATUS_LABELS[r.status as keyof typeof STATUS_LABELS] ?? r.status} ${r.status}` : '—',
            ms(r.statusChangedAt),
            r.unreadMessages > 0 ? `${r.unreadMessages} 条` : '—',
            r.unreadFiles > 0 ? `${r.unreadFiles} 个` : '—',
            r.kid,
          ]
        })
        const header = ['编号 id', '状态 state', '创建 created', '收到 received', '大小 size', '附件 files', '处理状态 status', '状态更新 changed', '未读消息 unread', '新材料 new files', 'kid']
        const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0)
        const widths = header.map((h, i) => Math.max(width(h), ...table.map((row) => width(row[i]))))
        const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i] - width(c))).join('  ').trimEnd()
        io.out([line(header), ...table.map(line)].join('\n'))
        const unread = rows.filter((r) => r.unreadMessages > 0)
        if (unread.length > 0) {
          io.out(`\n有未读的举报人消息：${unread.length} 条案件；用 messages 编号 查看，export 导出新材料。\n${unread.length} cases have unread resident messages: read them with messages ID; export fetches the new material.`)
        }
        const notes = rows.filter((r) => r.note)
        if (notes.length > 0) {
          io.out('\n公开备注（举报人可见）/ Public notes (the reporter sees them):')
          for (const r of notes) io.out(`  ${r.id}: ${printable(r.note, 600)}`)
        }
      }
      io.out(`
时间为北京时间。大小为密文大小。服务器只知道以上信息：类别、内容、举报人等都已加密，需用 export 解密查看。
Times are China Standard Time; sizes are of ciphertext. This is all the server knows: category,
content and reporter are encrypted; use export to read them.`)
      return 0
    } finally {
      await data.close()
    }
  },
}
