/** The server's append-only audit log: which workstation token did what to which case, and when. */
import { Alert, Button, Card, Input, Table } from 'antd'
import { useState } from 'react'
import type { AuditView } from '../../../shared/types'
import { api } from '../api'
import { ACTION_LABELS, cstDateTime } from '../format'
import { useLoad } from '../hooks/useLoad'
import { routes } from '../hooks/useRoute'

export function AuditPage() {
  const [caseId, setCaseId] = useState('')
  const valid = /^[0-9a-f]{32}$/.test(caseId.trim())
  const { data, error, loading, reload } = useLoad(() => api<{ entries: AuditView[] }>(`/api/audit${valid ? `?case=${caseId.trim()}` : ''}`), [valid ? caseId.trim() : ''])
  return (
    <Card
      title="审计日志（服务器记录，不能修改或删除）"
      extra={
        <>
          <Input style={{ width: 300, marginRight: 8 }} allowClear placeholder="只看某条举报（填 32 位编号）" value={caseId} onChange={(e) => setCaseId(e.target.value)} />
          <Button onClick={() => void reload()}>刷新</Button>
        </>
      }
    >
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} /> : null}
      <Table<AuditView>
        rowKey="seq"
        size="small"
        loading={loading}
        dataSource={data?.entries ?? []}
        pagination={{ defaultPageSize: 50 }}
        data-testid="audit-table"
        columns={[
          { title: '序号', dataIndex: 'seq', width: 80 },
          { title: '时间', dataIndex: 'at', width: 160, render: (t: number) => cstDateTime(t) },
          { title: '工作站', dataIndex: 'tokenName', width: 180 },
          { title: '操作', dataIndex: 'action', width: 160, render: (a: string) => <span data-testid="audit-action">{ACTION_LABELS[a] ?? a}</span> },
          { title: '举报编号', dataIndex: 'caseId', render: (c: string | null) => (c ? <a href={routes.case(c)}>{c}</a> : '—') },
          { title: '详情', dataIndex: 'detail', render: (d: string | null) => d ?? '' },
        ]}
      />
    </Card>
  )
}
