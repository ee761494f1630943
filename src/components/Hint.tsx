import { Text, View } from '@tarojs/components'

interface HintProps {
  title?: string
  text: string
  tone?: 'info' | 'warn' | 'safe'
  testId?: string
}

/** A boxed piece of the notice's guidance, shown where the user needs it. */
export function Hint({ title, text, tone = 'info', testId }: HintProps) {
  return (
    <View className={`hint hint--${tone}`} data-testid={testId}>
      {title ? <Text className="hint__title">{title}</Text> : null}
      <Text className="hint__text">{text}</Text>
    </View>
  )
}
