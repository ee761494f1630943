import { Button, Text, View } from '@tarojs/components'
import { DraftList } from '@/components/DraftList'
import { STALE_AFTER_DAYS } from '@/domain/draft-model'
import { useCampaignConfig } from '@/hooks/useCampaignConfig'
import { useDrafts } from '@/hooks/useDrafts'

export default function DraftsPage() {
  const config = useCampaignConfig()
  const { drafts, remove, removeAll } = useDrafts()
  return (
    <View className="page">
      <Text className="page__intro">草稿只保存在这部手机上。{STALE_AFTER_DAYS} 天没有修改的草稿会被自动删除。</Text>
      <DraftList drafts={drafts} config={config} onDelete={remove} />
      {drafts.length > 1 ? (
        <Button className="btn btn--danger" onClick={removeAll} data-testid="delete-all-drafts">
          删除全部草稿
        </Button>
      ) : null}
    </View>
  )
}
