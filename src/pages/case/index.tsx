import './index.css'
import { Button, Input, Text, Textarea, View } from '@tarojs/components'
import dayjs from 'dayjs'
import { AttachmentPicker } from '@/components/AttachmentPicker'
import { CaseConversation } from '@/components/CaseConversation'
import { Field } from '@/components/Field'
import { Hint } from '@/components/Hint'
import { LinkButton } from '@/components/LinkButton'
import { MAX_MESSAGE_TEXT } from '@/case/labels'
import { STATUS_EXPLANATIONS, STATUS_LABELS } from '@/domain/status'
import { useCaseMessage } from '@/hooks/useCaseMessage'
import { useCasePage } from '@/hooks/useCasePage'
import { inputProps } from '@/platform/input-props'
import type { CaseView } from '@/services/case-api'

const day = (iso: string) => dayjs(iso).format('YYYY年M月D日')

/** Why a closed case takes no more messages (the window after closing is the server's). */
export function closedText(view: CaseView): string {
  const closed = view.closedAt ? `此案件已于${day(view.closedAt)}办结。` : '此案件已办结。'
  const window = view.closedAt && view.writableUntil ? `办结后 ${Math.round((Date.parse(view.writableUntil) - Date.parse(view.closedAt)) / 86400000)} 天内可以回复和补充材料，这个期限已于${day(view.writableUntil)}结束，` : '回复和补充材料的期限已过，'
  return `${closed}${window}所以不能再发送消息。以往的消息仍可查看。如有新的线索，请重新举报；紧急情况请拨打 110。`
}

function Composer({ caseId, auth, inReplyTo, asked }: { caseId: string; auth: string; inReplyTo: string | null; asked: boolean }) {
  const m = useCaseMessage({ caseId, auth, inReplyTo })
  return (
    <View className="section composer" data-testid="case-composer">
      <Text className="section__title">回复公安机关</Text>
      {asked ? <Hint tone="warn" text="公安机关请您补充材料，可以在下面添加截图或文件。" /> : null}
      <Field label="回复" name="reply" hint="写下您想补充说明的情况。内容在手机上加密后发送，只有公安机关能看到。" error={m.error}>
        <Textarea
          className={`textarea${m.error ? ' input--error' : ''}`}
          {...inputProps('回复', { invalid: !!m.error })}
          value={m.text}
          placeholder="例如：对方的另一个账号是……"
          onInput={(e) => void m.setText(e.detail.value)}
          data-testid="case-reply"
        />
        <Text className={`counter${m.length > MAX_MESSAGE_TEXT ? ' counter--over' : ''}`}>
          {m.length} / {MAX_MESSAGE_TEXT}
        </Text>
      </Field>
      <AttachmentPicker name="material" label="补充材料" attachments={m.attachments} picker={m.picker} hintTail="不需要补充材料时可以只发文字。" declinedText="您仍可以只发送文字回复。" />
      <Button className={`btn btn--primary btn--large${m.sending ? ' btn--disabled' : ''}`} onClick={() => void m.send()} data-testid="case-send">
        发送
      </Button>
      {m.hasDraft ? (
        <LinkButton className="link link--danger link--center" onClick={() => void m.discard()} testId="case-discard">
          删除这条未发送的消息
        </LinkButton>
      ) : null}
      <Text className="page__intro">没有网络时也可以发送：消息会加密保存在手机上，联网后自动送出。</Text>
    </View>
  )
}

export default function CasePage() {
  const c = useCasePage()

  if (c.stage !== 'open' || !c.view || !c.keys) {
    const opening = c.stage === 'opening'
    return (
      <View className="page">
        <Text className="page__intro">输入提交举报时得到的 16 位查询码，可以查看办理进度和公安机关的留言，并回复或补充材料。不需要登录，换一部手机或浏览器也能打开。</Text>
        {c.saved.length > 0 ? (
          <View className="section" data-testid="saved-cases">
            <Text className="section__title">本机保存的案件</Text>
            {c.saved.map((s) => (
              <View key={s.caseId} className="card saved-case" data-testid="saved-case">
                <Text className="card__text">
                  查询码尾号 {s.receipt.slice(-4)}（{day(s.savedAt)}保存）{s.unread > 0 ? `，${s.unread} 条新消息` : ''}
                </Text>
                <View className="row">
                  <Button className="btn btn--secondary" onClick={() => void c.openSaved(s.caseId)} data-testid="saved-case-open">
                    打开
                  </Button>
                  <LinkButton className="link link--danger" onClick={() => c.forget(s.caseId)} testId="saved-case-forget">
                    不再保存在本机
                  </LinkButton>
                </View>
              </View>
            ))}
          </View>
        ) : null}
        <Field label="查询码" name="receipt" required hint="16 位数字，可以带空格" error={c.error}>
          <Input
            className={`input input--code${c.error ? ' input--error' : ''}`}
            type="text"
            {...inputProps('查询码', { keyboard: 'numeric', invalid: !!c.error })}
            value={c.input}
            placeholder="例如 1234 5678 9012 3456"
            onInput={(e) => c.change(e.detail.value)}
            data-testid="case-input"
          />
        </Field>
        <Button className={`btn btn--primary btn--large${opening ? ' btn--disabled' : ''}`} onClick={() => void c.submit()} data-testid="case-open">
          {opening ? '正在打开…' : '打开案件'}
        </Button>
        {opening ? (
          <Text className="page__intro" data-testid="case-opening">
            正在验证查询码…{c.progress < 1 ? `${Math.round(c.progress * 100)}%` : ''}（在手机上计算，需要几秒钟，查询码本身不会发送出去）
          </Text>
        ) : null}
        <Hint text="查询码丢失后无法找回。如有紧急情况，请直接拨打 110。" />
      </View>
    )
  }

  const { view, keys } = c
  const asked = c.entries.some((e) => e.meta.from === 'bureau' && e.message?.requestsMaterial && c.unread.has(e.meta.msgId))
  return (
    <View className="page">
      <View className="card status" data-testid="case-status" data-status={view.status}>
        <Text className="status__value">{STATUS_LABELS[view.status]}</Text>
        <Text className="card__text">{STATUS_EXPLANATIONS[view.status]}</Text>
        <Text className="card__text">更新时间：{dayjs(view.changedAt).format('YYYY年M月D日 HH:mm')}</Text>
        {view.note ? <Text className="card__text status__note">公安机关说明：{view.note}</Text> : null}
      </View>
      {keys.legacy ? <Hint text="这是较早提交的举报：当时查询码曾发送给服务器，回复用的密钥也经服务器登记，保护比新的举报弱。留言内容仍只在您的手机上解密。" /> : null}
      {c.error ? <Hint tone="warn" text={c.error} /> : null}
      <View className="row row--spread">
        <Text className="section__title">消息{c.unread.size > 0 ? `（${c.unread.size} 条新消息）` : ''}</Text>
        <LinkButton onClick={() => void c.refresh()} testId="case-refresh">
          {c.refreshing ? '正在刷新…' : '刷新'}
        </LinkButton>
      </View>
      <CaseConversation entries={c.entries} unread={c.unread} jobs={c.jobs} onRetry={c.retry} onDiscard={(job) => void c.discardJob(job)} />
      {view.canWrite ? (
        <Composer caseId={keys.caseId} auth={keys.auth} inReplyTo={c.latest} asked={asked} />
      ) : (
        <Hint tone="warn" title="已不能回复" text={closedText(view)} testId="case-closed" />
      )}
    </View>
  )
}
