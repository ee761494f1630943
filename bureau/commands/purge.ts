/**
 * purge: data retention. Deletes submissions that have been closed (已办结) for more than DAYS
 * days, with their blobs. Without --yes it is a dry run that only lists what would go; with
 * --exported-to DIR it also refuses to delete anything that was never exported there.
 */
import fs from 'node:fs'
import path from 'node:path'
import { purgeSubmission } from '../../server/src/services'
import { DATA_HELP, DATA_OPTION, dataDirOf, parse, required } from '../args'
import type { Command } from '../command'
import { allSubmissions, openDataDir } from '../data-dir'
import { partitionStored } from '../untrusted'
import { CliError, EXIT_OK, EXIT_PARTIAL } from '../errors'
import { formatBytes } from '../report-md'
import { cstDate, cstDateTime } from '../time'
import { MARKER_FILE } from './export'

const DAY_MS = 24 * 60 * 60 * 1000

const HELP = `npm run bureau -- purge --older-than DAYS [--yes] [--exported-to DIR] [--data DIR]

按保存期限删除服务器上“已办结”（closed）超过 DAYS 天的举报及其加密附件。
不加 --yes 时只是试运行：列出将被删除的举报，什么也不删。确认无误后加 --yes 再运行一次。
只删除服务器上的密文；已导出的文件夹不受影响，请按档案规定另行管理。
Deletes submissions closed more than DAYS days ago, with their encrypted attachments, for data
retention. Without --yes it is a dry run that lists them and deletes nothing; run again with --yes.
Only the server's ciphertext is deleted; exported folders are not touched.

选项 Options:
  --older-than DAYS   办结超过多少天（按最后一次设置状态的时间计算）/ closed more than DAYS days ago
  --yes               真正删除 / really delete (otherwise a dry run)
  --exported-to DIR   只删除已导出到 DIR 的举报，未导出的保留并提示 / keep any not exported to DIR
${DATA_HELP}`

export const purgeCommand: Command = {
  name: 'purge',
  help: HELP,
  async run(argv, io) {
    const { values } = parse('purge', argv, { 'older-than': { type: 'string' }, yes: { type: 'boolean' }, 'exported-to': { type: 'string' }, ...DATA_OPTION })
    const raw = required('purge', values, 'older-than', '天数')
    if (!/^\d{1,5}$/.test(raw)) {
      throw new CliError(`--older-than 应为天数（0 或正整数），而不是 "${raw}"。`, `--older-than must be a whole number of days, not "${raw}".`)
    }
    const days = Number(raw)
    const exportedTo = typeof values['exported-to'] === 'string' ? path.resolve(values['exported-to']) : undefined
    if (exportedTo !== undefined && !fs.existsSync(exportedTo)) {
      throw new CliError(`导出目录 ${exportedTo} 不存在。`, `The export directory ${exportedTo} does not exist.`)
    }
    const really = values.yes === true
    const data = await openDataDir(dataDirOf(values, io.env), io.env)
    try {
      const now = Date.now()
      const cutoff = now - days * DAY_MS
      const stored = partitionStored(await allSubmissions(data.repository, { state: 'accepted' }))
      for (const r of stored.invalid) io.err(`⚠️ 无效记录（可能被篡改），不处理 / invalid record (tampered?), left alone: ${r.shownId}: ${r.problem}`)
      const closed = stored.valid
      const due = closed.filter((s) => s.status === 'closed' && (s.statusChangedAt ?? Infinity) <= cutoff)
      const kept: string[] = []
      const targets = due.filter((s) => {
        if (exportedTo === undefined) return true
        const exported = fs.existsSync(path.join(exportedTo, `${cstDate(s.acceptedAt ?? s.createdAt)}-${s.id}`, MARKER_FILE))
        if (!exported) kept.push(s.id)
        return exported
      })

      io.out(
        `${really ? '' : '【试运行 DRY RUN】'}办结超过 ${days} 天（${cstDateTime(cutoff)} 以前办结）的举报：${due.length} 条。\n` +
          `Submissions closed more than ${days} days ago (before ${cstDateTime(cutoff)} UTC+8): ${due.length}.`,
      )
      for (const s of targets) {
        const size = s.reportSize + s.attachments.reduce((sum, a) => sum + a.size, 0)
        io.out(`  ${s.id}  收到 received ${cstDateTime(s.acceptedAt ?? s.createdAt)}  办结 closed ${cstDateTime(s.statusChangedAt ?? 0)}  ${formatBytes(size)}  ${s.attachments.length} 个附件 files`)
      }
      if (kept.length > 0) {
        io.err(`以下举报尚未导出到 ${exportedTo}，不会删除 / Not exported to ${exportedTo}, kept:\n${kept.map((id) => `  ${id}`).join('\n')}`)
      }
      if (!really) {
        io.out(
          targets.length > 0
            ? `\n以上 ${targets.length} 条将被删除；什么也没有删。确认后加 --yes 再运行一次。\nThe ${targets.length} above would be deleted; nothing was deleted. Run again with --yes to delete them.`
            : '\n没有需要删除的举报。/ Nothing to delete.',
        )
        return kept.length > 0 ? EXIT_PARTIAL : EXIT_OK
      }
      let deleted = 0
      for (const s of targets) {
        // Re-check just before deleting: the status may have changed since the list was read.
        const current = await data.repository.getSubmission(s.id)
        if (!current || current.status !== 'closed' || (current.statusChangedAt ?? Infinity) > cutoff) {
          io.err(`  跳过 skipped ${s.id}：状态已改变 / its status changed`)
          continue
        }
        await purgeSubmission(data, s.id)
        deleted += 1
        io.out(`  已删除 deleted ${s.id}`)
      }
      io.out(`\n已删除 ${deleted} 条举报及其附件。/ Deleted ${deleted} submissions and their attachments.`)
      return kept.length > 0 ? EXIT_PARTIAL : EXIT_OK
    } finally {
      await data.close()
    }
  },
}
