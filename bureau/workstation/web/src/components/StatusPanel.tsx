/** Status and the public note: what the resident sees on the phone's status page. */
import { Alert, Button, Card, Input, Radio, Space, Typography } from 'antd'
import { useEffect, useState } from 'react'
import type { CaseRow, PublicStatus } from '../../../shared/types'
import { api } from '../api'
import { cstDateTime, STATUS_LABELS } from '../format'

export function StatusPanel({ row, onSaved }: { row: CaseRow; onSaved: (row: CaseRow) => void }) {
  const [status, setStatus] = useState<PublicStatus>(row.status)
  const [note, setNote] = useState(row.publicNote ?? '')
  const [error, setError] = useState<string>()
  const [saving, setSaving] = useState(false)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    setStatus(row.status)
    setNote(row.publicNote ?? '')
  }, [row.id, row.status, row.publicNote])
  const save = async () => {
    setSaving(true)
    setError(undefined)
    setSaved(false)
    try {
      const r = await api<{ row: CaseRow }>(`/api/cases/${row.id}/status`, { method: 'PUT', body: { status, note: note.trim() || null } })
      onSaved(r.row)
      setSaved(true)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setSaving(false)
    }
  }
  const changed = status !== row.status || (note.trim() || null) !== row.publicNote
  return (
    <Card title="状态与公开说明" size="small" style={{ marginBottom: 16 }} data-testid="status-panel">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Radio.Group value={status} onChange={(e) => setStatus(e.target.value as PublicStatus)} optionType="button" buttonStyle="solid" data-testid="status-choice">
          {(Object.keys(STATUS_LABELS) as PublicStatus[]).map((s) => (
            <Radio.Button key={s} value={s} data-testid={`status-${s}`}>
              {STATUS_LABELS[s]}
            </Radio.Button>
          ))}
        </Radio.Group>
        <Input.TextArea rows={2} maxLength={500} showCount value={note} onChange={(e) => setNote(e.target.value)} placeholder="公开说明（可选）：举报人在手机上查询进度时看到，请勿写入案情细节" data-testid="public-note" />
        <Space>
          <Button type="primary" onClick={() => void save()} disabled={!changed} loading={saving} data-testid="status-save">
            保存状态
          </Button>
          <Typography.Text type="secondary">上次更改：{cstDateTime(row.statusChangedAt)}</Typography.Text>
        </Space>
        {saved && !changed ? <Alert type="success" showIcon message={`已保存：${STATUS_LABELS[row.status]}`} data-testid="status-saved" /> : null}
        {error ? <Alert type="error" showIcon message={error} data-testid="status-error" /> : null}
      </Space>
    </Card>
  )
}
