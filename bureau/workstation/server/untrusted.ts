/**
 * Case metadata from the bureau API is hostile input: the shapes, ids, sizes, times and header
 * the workstation relies on are checked here, and a case that fails is refused (named in the
 * inbox's warning) rather than half-used.
 */
import { LIMITS } from '../../../server/src/limits'
import { SUITE_V1, SUITE_V2 } from '../../../server/src/envelope'
import { PUBLIC_STATUSES, type PublicStatus } from '../../../server/src/repository/types'
import { printable } from '../../untrusted'

export interface RemoteCase {
  id: string
  receivedAt: number
  branch: string | null
  status: PublicStatus
  statusChangedAt: number
  publicNote: string | null
  header: { v: 1 | 2; suite: string; kid: string; epk: string }
  attachments: { n: number; size: number }[]
  readAt: number | null
  notes: number
}

const isTime = (t: unknown): t is number => typeof t === 'number' && Number.isSafeInteger(t) && t >= 946_684_800_000 && t < 7_258_118_400_000

/** The checked case, or a printable reason for refusing it. */
export function checkCaseMeta(input: unknown): RemoteCase | string {
  const c = input as Record<string, unknown> | null
  if (typeof c !== 'object' || c === null) return '服务器返回了格式错误的举报记录'
  const id = c.id
  if (typeof id !== 'string' || !/^[0-9a-f]{32}$/.test(id)) return `编号格式错误的记录 ${printable(id, 40)}`
  const h = c.header as Record<string, unknown> | null
  if (typeof h !== 'object' || h === null || (h.v !== 1 && h.v !== 2) || h.suite !== (h.v === 1 ? SUITE_V1 : SUITE_V2)) return `举报 ${id}：加密格式未知`
  if (typeof h.kid !== 'string' || !/^[0-9a-f]{16}$/.test(h.kid) || typeof h.epk !== 'string' || h.epk.length !== 44) return `举报 ${id}：加密头格式错误`
  if (!isTime(c.receivedAt) || !isTime(c.statusChangedAt)) return `举报 ${id}：时间格式错误`
  if (!(PUBLIC_STATUSES as readonly unknown[]).includes(c.status)) return `举报 ${id}：状态未知`
  if (c.branch !== null && (typeof c.branch !== 'string' || !/^[a-z0-9_-]{1,32}$/.test(c.branch))) return `举报 ${id}：受理单位代码格式错误`
  if (c.publicNote !== null && (typeof c.publicNote !== 'string' || c.publicNote.length > LIMITS.maxPublicNote)) return `举报 ${id}：公开说明格式错误`
  if (c.readAt !== null && !isTime(c.readAt)) return `举报 ${id}：已读时间格式错误`
  if (!Number.isSafeInteger(c.notes) || (c.notes as number) < 0 || (c.notes as number) > 100_000) return `举报 ${id}：备注数格式错误`
  const list = c.attachments
  if (!Array.isArray(list) || list.length > LIMITS.maxAttachments) return `举报 ${id}：附件列表格式错误`
  const attachments: RemoteCase['attachments'] = []
  for (let i = 0; i < list.length; i++) {
    const a = list[i] as Record<string, unknown>
    if (a?.n !== i || !Number.isSafeInteger(a.size) || (a.size as number) < 0 || (a.size as number) > LIMITS.maxAttachmentBytes + 1024) return `举报 ${id}：附件 ${i + 1} 格式错误`
    attachments.push({ n: i, size: a.size as number })
  }
  return {
    id,
    receivedAt: c.receivedAt,
    branch: c.branch as string | null,
    status: c.status as PublicStatus,
    statusChangedAt: c.statusChangedAt,
    publicNote: c.publicNote as string | null,
    header: { v: h.v, suite: h.suite as string, kid: h.kid, epk: h.epk },
    attachments,
    readAt: c.readAt as number | null,
    notes: c.notes as number,
  }
}
