import { Input, Text, View } from '@tarojs/components'
import { CONFIDENTIALITY_PROMISE, REWARD_RULES } from '@/domain/requirements'
import type { ReporterPart } from '@/domain/types'
import { tidyMobile, tidyResidentId } from '@/domain/validators'
import { Field } from '@/components/Field'
import { Hint } from '@/components/Hint'
import { MissingDraft } from '@/components/MissingDraft'
import { StepLayout } from '@/components/StepLayout'
import { TidyInput } from '@/components/TidyInput'
import { useStep } from '@/hooks/useStep'
import { inputProps } from '@/platform/input-props'

export default function ReporterStep() {
  const { draft, missing, update, errors, next, back, from } = useStep('reporter')
  if (missing) return <MissingDraft />
  if (!draft) return null
  const r = draft.reporter
  const set = (patch: Partial<ReporterPart>) => update((d) => ({ reporter: { ...d.reporter, ...patch } }))
  return (
    <StepLayout step="reporter" errorCount={Object.keys(errors).length} onNext={next} onBack={back} returning={!!from}>
      <Hint tone="safe" title="我们为您保密" text={CONFIDENTIALITY_PROMISE} />
      <Field name="reporter.anonymous" label="您希望怎样举报？" required>
        <View className={`card card--choice${r.anonymous ? ' card--selected' : ''}`} role="radio" aria-checked={r.anonymous} data-testid="reporter-anonymous" onClick={() => set({ anonymous: true })}>
          <Text className="card__title">匿名举报（默认）</Text>
          <Text className="card__text">不留姓名和电话。提交后您会得到一个查询码，凭它查看处理进度。</Text>
        </View>
        <View className={`card card--choice${!r.anonymous ? ' card--selected' : ''}`} role="radio" aria-checked={!r.anonymous} data-testid="reporter-named" onClick={() => set({ anonymous: false })}>
          <Text className="card__title">实名举报</Text>
          <Text className="card__text">留下姓名和手机号，民警可以联系您核实情况；线索查证属实的，便于依规发放奖励。</Text>
        </View>
      </Field>
      {!r.anonymous ? (
        <View className="section">
          <Field name="reporter.name" label="姓名" required error={errors['reporter.name']}>
            <Input className="input" type="text" {...inputProps('姓名', { invalid: !!errors['reporter.name'] })} value={r.name} onInput={(e) => set({ name: e.detail.value })} data-testid="reporter-name" />
          </Field>
          <Field name="reporter.mobile" label="手机号码" required error={errors['reporter.mobile']} hint="中国大陆手机号，11 位；可以带 +86 或空格">
            <TidyInput label="手机号码" value={r.mobile} onChange={(mobile) => set({ mobile })} tidy={tidyMobile} keyboard="tel" invalid={!!errors['reporter.mobile']} testId="reporter-mobile" />
          </Field>
          <Field name="reporter.idNumber" label="身份证号码" error={errors['reporter.idNumber']} hint="18 位。用于核实身份和发放奖励。">
            <TidyInput label="身份证号码" value={r.idNumber} onChange={(idNumber) => set({ idNumber })} tidy={tidyResidentId} keyboard="text" invalid={!!errors['reporter.idNumber']} testId="reporter-id" />
          </Field>
          <Hint title="举报奖励" text={REWARD_RULES} />
        </View>
      ) : null}
    </StepLayout>
  )
}
