import { Button, Input, Text, View } from '@tarojs/components'
import dayjs from 'dayjs'
import { Field } from '@/components/Field'
import { Hint } from '@/components/Hint'
import { inputProps } from '@/platform/input-props'
import { STATUS_EXPLANATIONS, STATUS_LABELS, useStatusQuery } from '@/hooks/useStatusQuery'

export default function StatusPage() {
  const { input, change, submit, error, result, loading } = useStatusQuery()
  return (
    <View className="page">
      <Text className="page__intro">输入提交举报时得到的 16 位查询码，可以查看办理进度。查询不需要登录，也不会显示举报内容。</Text>
      <Field label="查询码" name="receipt" required hint="16 位数字，可以带空格" error={error}>
        <Input
          className={`input input--code${error ? ' input--error' : ''}`}
          type="text"
          {...inputProps('查询码', { keyboard: 'numeric', invalid: !!error })}
          value={input}
          placeholder="例如 1234 5678 9012 3456"
          onInput={(e) => change(e.detail.value)}
          data-testid="status-input"
        />
      </Field>
      <Button className={`btn btn--primary btn--large${loading ? ' btn--disabled' : ''}`} onClick={submit} data-testid="status-submit">
        {loading ? '正在查询…' : '查询'}
      </Button>
      {result ? (
        <View className="card status" data-testid="status-result" data-status={result.status}>
          <Text className="status__value">{STATUS_LABELS[result.status]}</Text>
          <Text className="card__text">{STATUS_EXPLANATIONS[result.status]}</Text>
          <Text className="card__text">更新时间：{dayjs(result.changedAt).format('YYYY年M月D日 HH:mm')}</Text>
          {result.note ? <Text className="card__text status__note">公安机关说明：{result.note}</Text> : null}
        </View>
      ) : null}
      <Hint text="查询码丢失后无法找回。如有紧急情况，请直接拨打 110。" />
    </View>
  )
}
