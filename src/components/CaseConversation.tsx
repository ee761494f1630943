import { Text, View } from '@tarojs/components'
import dayjs from 'dayjs'
import type { ConversationEntry } from '@/cases/open'
import { formatBytes } from '@/domain/format'
import { canWithdrawMessage } from '@/outbox/message/actions'
import { statusText } from '@/outbox/views'
import { LinkButton } from './LinkButton'
import type { MessageJob } from '@/outbox/types'

const when = (iso: string) => dayjs(iso).format('YYYY年M月D日 HH:mm')

/** The conversation of a case: bureau messages (new ones marked), the resident's own, and those still in the outbox. */
interface Props {
  entries: readonly ConversationEntry[]
  unread: ReadonlySet<string>
  jobs: readonly MessageJob[]
  onRetry: (job: MessageJob) => void
  onDiscard: (job: MessageJob) => void
}

export function CaseConversation({ entries, unread, jobs, onRetry, onDiscard }: Props) {
  if (entries.length === 0 && jobs.length === 0) {
    return <Text className="empty" data-testid="case-no-messages">还没有消息。公安机关如需向您了解情况，会在这里留言。</Text>
  }
  return (
    <View className="conversation" data-testid="case-conversation">
      {entries.map(({ meta, message, problem }) => {
        const fromBureau = meta.from === 'bureau'
        return (
          <View
            key={meta.msgId}
            className={`bubble ${fromBureau ? 'bubble--bureau' : 'bubble--own'}`}
            data-testid="case-message"
            data-from={meta.from}
            data-unread={unread.has(meta.msgId) ? 'true' : undefined}
          >
            <View className="bubble__head">
              <Text className="bubble__who">{fromBureau ? '公安机关' : '我'}</Text>
              {unread.has(meta.msgId) ? <Text className="tag tag--new">新消息</Text> : null}
              {message?.requestsMaterial ? <Text className="tag tag--ask" data-testid="requests-material">请求补充材料</Text> : null}
              <Text className="bubble__time">{when(meta.at)}</Text>
            </View>
            {problem ? <Text className="bubble__problem">{problem}</Text> : null}
            {message && message.text ? <Text className="bubble__text" userSelect selectable>{message.text}</Text> : null}
            {message && message.attachments.length > 0 ? (
              <View className="bubble__files">
                <Text className="bubble__files-title">补充的材料（{message.attachments.length} 个）：</Text>
                {message.attachments.map((a) => (
                  <Text key={a.n} className="bubble__file">
                    {a.label} · {a.name}（{formatBytes(a.size)}）
                  </Text>
                ))}
              </View>
            ) : null}
          </View>
        )
      })}
      {jobs.map((job) => (
        <View key={job.id} className="bubble bubble--own bubble--pending" data-testid="case-pending" data-phase={job.phase}>
          <View className="bubble__head">
            <Text className="bubble__who">我（尚未送达）</Text>
            <Text className="bubble__time">{when(job.writtenAt)}</Text>
          </View>
          {job.text ? <Text className="bubble__text">{job.text}</Text> : null}
          {job.files.length > 0 ? <Text className="bubble__file">补充材料 {job.files.length} 个：{job.files.map((f) => f.name).join('、')}</Text> : null}
          <Text className="bubble__status">{statusText(job)}</Text>
          {job.lastError ? (
            <View className="row">
              <LinkButton onClick={() => onRetry(job)} testId="case-pending-retry">
                重试
              </LinkButton>
              {canWithdrawMessage(job) ? (
                <LinkButton className="link link--danger" onClick={() => onDiscard(job)} testId="case-pending-discard">
                  删除
                </LinkButton>
              ) : null}
            </View>
          ) : null}
        </View>
      ))}
    </View>
  )
}
