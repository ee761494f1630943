import { Button, Input, Picker, Text, Textarea, View } from '@tarojs/components'
import dayjs from 'dayjs'
import { findCategory } from '@/domain/categories'
import { DESCRIPTION_HINT, LINKS_HINT } from '@/domain/requirements'
import type { CategoryField, ReportedParty } from '@/domain/types'
import { countChars, DESCRIPTION_MAX, DESCRIPTION_MIN, UNKNOWN } from '@/domain/validators'
import { Field } from '@/components/Field'
import { Hint } from '@/components/Hint'
import { MissingDraft } from '@/components/MissingDraft'
import { StepLayout } from '@/components/StepLayout'
import { useStep } from '@/hooks/useStep'

export default function DetailsStep() {
  const { draft, missing, update, errors, next, back } = useStep('details')
  if (missing) return <MissingDraft />
  if (!draft) return null
  const category = draft.category ? findCategory(draft.category) : undefined
  const happened = draft.happenedAt ? dayjs(draft.happenedAt) : undefined
  const date = happened?.isValid() ? happened.format('YYYY-MM-DD') : ''
  const time = happened?.isValid() ? happened.format('HH:mm') : ''
  const today = dayjs().format('YYYY-MM-DD')
  // Counted as the validator counts it, so the counter and the error message agree.
  const written = countChars(draft.description.trim())

  const setHappened = (nextDate: string, nextTime: string) =>
    update({ happenedAt: dayjs(`${nextDate}T${nextTime || '00:00'}`).format('YYYY-MM-DDTHH:mm') })
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
    <StepLayout step="details" errorCount={Object.keys(errors).length} onNext={next} onBack={back}>
      <Field name="happenedAt" label="事情是什么时候发生的？" required error={errors.happenedAt} hint="记不清准确时间时，选大概的日期即可。">
        <View className="row">
          <Picker mode="date" value={date || today} end={today} start="2000-01-01" onChange={(e) => setHappened(String(e.detail.value), time)} data-testid="happened-date">
            <View className="picker">{date ? dayjs(date).format('YYYY年M月D日') : '选择日期'}</View>
          </Picker>
          <Picker mode="time" value={time || '12:00'} onChange={(e) => setHappened(date || today, String(e.detail.value))} data-testid="happened-time">
            <View className="picker">{time || '选择时间（可不选）'}</View>
          </Picker>
        </View>
      </Field>

      <Field name="description" label="详细描述受害经过" required error={errors.description} hint={DESCRIPTION_HINT}>
        <Textarea
          className="textarea"
          value={draft.description}
          maxlength={DESCRIPTION_MAX}
          placeholder="例如：某年某月，对方通过什么平台联系我，说了什么、做了什么，我损失了多少钱……"
          onInput={(e) => update({ description: e.detail.value })}
          data-testid="description"
        />
        <Text className="counter">
          已写 {written} 字{written < DESCRIPTION_MIN ? `，至少 ${DESCRIPTION_MIN} 字` : ''}
        </Text>
      </Field>

      <Field name="links" label="相关网址、链接" hint={LINKS_HINT} error={errors.links}>
        {links.map((link, i) => (
          <View key={i} className="row">
            <Input
              className={`input${errors[`links.${i}`] ? ' input--error' : ''}`}
              value={link}
              type="text"
              maxlength={2048}
              placeholder="例如 https://www.example.com/post/123"
              onInput={(e) => setLink(i, e.detail.value)}
              data-testid={`link-${i}`}
            />
            {links.length > 1 ? (
              <Button className="btn btn--small" onClick={() => update((d) => ({ links: d.links.filter((_, j) => j !== i) }))}>
                删除
              </Button>
            ) : null}
            {errors[`links.${i}`] ? (
              <Text className="field__error" data-error-for={`links.${i}`}>
                {errors[`links.${i}`]}
              </Text>
            ) : null}
          </View>
        ))}
        <Button className="btn btn--small btn--ghost" onClick={() => update((d) => ({ links: [...(d.links.length ? d.links : ['']), ''] }))} data-testid="add-link">
          ＋ 再添加一个链接
        </Button>
      </Field>

      <Hint title="被举报人信息" text={`知道多少填多少，不知道可以留空或填“${UNKNOWN}”。`} />
      <Field name="party.accounts" label="对方的账号（微信号、QQ号、平台账号等）" error={errors['party.accounts']}>
        <Textarea className="textarea textarea--short" value={draft.party.accounts} onInput={(e) => setParty('accounts', e.detail.value)} data-testid="party-accounts" />
      </Field>
      <Field name="party.phones" label="对方的电话号码" hint="多个号码用逗号或换行分开" error={errors['party.phones']}>
        <Textarea className="textarea textarea--short" value={draft.party.phones} onInput={(e) => setParty('phones', e.detail.value)} data-testid="party-phones" />
      </Field>
      <Field name="party.websites" label="对方的网站、App 名称" error={errors['party.websites']}>
        <Textarea className="textarea textarea--short" value={draft.party.websites} onInput={(e) => setParty('websites', e.detail.value)} data-testid="party-websites" />
      </Field>

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
  const multiline = field.kind === 'multiline' || field.kind === 'links' || field.kind === 'phones'
  return (
    <Field name={`extra.${field.key}`} label={field.label} required={field.required} error={error} hint={field.placeholder}>
      {multiline ? (
        <Textarea className="textarea textarea--short" value={value} onInput={(e) => onChange(e.detail.value)} data-testid={`extra-${field.key}`} />
      ) : (
        <Input
          className="input"
          type={field.kind === 'amount' ? 'digit' : 'text'}
          maxlength={500}
          value={value}
          placeholder={field.kind === 'amount' ? `金额（元），不清楚可填“${UNKNOWN}”` : ''}
          onInput={(e) => onChange(e.detail.value)}
          data-testid={`extra-${field.key}`}
        />
      )}
      <Text className="link link--small" onClick={() => onChange(UNKNOWN)}>
        填“{UNKNOWN}”
      </Text>
    </Field>
  )
}
