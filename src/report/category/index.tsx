import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import { CATEGORIES } from '@/domain/categories'
import { Field } from '@/components/Field'
import { MissingDraft } from '@/components/MissingDraft'
import { StepLayout } from '@/components/StepLayout'
import { useStep } from '@/hooks/useStep'

export default function CategoryStep() {
  const { draft, missing, update, errors, next, back, config } = useStep('category')
  const [expanded, setExpanded] = useState<string | undefined>()
  if (missing) return <MissingDraft />
  if (!draft) return null
  const enabled = CATEGORIES.filter((c) => config.categories.includes(c.code))
  return (
    <StepLayout step="category" errorCount={Object.keys(errors).length} onNext={next} onBack={back}>
      <Field name="category" label="您要举报的是哪一类犯罪？" required error={errors.category} hint="不确定时可选择“其他”，民警会根据您的描述判断。">
        {enabled.map((c) => {
          const selected = draft.category === c.code
          const open = expanded === c.code || selected
          return (
            <View
              key={c.code}
              className={`card card--choice${selected ? ' card--selected' : ''}`}
              data-testid={`category-${c.code}`}
              aria-selected={selected}
              onClick={() => update({ category: c.code })}
            >
              <Text className="card__title">
                {c.ordinal}
                {c.name}
              </Text>
              <Text className={`card__text${open ? '' : ' card__text--clamped'}`}>{c.description}</Text>
              {!open ? (
                <Text
                  className="link"
                  onClick={(e) => {
                    e.stopPropagation()
                    setExpanded(c.code)
                  }}
                >
                  展开说明
                </Text>
              ) : null}
              {selected ? <Text className="card__check">✓ 已选择</Text> : null}
            </View>
          )
        })}
      </Field>
    </StepLayout>
  )
}
