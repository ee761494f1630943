import { Button, Text, View } from '@tarojs/components'
import { LinkButton } from '@/components/LinkButton'
import type { PropsWithChildren } from 'react'
import { findBranch } from '@/domain/branches'
import { findCategory } from '@/domain/categories'
import { draftCompleteness, type StepId } from '@/domain/draft-model'
import { Hint } from '@/components/Hint'
import { MissingDraft } from '@/components/MissingDraft'
import { BranchDetail } from '@/components/BranchDetail'
import { formatBytes } from '@/domain/format'
import { formatHappenedAt } from '@/domain/validators'
import { FLOW_STEPS, FLOW_TITLES, useStep } from '@/hooks/useStep'
import { useSubmitReport } from '@/hooks/useSubmitReport'
import { forward } from '@/navigation'

function Section({ step, id, incomplete, children }: PropsWithChildren<{ step: StepId; id: string; incomplete: boolean }>) {
  return (
    <View className={`review__section${incomplete ? ' review__section--missing' : ''}`} data-testid={`review-${step}`}>
      <View className="review__head">
        <Text className="review__title">
          {FLOW_STEPS.indexOf(step) + 1}. {FLOW_TITLES[step]}
        </Text>
        <LinkButton onClick={() => forward(step, { id, from: 'review' })} testId={`edit-${step}`}>
          修改
        </LinkButton>
      </View>
      {incomplete ? <Text className="field__error">这一部分还没有完成</Text> : null}
      {children}
    </View>
  )
}

function Line({ label, value }: { label: string; value?: string }) {
  return (
    <View className="review__line">
      <Text className="review__label">{label}：</Text>
      <Text className="review__value">{value && value.trim() ? value : '未填写'}</Text>
    </View>
  )
}

export default function ReviewStep() {
  const { draft, missing, back, config } = useStep('review')
  const completeness = draft ? draftCompleteness(draft, config) : undefined
  const ready = !!completeness && completeness.missing.length === 0
  const { submit, submitting, queued } = useSubmitReport(draft, ready, config)
  if (missing) return <MissingDraft />
  if (!draft || !completeness) return null
  const category = draft.category ? findCategory(draft.category) : undefined
  const branch = draft.branch ? findBranch(config, draft.branch) : undefined
  const isMissing = (s: StepId) => completeness.missing.includes(s)

  return (
    <View className="step">
      <View className="step__progress">
        <Text className="step__count">
          第 {FLOW_STEPS.length} / {FLOW_STEPS.length} 步
        </Text>
        <Text className="step__title">{FLOW_TITLES.review}</Text>
      </View>
      <View className="step__body">
        {queued ? (
          <Hint tone="warn" text="这份举报已经提交，正在发送或等待网络。现在修改不会改变已提交的内容；如需修改，请先在首页“待发送的举报”中取消发送。" />
        ) : (
          <Hint text={`已完成 ${completeness.done} / ${completeness.total} 部分。请逐项核对，点“修改”可以返回更改。`} />
        )}
        <Section step="category" id={draft.id} incomplete={isMissing('category')}>
          <Line label="类别" value={category ? `${category.ordinal}${category.name}` : undefined} />
        </Section>
        <Section step="details" id={draft.id} incomplete={isMissing('details')}>
          <Line label="发生时间" value={formatHappenedAt(draft.happenedAt)} />
          <Line label="受害经过" value={draft.description} />
          <Line label="网址链接" value={draft.links.filter((l) => l.trim()).join('\n')} />
          <Line label="对方账号" value={draft.party.accounts} />
          <Line label="对方电话" value={draft.party.phones} />
          <Line label="对方网站/App" value={draft.party.websites} />
          {category?.fields.map((f) => <Line key={f.key} label={f.label} value={draft.extra[f.key]} />)}
        </Section>
        <Section step="evidence" id={draft.id} incomplete={isMissing('evidence')}>
          {draft.attachments.length === 0 ? <Line label="材料" value="未添加（可只提交文字）" /> : null}
          {draft.attachments.map((a, i) => (
            <Text key={a.id} className="review__value review__file" data-testid="review-attachment">
              {i + 1}. [{a.label}] {a.name}（{formatBytes(a.size)}）
            </Text>
          ))}
        </Section>
        <Section step="branch" id={draft.id} incomplete={isMissing('branch')}>
          <Line label="受理单位" value={branch?.name} />
          {branch ? <BranchDetail branch={branch} /> : null}
        </Section>
        <Section step="reporter" id={draft.id} incomplete={isMissing('reporter')}>
          {draft.reporter.anonymous ? (
            <Line label="方式" value="匿名举报" />
          ) : (
            <>
              <Line label="方式" value="实名举报" />
              <Line label="姓名" value={draft.reporter.name} />
              <Line label="手机" value={draft.reporter.mobile} />
              <Line label="身份证号" value={draft.reporter.idNumber ? `${draft.reporter.idNumber.slice(0, 6)}********${draft.reporter.idNumber.slice(-4)}` : undefined} />
            </>
          )}
        </Section>
        <Section step="declaration" id={draft.id} incomplete={isMissing('declaration')}>
          <Line label="声明" value={draft.declaration.truthful && draft.declaration.liability ? '已确认内容真实，知悉诬告责任' : undefined} />
        </Section>
      </View>
      <View className="step__actions">
        <Button className="btn btn--secondary" onClick={back}>
          上一步
        </Button>
        <Button className={`btn btn--primary${ready && !submitting ? '' : ' btn--disabled'}`} onClick={submit} data-testid="submit">
          {queued ? '查看发送进度' : submitting ? '正在准备…' : '加密并提交'}
        </Button>
      </View>
    </View>
  )
}
