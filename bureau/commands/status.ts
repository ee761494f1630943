/**
 * status: sets the public status of a finalized submission, what the reporter sees on the status
 * page with their receipt (查询码): received 已收到, reviewing 核查中, closed 已办结, with an optional
 * short note. Uses the server's repository; safe while the server runs (SQLite WAL).
 */
import { LIMITS } from '../../server/src/limits'
import { PUBLIC_STATUSES, type PublicStatus } from '../../server/src/repository'
import { DATA_HELP, DATA_OPTION, parse } from '../args'
import { STATUS_EXPLANATIONS, STATUS_LABELS, type Command } from '../command'
import { CliError } from '../errors'
import { REMOTE_HELP, REMOTE_OPTIONS, openSource } from '../remote-options'
import { checkedSubmission, printable } from '../untrusted'
import { cstDateTime } from '../time'

const HELP = `npm run bureau -- status ID received|reviewing|closed [--note TEXT | --clear-note] [--data DIR | --server URL --token-file FILE]

设置举报人用查询码在“查询进度”页面看到的处理状态：
  received   已收到   ${STATUS_EXPLANATIONS.received}
  reviewing  核查中   ${STATUS_EXPLANATIONS.reviewing}
  closed     已办结   ${STATUS_EXPLANATIONS.closed}
Sets what the reporter sees on the status page with their receipt (查询码).

ID 是举报编号（32 位，list 或导出文件夹名中可见；也可以直接写导出文件夹名，如 2024-05-01-<编号>）。
ID is the submission id (32 hex digits, shown by list and in export folder names; a folder name works too).

选项 Options:
  --note TEXT         给举报人的简短公开说明（最多 ${LIMITS.maxPublicNote} 字）。持有查询码的任何人都能看到：
                      不要写姓名、电话、案情等任何个人或案件信息。不给 --note 时保留原来的说明。
                      a short public note (at most ${LIMITS.maxPublicNote} characters) that anyone with the receipt sees:
                      no names, numbers or case details. Without --note the current note is kept.
  --clear-note        删除原来的说明 / remove the current note
${DATA_HELP}

${REMOTE_HELP}`

/** A 32-hex id, or an export folder name ending in one. */
export function parseSubmissionId(input: string): string | undefined {
  const m = /^(?:\d{4}-\d{2}-\d{2}-)?([0-9a-f]{32})\/?$/.exec(input.trim().toLowerCase().split(/[/\\]/).filter(Boolean).pop() ?? '')
  return m?.[1]
}

export const statusCommand: Command = {
  name: 'status',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse('status', argv, { note: { type: 'string' }, 'clear-note': { type: 'boolean' }, ...DATA_OPTION, ...REMOTE_OPTIONS }, true)
    if (positionals.length !== 2) {
      throw new CliError(
        '用法：npm run bureau -- status 编号 received|reviewing|closed [--note 说明]',
        'Usage: npm run bureau -- status ID received|reviewing|closed [--note TEXT]',
      )
    }
    const [rawId, rawStatus] = positionals
    const id = parseSubmissionId(rawId)
    if (!id) throw new CliError(`"${rawId}" 不是举报编号（应为 32 位十六进制数字）。`, `"${rawId}" is not a submission id (32 hexadecimal digits).`)
    if (!(PUBLIC_STATUSES as readonly string[]).includes(rawStatus)) {
      throw new CliError(
        `状态 "${rawStatus}" 无效，只能是 received（已收到）、reviewing（核查中）或 closed（已办结）。`,
        `Invalid status "${rawStatus}": use received, reviewing or closed.`,
      )
    }
    const status = rawStatus as PublicStatus
    if (values.note !== undefined && values['clear-note']) {
      throw new CliError('--note 和 --clear-note 不能同时使用。', '--note and --clear-note cannot be used together.')
    }
    let note: string | null | undefined = values['clear-note'] ? null : undefined
    if (typeof values.note === 'string') {
      const trimmed = values.note.trim()
      if ([...trimmed].length > LIMITS.maxPublicNote) {
        throw new CliError(`说明太长：最多 ${LIMITS.maxPublicNote} 个字符。`, `The note is too long: at most ${LIMITS.maxPublicNote} characters.`)
      }
      if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(trimmed)) throw new CliError('说明中含有控制字符。', 'The note contains control characters.')
      note = trimmed === '' ? null : trimmed
    }

    const data = await openSource('status', values, io)
    try {
      const found = await data.repository.getSubmission(id)
      const before = found && checkedSubmission(found)
      if (!before) throw new CliError(`服务器上没有编号为 ${id} 的举报（可能已被清理；远程模式下也可能是此令牌只限其他受理单位，无权查看）。`, `No submission ${id} on the server (purged, or remotely: the token is limited to other branches).`)
      if (before.state !== 'accepted') {
        throw new CliError(`举报 ${id} 尚未提交完成（上传中断），不能设置状态。`, `Submission ${id} is unfinished (its upload never completed); it has no status.`)
      }
      const changed = await data.repository.setStatus(id, status, note, Date.now())
      if (!changed) throw new CliError(`无法设置举报 ${id} 的状态。`, `Could not set the status of ${id}.`)
      const after = checkedSubmission(changed)
      io.out(
        `举报 ${id}：${STATUS_LABELS[before.status ?? 'received']} → ${STATUS_LABELS[status]}（${status}），${cstDateTime(after.statusChangedAt ?? Date.now())} 北京时间\n` +
          `Submission ${id}: ${before.status ?? '—'} → ${status}\n\n` +
          `举报人查询时将看到 / The reporter now sees:\n` +
          `  ${STATUS_LABELS[status]} — ${STATUS_EXPLANATIONS[status]}` +
          (after.publicNote ? `\n  说明 note: ${printable(after.publicNote, 600)}` : ''),
      )
      return 0
    } finally {
      await data.close()
    }
  },
}
