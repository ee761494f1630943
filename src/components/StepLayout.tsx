import { Button, Text, View } from '@tarojs/components'
import type { PropsWithChildren } from 'react'
import { FLOW_STEPS, FLOW_TITLES, type FlowStep } from '@/hooks/useStep'

interface StepLayoutProps {
  step: FlowStep
  errorCount?: number
  nextLabel?: string
  /** The step was opened to change one thing (`?from=`): "next" saves and returns there. */
  returning?: boolean
  onNext: () => void
  onBack?: () => void
}

/** Frame of every step: where the user is, the step's content, and large back/next buttons. */
export function StepLayout({ step, errorCount = 0, nextLabel = '下一步', returning = false, onNext, onBack, children }: PropsWithChildren<StepLayoutProps>) {
  const index = FLOW_STEPS.indexOf(step)
  return (
    <View className="step">
      <View className="step__progress" role="group" aria-label={`第 ${index + 1} 步，共 ${FLOW_STEPS.length} 步`}>
        <Text className="step__count">
          第 {index + 1} / {FLOW_STEPS.length} 步
        </Text>
        <Text className="step__title">{FLOW_TITLES[step]}</Text>
        <View className="step__bar">
          <View className="step__bar-fill" style={{ width: `${((index + 1) / FLOW_STEPS.length) * 100}%` }} />
        </View>
      </View>
      <View className="step__body">{children}</View>
      {errorCount > 0 ? (
        <View className="step__errors" role="alert">
          <Text>还有 {errorCount} 处需要修改，请查看标红的内容</Text>
        </View>
      ) : null}
      <View className="step__actions">
        {onBack ? (
          <Button className="btn btn--secondary" onClick={onBack}>
            上一步
          </Button>
        ) : null}
        <Button className="btn btn--primary" onClick={onNext} data-testid="next">
          {returning ? '保存并返回' : nextLabel}
        </Button>
      </View>
      <Text className="step__autosave">填写内容会自动保存在本机，可随时离开后继续</Text>
    </View>
  )
}
