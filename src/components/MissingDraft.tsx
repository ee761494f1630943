import { Button, Text, View } from '@tarojs/components'
import { goHome } from '@/navigation'

/** Shown when a step is opened for a draft that no longer exists (deleted, or a stale link). */
export function MissingDraft() {
  return (
    <View className="page page--center">
      <Text className="empty">找不到这份草稿，它可能已被删除。</Text>
      <Button className="btn btn--primary" onClick={goHome}>
        返回首页
      </Button>
    </View>
  )
}
