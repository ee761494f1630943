import { Button, Text, View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import dayjs from 'dayjs'
import { Hint } from '@/components/Hint'
import { SendProgress, uploadPercent } from '@/components/SendProgress'
import { formatBytes } from '@/domain/format'
import { findCategory } from '@/domain/categories'
import { useOutboxActions, useOutboxList } from '@/hooks/useOutbox'
import { go, goHome } from '@/navigation'
import { canCancel, type JobView } from '@/outbox'

const when = (iso: string) => dayjs(iso).format('M月D日 HH:mm')

function Detail({ view }: { view: JobView }) {
  const { retry, cancel, cancelling } = useOutboxActions()
  const { job, status } = view
  const withdraw = async () => {
    if (await cancel(view)) goHome()
  }
  return (
    <View data-testid="outbox-detail" data-status={status}>
      <Text className="section__title">{findCategory(job.category)?.name ?? '举报'}</Text>
      <Text className="card__text">{when(job.createdAt)} 提交 · {job.files.length} 个材料</Text>
      <Hint tone={status === 'blocked' ? 'warn' : status === 'done' ? 'safe' : 'info'} text={view.text} />
      {status === 'done' ? (
        <Button className="btn btn--primary btn--large" onClick={() => go('receipt', { id: job.id })} data-testid="outbox-receipt">
          查看并保存查询码
        </Button>
      ) : (
        <>
          <SendProgress view={view} />
          {job.files.length > 0 ? (
            <View className="section">
              <Text className="section__title">材料</Text>
              {job.files.map((f, n) => (
                <Text key={n} className="bullet">
                  {n + 1}. [{f.label}] {f.name}（{formatBytes(f.size)}）
                </Text>
              ))}
            </View>
          ) : null}
          {status === 'waiting' || status === 'blocked' ? (
            <Button className="btn btn--primary" onClick={() => retry(job.id)} data-testid="outbox-retry">
              立即重试
            </Button>
          ) : null}
          {canCancel(job) ? (
            <Button className={`btn btn--danger${cancelling ? ' btn--disabled' : ''}`} onClick={withdraw} data-testid="outbox-cancel">
              {cancelling ? '正在取消…' : '取消发送'}
            </Button>
          ) : (
            <Text className="page__intro">举报已上传完毕，正在完成提交，不能再取消。</Text>
          )}
        </>
      )}
    </View>
  )
}

/** Reports being sent or waiting for the network; with ?id=, one of them in detail. */
export default function OutboxPage() {
  const { params } = useRouter()
  const views = useOutboxList()
  const selected = params.id ? views.find((v) => v.job.id === params.id) : undefined

  if (params.id) {
    if (!selected) {
      return (
        <View className="page page--center">
          <Text className="empty">这份举报已不在待发送列表中，可能已经提交完成或已取消。</Text>
          <Button className="btn btn--primary" onClick={goHome}>
            返回首页
          </Button>
        </View>
      )
    }
    return (
      <View className="page">
        <Detail view={selected} />
      </View>
    )
  }

  return (
    <View className="page">
      <Text className="page__intro">这些举报已在手机上加密保存，网络恢复后会自动发送，已发送的部分不会重复发送。</Text>
      {views.length === 0 ? <Text className="empty">没有待发送的举报</Text> : null}
      {views.map((view) => (
        <View
          key={view.job.id}
          className="card"
          data-testid="outbox-item"
          role="button"
          data-status={view.status}
          onClick={() => (view.status === 'done' ? go('receipt', { id: view.job.id }) : go('outbox', { id: view.job.id }))}
        >
          <Text className="card__title">{findCategory(view.job.category)?.name ?? '举报'}</Text>
          <Text className="card__text">
            {when(view.job.createdAt)} 提交 · {view.job.files.length} 个材料
            {view.status === 'sending' ? ` · 已发送 ${uploadPercent(view)}%` : ''}
          </Text>
          <Text className="card__text outbox__status">{view.text}</Text>
          <Text className="link">{view.status === 'done' ? '查看查询码' : '查看详情'}</Text>
        </View>
      ))}
    </View>
  )
}
