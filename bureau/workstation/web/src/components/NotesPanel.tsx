/** Internal notes: encrypted to the bureau key by the local process, readable by every workstation, not by the server. */
import { Alert, Button, Card, Empty, Input, List, Space, Typography } from 'antd'
import { useState } from 'react'
import type { NoteView } from '../../../shared/types'
import { api } from '../api'
import { useLoad } from '../hooks/useLoad'

export function NotesPanel({ id, print }: { id: string; print?: boolean }) {
  const { data, error, loading, setData } = useLoad(() => api<{ notes: NoteView[] }>(`/api/cases/${id}/notes`), [id])
  const [text, setText] = useState('')
  const [saveError, setSaveError] = useState<string>()
  const [saving, setSaving] = useState(false)
  const add = async () => {
    setSaving(true)
    setSaveError(undefined)
    try {
      setData(await api<{ notes: NoteView[] }>(`/api/cases/${id}/notes`, { method: 'POST', body: { text: text.trim() } }))
      setText('')
    } catch (e) {
      setSaveError((e as Error).message)
    } finally {
      setSaving(false)
    }
  }
  return (
    <Card title="内部备注（仅扫黑办可见）" size="small" loading={loading} style={{ marginBottom: 16 }} data-testid="notes">
      {error ? <Alert type="error" showIcon message={error} /> : null}
      <List
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="还没有内部备注" /> }}
        dataSource={data?.notes ?? []}
        renderItem={(n) => (
          <List.Item key={n.id} data-testid="note">
            {n.problem ? (
              <Alert type="warning" showIcon message={n.problem} />
            ) : (
              <Space direction="vertical" style={{ width: '100%' }}>
                <Typography.Text type="secondary">
                  {n.author} · {n.writtenAt.replace('T', ' ').slice(0, 16)}
                </Typography.Text>
                <pre className="ws-pre">{n.text}</pre>
              </Space>
            )}
          </List.Item>
        )}
      />
      {print ? null : (
        <Space direction="vertical" style={{ width: '100%', marginTop: 8 }}>
          <Input.TextArea rows={3} maxLength={5000} value={text} onChange={(e) => setText(e.target.value)} placeholder="写给同事的备注：举报人看不到，服务器上只保存密文" data-testid="note-text" />
          <Button onClick={() => void add()} disabled={!text.trim()} loading={saving} data-testid="note-add">
            添加备注
          </Button>
          {saveError ? <Alert type="error" showIcon message={saveError} data-testid="note-error" /> : null}
        </Space>
      )}
    </Card>
  )
}
