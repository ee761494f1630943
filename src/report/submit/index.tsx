import { Button, Text, View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import { useEffect, useRef } from 'react'
import { Hint } from '@/components/Hint'
import { SendProgress } from '@/components/SendProgress'
import { useOutboxActions, useOutboxJob } from '@/hooks/useOutbox'
import { go, goHome, replace } from '@/navigation'

/** Encrypting and sending one report, with progress; opens the receipt once it is accepted. */
export default function SubmitPage() {
  const { params } = useRouter()
  const view = useOutboxJob(params.id)
  const { retry } = useOutboxActions()
  const done = view?.status === 'done'
  const redirected = useRef(false)

  useEffect(() => {
    if (!done || !params.id || redirected.current) return
    redirected.current = true
    replace('receipt', { id: params.id })
  }, [done, params.id])

  if (!view) {
    return (
      <View className="page page--center">
        <Text className="empty">找不到这份举报。它可能已经提交完成或已被取消。</Text>
        <Button className="btn btn--primary" onClick={goHome}>
          返回首页
        </Button>
      </View>
    )
  }

  const stopped = view.status === 'waiting' || view.status === 'blocked'
  return (
    <View className="page" data-testid="submit-page" data-status={view.status}>
      <Text className="section__title">{done ? '举报已提交' : stopped ? '举报已放入待发送' : '正在提交举报'}</Text>
      <Hint tone={view.status === 'blocked' ? 'warn' : stopped ? 'info' : 'safe'} text={view.text} />
      <SendProgress view={view} />
      {stopped ? (
        <View>
          <Text className="page__intro">
            {view.status === 'waiting'
              ? '这份举报已加密保存在手机上，不会丢失。网络恢复后会自动继续发送，您可以先离开，稍后在首页“待发送的举报”中查看。'
              : '这份举报已加密保存在手机上，不会丢失。您可以点“重试”，或在首页“待发送的举报”中取消。'}
          </Text>
          <Button className="btn btn--primary" onClick={() => retry(view.job.id)} data-testid="retry">
            重试
          </Button>
          <View className="row">
            <Button className="btn btn--secondary" onClick={goHome}>
              返回首页
            </Button>
            <Button className="btn btn--secondary" onClick={() => go('outbox', { id: view.job.id })}>
              查看详情
            </Button>
          </View>
        </View>
      ) : null}
    </View>
  )
}
