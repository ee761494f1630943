import { View } from '@tarojs/components'
import type { ITouchEvent } from '@tarojs/components'
import type { PropsWithChildren } from 'react'

interface LinkButtonProps {
  onClick: (e: ITouchEvent) => void
  className?: string
  testId?: string
  role?: 'button' | 'radio'
  checked?: boolean
}

/** Text that acts as a button ("修改", "复制", "填“不清楚”"): announced as one, at least 44×44 px. */
export function LinkButton({ onClick, className = 'link', testId, role = 'button', checked, children }: PropsWithChildren<LinkButtonProps>) {
  return (
    <View className={className} role={role} aria-checked={role === 'radio' ? !!checked : undefined} onClick={onClick} data-testid={testId}>
      {children}
    </View>
  )
}
