/**
 * The conversation with the resident: their messages and the bureau's replies; reply, and ask
 * for more material. Needs the case channel (issue 14): until it is in this build the reply
 * action is disabled and says why.
 */
import { Alert, Button, Card, Checkbox, Empty, Input, List, Space, Tag, Typography } from 'antd'
import { useState } from 'react'
import type { MessageView } from '../../../shared/types'
import { api } from '../api'
import { cstDateTime } from '../format'
import { useLoad } from '../hooks/useLoad'

export function Conversation({ id, print }: { id: string; print?: boolean }) {
  const { data, error, loading, reload } = useLoad(() => api<{ available: boolean; messages: MessageView[] }>(`/api/cases/${id}/messages`), [id])
  const [text, setText] = useState('')
  const [askMaterial, setAskMaterial] = useState(false)
  const [sendError, setSendError] = useState<string>()
  const [sending, setSending] = useState(false)
  const available = !!data?.available

  const send = async () => {
    setSending(true)
    setSendError(undefined)
    try {
      await api(`/api/cases/${id}/replies`, { method: 'POST', body: { text: text.trim(), requestsMaterial: askMaterial } })
      setText('')
      setAskMaterial(false)
      await reload()
    } catch (e) {
      setSendError((e as Error).message)
      await reload()
    } finally {
      setSending(false)
    }
  }

  return (
    <Card title="与举报人的对话" size="small" loading={loading} style={{ marginBottom: 16 }} data-testid="conversation">
      {error ? <Alert type="error" showIcon message={error} /> : null}
      <List
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="还没有对话" /> }}
        dataSource={data?.messages ?? []}
        renderItem={(m) => (
          <List.Item key={m.msgId} data-testid="message">
            <Space direction="vertical" style={{ width: '100%' }}>
              <Space wrap>
                <Tag color={m.from === 'resident' ? 'blue' : 'red'}>{m.from === 'resident' ? '举报人' : '扫黑办'}</Tag>
                <span>{cstDateTime(m.at)}</span>
                {m.requestsMaterial ? <Tag color="orange">请求补充材料</Tag> : null}
                {m.pending ? <Tag color="orange">尚未发出，正在重试</Tag> : null}
              </Space>
              {m.problem ? <Alert type="warning" showIcon message={m.problem} /> : <pre className="ws-pre">{m.text}</pre>}
              {m.attachments.map((a) => (
                <Typography.Text key={a.n}>
                  附件 {a.n + 1}：[{a.label}] {a.name}
                </Typography.Text>
              ))}
            </Space>
          </List.Item>
        )}
      />
      {print ? null : (
        <Space direction="vertical" style={{ width: '100%', marginTop: 8 }}>
          {!available && data ? (
            <Alert
              type="info"
              showIcon
              data-testid="reply-unavailable"
              message="回复功能暂不可用"
              description="给举报人回复需要“案件对话通道”（用举报人手机上的回复密钥加密），这一功能尚未并入本版本的工作站。目前请通过设置状态和公开说明告知举报人进展。"
            />
          ) : null}
          <Input.TextArea rows={3} maxLength={5000} showCount value={text} onChange={(e) => setText(e.target.value)} disabled={!available} placeholder="回复举报人（对方在手机的“查询进度”页面看到）" data-testid="reply-text" />
          <Space>
            <Checkbox checked={askMaterial} onChange={(e) => setAskMaterial(e.target.checked)} disabled={!available} data-testid="reply-ask-material">
              请举报人补充材料
            </Checkbox>
            <Button type="primary" onClick={() => void send()} disabled={!available || !text.trim()} loading={sending} data-testid="reply-send">
              加密并发送
            </Button>
          </Space>
          {sendError ? <Alert type="error" showIcon message={sendError} data-testid="reply-error" /> : null}
        </Space>
      )}
    </Card>
  )
}
