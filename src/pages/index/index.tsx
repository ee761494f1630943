import { Button, Text, View } from '@tarojs/components'
import { LinkButton } from '@/components/LinkButton'
import { useRef } from 'react'
import { campaignPeriod, campaignState } from '@/domain/campaign'
import { CONFIDENTIALITY_PROMISE, REWARD_RULES } from '@/domain/requirements'
import { DraftList } from '@/components/DraftList'
import { Hint } from '@/components/Hint'
import { createDraft } from '@/drafts/store'
import { useCampaignConfig } from '@/hooks/useCampaignConfig'
import { useDrafts } from '@/hooks/useDrafts'
import { useEntry } from '@/hooks/useEntry'
import { useOutboxList } from '@/hooks/useOutbox'
import { useUnreadTotal } from '@/hooks/useUnreadCases'
import { go } from '@/navigation'

export default function Home() {
  const config = useCampaignConfig()
  const entering = useEntry()
  const { drafts, remove } = useDrafts()
  const outbox = useOutboxList()
  const accepted = outbox.filter((v) => v.status === 'done')
  const pending = outbox.filter((v) => v.status !== 'done')
  const state = campaignState(config.campaign, new Date())
  const unread = useUnreadTotal()
  const starting = useRef(false)
  if (entering) return <View className="page page--center"><Text className="empty">正在打开举报页面…</Text></View>

  const start = async () => {
    // A double tap must not create two drafts.
    if (starting.current) return
    starting.current = true
    try {
      const draft = await createDraft({})
      await go('category', { id: draft.id })
    } finally {
      starting.current = false
    }
  }

  return (
    <View className="page">
      <View className="banner">
        <Text className="banner__issuer">{config.campaign.issuer}</Text>
        <Text className="banner__title">{config.campaign.title}</Text>
        <Text className="banner__period" data-testid="campaign-period">
          专项行动时间：{campaignPeriod(config.campaign)}
        </Text>
        <Text className="banner__state" data-testid="campaign-state">
          {state.phase === 'running'
            ? `专项行动进行中，还有 ${state.daysLeft} 天`
            : state.phase === 'before'
              ? `专项行动将于 ${state.daysUntilStart} 天后开始`
              : state.acceptingReports
                ? '专项行动已结束，仍可继续举报'
                : '专项行动已结束，本平台暂停受理'}
        </Text>
      </View>

      {accepted.map((v) => (
        <View key={v.job.id} className="hint hint--warn notice-receipt" role="button" onClick={() => go('receipt', { id: v.job.id })} data-testid="receipt-pending">
          <Text className="hint__title">您有一份举报已提交，请保存查询码</Text>
          <Text className="hint__text">查询码还没有确认保存。点这里查看并保存，丢失后无法找回。</Text>
        </View>
      ))}
      {pending.length > 0 ? (
        <View className="hint notice-outbox" role="button" onClick={() => go('outbox')} data-testid="open-outbox">
          <Text className="hint__title">待发送的举报（{pending.length}）</Text>
          <Text className="hint__text">{pending.length === 1 ? pending[0].text.replace(/。$/, '') : '已加密保存在手机上，会自动发送'}，点这里查看。</Text>
        </View>
      ) : null}

      {state.acceptingReports ? (
        <Button className="btn btn--primary btn--large" onClick={start} data-testid="start-report">
          我要举报
        </Button>
      ) : (
        <Hint tone="warn" text="目前不通过本平台受理举报。如需报警请拨打 110，或直接联系下方受理单位。" />
      )}
      <View className="row row--wrap">
        <Button className="btn btn--secondary" onClick={() => go('notice')} data-testid="open-notice">
          阅读通告全文
        </Button>
        <Button className="btn btn--secondary" onClick={() => go('drafts')} data-testid="open-drafts">
          我的草稿（{drafts.length}）
        </Button>
      </View>
      <Button className="btn btn--secondary btn--wide" onClick={() => go('case')} data-testid="open-case">
        查看办理进度和留言
        {unread > 0 ? (
          <Text className="badge" data-testid="case-badge" aria-label={`${unread} 条新留言`}>
            {unread}
          </Text>
        ) : null}
      </Button>

      {drafts.length > 0 ? (
        <View className="section">
          <Text className="section__title">未完成的举报</Text>
          <DraftList drafts={drafts.slice(0, 3)} config={config} onDelete={remove} />
        </View>
      ) : null}

      <Hint tone="safe" title="保密承诺" text={CONFIDENTIALITY_PROMISE} />
      <Hint title="举报奖励" text={REWARD_RULES} />
      <Text className="emergency">紧急情况请立即拨打 110</Text>
      <LinkButton className="link link--center" onClick={() => go('privacy')} testId="open-privacy">
        隐私说明与本机数据
      </LinkButton>
    </View>
  )
}
