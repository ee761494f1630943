import { Button, Text, View } from '@tarojs/components'
import dayjs from 'dayjs'
import relativeTime from 'dayjs/plugin/relativeTime'
import 'dayjs/locale/zh-cn'
import { findCategory } from '@/domain/categories'
import { draftCompleteness, STEPS } from '@/domain/draft-model'
import type { CampaignConfig, DraftReport } from '@/domain/types'
import { go, replace } from '@/navigation'

dayjs.extend(relativeTime)

interface DraftListProps {
  drafts: DraftReport[]
  config: CampaignConfig
  onDelete: (draft: DraftReport) => void
  /** Replace the current page when resuming (drafts page) instead of pushing (home). */
  replacePage?: boolean
}

/** Drafts with category, completeness and how long ago they changed; resume or delete each. */
export function DraftList({ drafts, config, onDelete, replacePage }: DraftListProps) {
  if (drafts.length === 0) return <Text className="empty">还没有草稿</Text>
  return (
    <View>
      {drafts.map((d) => {
        const c = draftCompleteness(d, config)
        // Resume at the first unfinished step, or at the review when everything is filled in.
        const step = STEPS.find((s) => c.missing.includes(s)) ?? 'review'
        const open = () => (replacePage ? replace(step, { id: d.id }) : go(step, { id: d.id }))
        return (
          <View key={d.id} className="card" data-testid="draft">
            <Text className="card__title">{findCategory(d.category)?.name ?? '未选择类别'}</Text>
            <Text className="card__text">
              已完成 {c.done}/{c.total} 部分 · {d.attachments.length} 个文件 · {dayjs(d.updatedAt).locale('zh-cn').fromNow()}修改
            </Text>
            <View className="row">
              <Button className="btn btn--primary btn--small" onClick={open} data-testid="resume-draft">
                继续填写
              </Button>
              <Button className="btn btn--secondary btn--small" onClick={() => onDelete(d)}>
                删除
              </Button>
            </View>
          </View>
        )
      })}
    </View>
  )
}
