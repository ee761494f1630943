/** The draft list for the home and drafts pages, refreshed whenever the page shows again. */
import Taro, { useDidShow } from '@tarojs/taro'
import { useCallback, useState } from 'react'
import type { DraftReport } from '@/domain/types'
import { deleteAllDrafts, deleteDraft, listDrafts } from '@/drafts/store'

export function useDrafts() {
  const [drafts, setDrafts] = useState<DraftReport[]>(() => listDrafts())
  const refresh = useCallback(() => setDrafts(listDrafts()), [])
  useDidShow(refresh)

  const remove = useCallback(
    async (draft: DraftReport) => {
      const { confirm } = await Taro.showModal({ title: '删除这份草稿？', content: '删除后无法恢复，已添加的材料也会一并从手机上删除。', confirmText: '删除', confirmColor: '#c62828' })
      if (!confirm) return false
      await deleteDraft(draft.id)
      refresh()
      return true
    },
    [refresh],
  )

  const removeAll = useCallback(async () => {
    const { confirm } = await Taro.showModal({ title: '删除全部草稿？', content: `将删除 ${listDrafts().length} 份草稿及其材料，无法恢复。`, confirmText: '全部删除', confirmColor: '#c62828' })
    if (!confirm) return false
    await deleteAllDrafts()
    refresh()
    return true
  }, [refresh])

  return { drafts, refresh, remove, removeAll }
}
