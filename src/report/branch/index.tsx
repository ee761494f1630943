import { Text, View } from '@tarojs/components'
import { BranchDetail } from '@/components/BranchDetail'
import { Field } from '@/components/Field'
import { MissingDraft } from '@/components/MissingDraft'
import { StepLayout } from '@/components/StepLayout'
import { useStep } from '@/hooks/useStep'

export default function BranchStep() {
  const { draft, missing, update, errors, next, back, config, from } = useStep('branch')
  if (missing) return <MissingDraft />
  if (!draft) return null
  return (
    <StepLayout step="branch" errorCount={Object.keys(errors).length} onNext={next} onBack={back} returning={!!from}>
      <Field name="branch" label="选择受理您举报的单位" required error={errors.branch} hint="请选择离事情发生地或您住处最近的单位；不确定时选择市局扫黑办。">
        {config.branches.map((b) => {
          const selected = draft.branch === b.code
          return (
            <View key={b.code} className={`card card--choice${selected ? ' card--selected' : ''}`} data-testid={`branch-${b.code}`} role="radio" aria-checked={selected} onClick={() => update({ branch: b.code })}>
              <Text className="card__title">{b.name}</Text>
              <BranchDetail branch={b} />
              {selected ? <Text className="card__check">✓ 已选择</Text> : null}
            </View>
          )
        })}
      </Field>
    </StepLayout>
  )
}
