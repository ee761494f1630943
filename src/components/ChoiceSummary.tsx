import { Text, View } from '@tarojs/components'
import { LinkButton } from '@/components/LinkButton'
import { findBranch } from '@/domain/branches'
import { findCategory } from '@/domain/categories'
import type { CampaignConfig, DraftReport } from '@/domain/types'
import type { FlowStep } from '@/hooks/useStep'
import { backTo, forward } from '@/navigation'

interface ChoiceSummaryProps {
  draft: DraftReport
  config: CampaignConfig
  /** The step showing the summary: changing a choice made on a later step comes back here. */
  here: FlowStep
  showCategory: boolean
}

/**
 * What is already chosen (from a QR code or earlier steps), at the top of a step: the category
 * and the office, each with a way to change it.
 */
export function ChoiceSummary({ draft, config, here, showCategory }: ChoiceSummaryProps) {
  const category = showCategory ? findCategory(draft.category) : undefined
  const branch = findBranch(config, draft.branch)
  if (!category && !branch) return null
  return (
    <View className="choices" data-testid="choices">
      {category ? (
        <View className="choices__row">
          <View className="choices__text">
            <Text className="choices__label">举报类别</Text>
            <Text className="choices__value" data-testid="chosen-category">
              {category.ordinal}
              {category.name}
            </Text>
          </View>
          <LinkButton className="link choices__change" onClick={() => backTo('category', { id: draft.id })} testId="change-category">
            更改类别
          </LinkButton>
        </View>
      ) : null}
      {branch ? (
        <View className="choices__row">
          <View className="choices__text">
            <Text className="choices__label">受理单位</Text>
            <Text className="choices__value" data-testid="chosen-branch">
              {branch.name}
            </Text>
          </View>
          <LinkButton className="link choices__change" onClick={() => forward('branch', { id: draft.id, from: here })} testId="change-branch">
            更改单位
          </LinkButton>
        </View>
      ) : null}
    </View>
  )
}
