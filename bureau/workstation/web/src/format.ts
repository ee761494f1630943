/** Display helpers (Beijing time, as the phone and the CLI show it). */
import { findCategory } from '@/domain/categories'
import { STATUS_LABELS, type PublicStatus } from '@/domain/status'

export { formatBytes } from '@/domain/format'
export { STATUS_LABELS }

const CST = 8 * 3600_000
export function cstDateTime(ms: number): string {
  return new Date(ms + CST).toISOString().slice(0, 16).replace('T', ' ')
}
export function cstDate(ms: number): string {
  return new Date(ms + CST).toISOString().slice(0, 10)
}
export function ageText(ms: number, now = Date.now()): string {
  const days = Math.floor((now - ms) / 86400_000)
  return days <= 0 ? '今天' : `${days} 天`
}
export function categoryName(code: string | null): string {
  if (!code) return '—'
  const c = findCategory(code)
  return c ? `${c.ordinal}${c.name}` : `未知类别（${code}）`
}
export function statusName(s: PublicStatus): string {
  return STATUS_LABELS[s]
}
export const ACTION_LABELS: Record<string, string> = {
  'token.create': '生成令牌',
  'token.revoke': '撤销令牌',
  'cases.list': '列出举报',
  'case.view': '查看举报信息',
  'case.report': '下载举报（密文）',
  'case.attachment': '下载附件（密文）',
  'case.status': '设置状态',
  'case.read': '标记已读',
  'case.note': '添加内部备注',
  'case.notes': '读取内部备注',
  'case.reply': '回复举报人',
  'case.messages': '读取对话',
  'audit.read': '查看审计日志',
  'campaign.read': '读取活动配置',
}
