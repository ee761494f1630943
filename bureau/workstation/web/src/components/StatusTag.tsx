import { Tag } from 'antd'
import type { PublicStatus } from '../../../shared/types'
import { STATUS_LABELS } from '../format'

const COLORS: Record<PublicStatus, string> = { received: 'blue', reviewing: 'orange', closed: 'default' }

export function StatusTag({ status }: { status: PublicStatus }) {
  return (
    <Tag color={COLORS[status]} data-testid="status-tag">
      {STATUS_LABELS[status]}
    </Tag>
  )
}
