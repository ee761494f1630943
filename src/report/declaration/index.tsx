import { Text, View } from '@tarojs/components'
import { CONFIDENTIALITY_PROMISE, TRUTH_DECLARATION } from '@/domain/requirements'
import { Field } from '@/components/Field'
import { Hint } from '@/components/Hint'
import { MissingDraft } from '@/components/MissingDraft'
import { StepLayout } from '@/components/StepLayout'
import { useStep } from '@/hooks/useStep'

function Tick({ checked, label, onToggle, testId }: { checked: boolean; label: string; onToggle: () => void; testId: string }) {
  return (
    <View className={`tick${checked ? ' tick--on' : ''}`} onClick={onToggle} role="checkbox" aria-checked={checked} data-testid={testId}>
      <View className="tick__box">{checked ? '✓' : ''}</View>
      <Text className="tick__label">{label}</Text>
    </View>
  )
}

export default function DeclarationStep() {
  const { draft, missing, update, errors, next, back, from } = useStep('declaration')
  if (missing) return <MissingDraft />
  if (!draft) return null
  const d = draft.declaration
  // The declaration time is when both ticks were last given; untick and it is cleared.
  const set = (patch: Partial<typeof d>) =>
    update((x) => {
      const next = { ...x.declaration, ...patch }
      return { declaration: { ...next, declaredAt: next.truthful && next.liability ? new Date().toISOString() : undefined } }
    })
  return (
    <StepLayout step="declaration" errorCount={Object.keys(errors).length} onNext={next} onBack={back} returning={!!from} nextLabel="确认声明">
      <Hint tone="warn" title="请认真阅读" text={TRUTH_DECLARATION} />
      <Field name="declaration.truthful" label="我声明" required error={errors['declaration.truthful']}>
        <Tick checked={d.truthful} onToggle={() => set({ truthful: !d.truthful })} label="我提供的内容真实，没有虚构、夸大事实，我对其真实性负责。" testId="declare-truthful" />
      </Field>
      <Field name="declaration.liability" label="我知悉" required error={errors['declaration.liability']}>
        <Tick checked={d.liability} onToggle={() => set({ liability: !d.liability })} label="我知道谎报、捏造事实或借举报之名诬告陷害他人，将被依法依规追究法律责任。" testId="declare-liability" />
      </Field>
      <Hint tone="safe" title="保密承诺" text={CONFIDENTIALITY_PROMISE} />
    </StepLayout>
  )
}
