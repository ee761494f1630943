import { Button, Text, View } from '@tarojs/components'
import dayjs from 'dayjs'
import { Fragment } from 'react'
import { Hint } from '@/components/Hint'
import { useReceipt } from '@/hooks/useReceipt'
import { go, goHome } from '@/navigation'

/** The code as groups of four that never break inside; lines may break only between groups. */
function Code({ grouped, testId, className }: { grouped: string; testId?: string; className: string }) {
  const groups = grouped.split(' ')
  return (
    <View className={className} data-testid={testId}>
      {groups.map((g, i) => (
        <Fragment key={i}>
          {i > 0 ? ' ' : null}
          <Text className="code-group" selectable userSelect>
            {g}
          </Text>
        </Fragment>
      ))}
    </View>
  )
}

export default function ReceiptPage() {
  const { view, receipt, grouped, copy, saved, asking, cancelSaved, confirmSaved, keep, setKeep, canKeep } = useReceipt()

  if (!view) {
    return (
      <View className="page page--center">
        <Text className="empty">这份举报的查询码已经确认保存过了，这里不再显示。</Text>
        <Button className="btn btn--primary" onClick={goHome}>
          返回首页
        </Button>
      </View>
    )
  }
  if (!receipt || !grouped) {
    return (
      <View className="page page--center">
        <Text className="empty">这份举报还没有提交完成。{view.text}</Text>
        <Button className="btn btn--primary" onClick={() => go('outbox', { id: view.job.id })}>
          查看发送情况
        </Button>
      </View>
    )
  }

  return (
    <View className="page">
      <Hint tone="safe" title="举报已提交成功" text={`公安机关已收到您加密后的举报${view.job.acceptedAt ? `（${dayjs(view.job.acceptedAt).format('YYYY年M月D日 HH:mm')}）` : ''}。`} />
      <View className="receipt">
        <Text className="receipt__label">您的查询码</Text>
        <Code className="receipt__code" grouped={grouped} testId="receipt-code" />
        <Button className="btn btn--secondary" onClick={copy} data-testid="receipt-copy">
          复制查询码
        </Button>
      </View>
      <Hint
        tone="warn"
        title="请现在就保存查询码"
        text="查询码只在这里显示一次，是查询办理进度的唯一凭证。请抄在纸上或截图保存，不要告诉他人。丢失后无法找回，公安机关也无法为您查到。"
      />
      <Text className="page__intro">以后可在首页点“查看办理进度和留言”，输入查询码查看办理情况、公安机关的留言，并回复或补充材料。换一部手机或浏览器也能打开。</Text>
      {canKeep ? (
        <View className="card keep-case" data-testid="receipt-keep-section">
          <View className={`tick${keep ? ' tick--on' : ''}`} role="checkbox" aria-checked={keep} onClick={() => setKeep(!keep)} data-testid="receipt-keep">
            <View className="tick__box">{keep ? '✓' : ''}</View>
            <Text className="tick__label">在本机保存查询码</Text>
          </View>
          <Text className="card__text">
            保存后，打开小程序时会自动查看有没有公安机关的新留言，并在首页提示，不用每次输入查询码。
          </Text>
          <Text className="card__text" data-testid="receipt-keep-warning">
            注意：任何拿到这部手机的人都能打开这个案件，看到公安机关的留言。如果手机可能被他人查看（包括被举报的人），请不要保存。默认不保存，以后也可以在“我的案件”页面取消保存。
          </Text>
        </View>
      ) : null}
      <Button className="btn btn--primary btn--large" onClick={saved} data-testid="receipt-saved">
        我已保存
      </Button>
      {asking ? (
        <View className="dialog" data-testid="receipt-confirm-dialog">
          <View className="dialog__panel" role="dialog" aria-modal="true" aria-label="确认已保存查询码？">
            <Text className="dialog__title">确认已保存查询码？</Text>
            <Text className="dialog__text">请再核对一遍：</Text>
            <Code className="dialog__code" grouped={grouped} testId="receipt-confirm-code" />
            <Text className="dialog__text">离开后这个查询码不会再显示，丢失后无法找回。</Text>
            <View className="dialog__actions">
              <Button className="btn btn--secondary" onClick={cancelSaved} data-testid="receipt-confirm-cancel">
                再看看
              </Button>
              <Button className="btn btn--primary" onClick={confirmSaved} data-testid="receipt-confirm">
                是的，已保存
              </Button>
            </View>
          </View>
        </View>
      ) : null}
    </View>
  )
}
