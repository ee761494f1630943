import { Button, Input, Picker, Text, Textarea, View } from '@tarojs/components'
import { LinkButton } from '@/components/LinkButton'
import dayjs from 'dayjs'
import { findCategory } from '@/domain/categories'
import { DESCRIPTION_HINT, LINKS_HINT } from '@/domain/requirements'
import type { CategoryField, ReportedParty } from '@/domain/types'
import {
  chineseDate,
  countChars,
  DESCRIPTION_MIN,
  joinHappenedAt,
  splitHappenedAt,
  tidyAmount,
  UNKNOWN,
} from '@/domain/validators'
import { ChoiceSummary } from '@/components/ChoiceSummary'
import { Field, FieldError } from '@/components/Field'
import { fieldDomId } from '@/components/field-id'
import { Hint } from '@/components/Hint'
import { MissingDraft } from '@/components/MissingDraft'
import { StepLayout } from '@/components/StepLayout'
import { TidyInput } from '@/components/TidyInput'
import { useStep } from '@/hooks/useStep'
import { inputProps } from '@/platform/input-props'

const PARTY_FIELDS: { key: keyof ReportedParty; label: string; hint?: string }[] = [
  { key: 'accounts', label: '对方的账号（微信号、QQ号、平台账号等）', hint: '每行一个' },
  { key: 'phones', label: '对方的电话号码', hint: '多个号码用逗号或换行分开' },
  { key: 'websites', label: '对方的网站、App 名称', hint: '可以直接写 App 或网站的名字，也可以填网址，每行一个' },
]

export default function DetailsStep() {
  const { draft, missing, update, errors, next, back, config, from } = useStep('details')
  if (missing) return <MissingDraft />
  if (!draft) return null
  const category = draft.category ? findCategory(draft.category) : undefined
  // "Date only" is its own value: no time is shown or recorded until the resident picks one.
  const { date, time } = splitHappenedAt(draft.happenedAt)
  const today = dayjs().format('YYYY-MM-DD')
  // Counted as the validator counts it, so the counter and the error message agree.
  const written = countChars(draft.description.trim())

  const setHappened = (nextDate: string, nextTime: string) => update({ happenedAt: joinHappenedAt(nextDate, nextTime) })
  const setParty = (key: keyof ReportedParty, value: string) => update((d) => ({ party: { ...d.party, [key]: value } }))
  const setExtra = (key: string, value: string) => update((d) => ({ extra: { ...d.extra, [key]: value } }))
  const links = draft.links.length > 0 ? draft.links : ['']
  const setLink = (index: number, value: string) =>
    update((d) => {
      const list = d.links.length > 0 ? [...d.links] : ['']
      list[index] = value
      return { links: list }
    })

  return (
    <StepLayout step="details" errorCount={Object.keys(errors).length} onNext={next} onBack={back} returning={!!from}>
      <ChoiceSummary draft={draft} config={config} here="details" showCategory />
      <Field name="happenedAt" label="事情是什么时候发生的？" required error={errors.happenedAt} hint="记不清准确时间时，选大概的日期即可，时间可以不选。">
        <View className="row">
          <Picker mode="date" value={date || today} end={today} start="2000-01-01" onChange={(e) => setHappened(String(e.detail.value), time)} data-testid="happened-date">
            <View className="picker" role="button">{date ? chineseDate(date) : '选择日期'}</View>
          </Picker>
          <Picker mode="time" value={time || '12:00'} onChange={(e) => setHappened(date || today, String(e.detail.value))} data-testid="happened-time">
            <View className="picker" role="button">{time || '选择时间（可不选）'}</View>
          </Picker>
        </View>
        {time ? (
          <LinkButton onClick={() => setHappened(date, '')} testId="clear-time">
            不填具体时间
          </LinkButton>
        ) : null}
      </Field>

      <Field name="description" label="详细描述受害经过" required error={errors.description} hint={DESCRIPTION_HINT}>
        <Textarea
          className="textarea"
          {...inputProps('详细描述受害经过', { invalid: !!errors.description })}
          value={draft.description}
          placeholder="例如：某年某月，对方通过什么平台联系我，说了什么、做了什么，我损失了多少钱……"
          onInput={(e) => update({ description: e.detail.value })}
          data-testid="description"
        />
        <Text className="counter">
          已写 {written} 字{written < DESCRIPTION_MIN ? `，至少 ${DESCRIPTION_MIN} 字` : ''}
        </Text>
      </Field>

      <Field name="links" label="相关网址、链接" hint={LINKS_HINT} error={errors.links}>
        {links.map((link, i) => {
          const error = errors[`links.${i}`]
          return (
            <View key={i} className={`link-row${error ? ' link-row--error' : ''}`} id={fieldDomId(`links.${i}`)} data-field={`links.${i}`}>
              <Input
                className={`input${error ? ' input--error' : ''}`}
                type="text"
                {...inputProps(links.length > 1 ? `相关网址、链接，第 ${i + 1} 条` : '相关网址、链接', { invalid: !!error })}
                value={link}
                placeholder="例如 https://www.example.com/post/123"
                onInput={(e) => setLink(i, e.detail.value)}
                data-testid={`link-${i}`}
              />
              <FieldError name={`links.${i}`} error={error} />
              {links.length > 1 ? (
                <Button className="btn btn--small btn--ghost link-row__remove" onClick={() => update((d) => ({ links: d.links.filter((_, j) => j !== i) }))} data-testid={`remove-link-${i}`}>
                  删除第 {i + 1} 条
                </Button>
              ) : null}
            </View>
          )
        })}
        <Button className="btn btn--small btn--outline" onClick={() => update((d) => ({ links: [...(d.links.length ? d.links : ['']), ''] }))} data-testid="add-link">
          ＋ 再添加一个链接
        </Button>
      </Field>

      <Hint title="被举报人信息" text={`知道多少填多少，不知道可以留空或填“${UNKNOWN}”。`} />
      {PARTY_FIELDS.map(({ key, label, hint }) => (
        <Field key={key} name={`party.${key}`} label={label} hint={hint} error={errors[`party.${key}`]}>
          <Textarea
            className="textarea textarea--short"
            {...inputProps(label, { invalid: !!errors[`party.${key}`] })}
            value={draft.party[key]}
            onInput={(e) => setParty(key, e.detail.value)}
            data-testid={`party-${key}`}
          />
        </Field>
      ))}

      {category && category.fields.length > 0 ? (
        <View className="section">
          <Text className="section__title">
            {category.name}：补充信息
          </Text>
          {category.fields.map((f) => (
            <CategoryInput key={f.key} field={f} value={draft.extra[f.key] ?? ''} error={errors[`extra.${f.key}`]} onChange={(v) => setExtra(f.key, v)} />
          ))}
        </View>
      ) : null}
    </StepLayout>
  )
}

function CategoryInput({ field, value, error, onChange }: { field: CategoryField; value: string; error?: string; onChange: (v: string) => void }) {
  const multiline = field.kind !== 'text' && field.kind !== 'amount'
  const testId = `extra-${field.key}`
  return (
    <Field name={`extra.${field.key}`} label={field.label} required={field.required} error={error} hint={field.placeholder}>
      {field.kind === 'amount' ? (
        <TidyInput
          label={field.label}
          value={value}
          onChange={onChange}
          tidy={tidyAmount}
          keyboard="decimal"
          placeholder={`金额（元），不清楚可填“${UNKNOWN}”`}
          invalid={!!error}
          testId={testId}
        />
      ) : multiline ? (
        <Textarea className="textarea textarea--short" {...inputProps(field.label, { invalid: !!error })} value={value} onInput={(e) => onChange(e.detail.value)} data-testid={testId} />
      ) : (
        <Input className="input" type="text" {...inputProps(field.label, { invalid: !!error })} value={value} onInput={(e) => onChange(e.detail.value)} data-testid={testId} />
      )}
      <LinkButton className="link link--unknown" onClick={() => onChange(UNKNOWN)} testId={`${testId}-unknown`}>
        填“{UNKNOWN}”
      </LinkButton>
    </Field>
  )
}
