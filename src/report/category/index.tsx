import { Text, View } from '@tarojs/components'
import { LinkButton } from '@/components/LinkButton'
import { useState } from 'react'
import { CATEGORIES } from '@/domain/categories'
import { ChoiceSummary } from '@/components/ChoiceSummary'
import { Field } from '@/components/Field'
import { MissingDraft } from '@/components/MissingDraft'
import { StepLayout } from '@/components/StepLayout'
import { useOverflowing } from '@/hooks/useOverflowing'
import { useStep } from '@/hooks/useStep'

export default function CategoryStep() {
  const { draft, missing, update, errors, next, back, config, from } = useStep('category')
  const [expanded, setExpanded] = useState<string | undefined>()
  // "展开说明" only where the two-line preview really cuts the text (not under (八), whose text is short).
  const cut = useOverflowing(`${expanded}|${draft?.category}|${!!draft}`)
  if (missing) return <MissingDraft />
  if (!draft) return null
  const enabled = CATEGORIES.filter((c) => config.categories.includes(c.code))
  return (
    <StepLayout step="category" errorCount={Object.keys(errors).length} onNext={next} onBack={back} returning={!!from}>
      <ChoiceSummary draft={draft} config={config} here="category" showCategory={false} />
      <Field name="category" label="您要举报的是哪一类犯罪？" required error={errors.category} hint="不确定时可选择“其他”，民警会根据您的描述判断。">
        {enabled.map((c) => {
          const selected = draft.category === c.code
          const open = expanded === c.code || selected
          return (
            <View
              key={c.code}
              className={`card card--choice${selected ? ' card--selected' : ''}`}
              data-testid={`category-${c.code}`}
              role="radio"
              aria-checked={selected}
             
              onClick={() => update({ category: c.code })}
            >
              <Text className="card__title">
                {c.ordinal}
                {c.name}
              </Text>
              <View className="card__clampbox">
                <Text className={`card__text${open ? '' : ' card__text--clamped clamp'}`} data-key={c.code}>
                  {c.description}
                </Text>
                {open ? null : (
                  <Text className="card__text clamp-probe" data-key={c.code} aria-hidden="true">
                    {c.description}
                  </Text>
                )}
              </View>
              {!open && cut[c.code] ? (
                <LinkButton
                  onClick={(e) => {
                    e.stopPropagation()
                    setExpanded(c.code)
                  }}
                  testId={`expand-${c.code}`}
                >
                  展开说明
                </LinkButton>
              ) : null}
              {selected ? <Text className="card__check">✓ 已选择</Text> : null}
            </View>
          )
        })}
      </Field>
    </StepLayout>
  )
}
