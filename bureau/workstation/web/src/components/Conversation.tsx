/**
 * The conversation with the resident: their messages (with added files, checked when opened) and
 * the bureau's replies; 回复, and 请求补充材料. A reply the server did not take stays listed as not
 * sent (待发送), with 重试 (the workstation keeps it sealed, on disk, with the same msgId, and sends
 * it again after a restart).
 */
import { Alert, Button, Card, Checkbox, Empty, Input, List, Space, Tag, Typography } from 'antd'
import { useState } from 'react'
import type { MessageView } from '../../../shared/types'
import { api } from '../api'
import { cstDateTime, formatBytes } from '../format'
import { useLoad } from '../hooks/useLoad'

interface ConversationAnswer {
  available: boolean
  messages: MessageView[]
  /** Where the reply key comes from: the report (verified), the server for a legacy case (unverified), or nowhere. */
  replyKey: 'verified' | 'unverified' | 'none'
  warning?: string
}

export function Conversation({ id, print }: { id: string; print?: boolean }) {
  const { data, error, loading, reload } = useLoad(() => api<ConversationAnswer>(`/api/cases/${id}/messages`), [id])
  const [text, setText] = useState('')
  const [acceptUnverified, setAcceptUnverified] = useState(false)
  const [sendError, setSendError] = useState<string>()
  const [sending, setSending] = useState(false)
  const unverified = data?.replyKey === 'unverified'
  // A legacy case's key is the server's word: replying needs the explicit confirmation below.
  const available = !!data?.available && data.replyKey !== 'none' && (!unverified || acceptUnverified)

  const send = async (requestsMaterial: boolean, retry?: string) => {
    setSending(true)
    setSendError(undefined)
    try {
      if (retry) await api(`/api/cases/${id}/replies/${retry}/retry`, { method: 'POST', body: {} })
      else await api(`/api/cases/${id}/replies`, { method: 'POST', body: { text: text.trim(), requestsMaterial, ...(unverified ? { acceptUnverifiedKey: acceptUnverified } : {}) } })
      if (!retry) setText('')
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
          <List.Item key={m.msgId} data-testid="message" data-from={m.from} data-pending={m.pending ? 'true' : undefined}>
            <Space direction="vertical" style={{ width: '100%' }}>
              <Space wrap>
                <Tag color={m.from === 'resident' ? 'blue' : 'red'}>{m.from === 'resident' ? '举报人' : '扫黑办'}</Tag>
                <span>{cstDateTime(m.at)}</span>
                {m.requestsMaterial ? <Tag color="orange">请求补充材料</Tag> : null}
                {m.pending ? <Tag color="orange">待发送</Tag> : null}
                {m.pending && !print ? (
                  <Button size="small" onClick={() => void send(false, m.msgId)} loading={sending} data-testid="reply-retry">
                    重试
                  </Button>
                ) : null}
              </Space>
              {m.problem ? <Alert type="warning" showIcon message={m.problem} /> : null}
              {m.text ? <pre className="ws-pre">{m.text}</pre> : null}
              {m.attachments.map((a) => (
                <Typography.Text key={a.n} data-testid="message-file">
                  补充材料 {a.n + 1}：[{a.label}] {print ? a.name : <a href={`/api/cases/${id}/messages/${m.msgId}/files/${a.n}`}>{a.name}</a>}（{formatBytes(a.size)}，下载时校验完整性，未通过则不予下载）
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
          {data?.replyKey === 'none' ? (
            <Alert type="info" showIcon data-testid="reply-no-key" message="暂时不能回复" description="这是旧版举报（对话功能上线前提交），举报人还没有用新版程序打开过案件，服务器上没有可用的回复公钥。可先通过设置状态和公开说明告知举报人进展。" />
          ) : null}
          {unverified ? (
            <Alert
              type="warning"
              showIcon
              data-testid="unverified-key-warning"
              message="旧版举报：回复公钥未经验证，与举报内容没有绑定"
              description={
                <Space direction="vertical">
                  <span>{data?.warning}</span>
                  <Checkbox checked={acceptUnverified} onChange={(e) => setAcceptUnverified(e.target.checked)} data-testid="accept-unverified">
                    我已了解风险，仍要回复
                  </Checkbox>
                </Space>
              }
            />
          ) : null}
          <Input.TextArea rows={3} maxLength={2000} showCount value={text} onChange={(e) => setText(e.target.value)} disabled={!data?.available || data.replyKey === 'none'} placeholder="回复举报人（只有持有查询码的人能读到；不要写举报人的姓名、电话）" data-testid="reply-text" />
          <Space>
            <Button type="primary" onClick={() => void send(false)} disabled={!available || !text.trim()} loading={sending} data-testid="reply-send">
              回复
            </Button>
            <Button onClick={() => void send(true)} disabled={!available || !text.trim()} loading={sending} data-testid="reply-ask-material">
              请求补充材料
            </Button>
          </Space>
          {sendError ? <Alert type="error" showIcon message={sendError} data-testid="reply-error" /> : null}
        </Space>
      )}
    </Card>
  )
}
