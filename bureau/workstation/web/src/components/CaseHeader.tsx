/** The facts of a case the server knows (no plaintext), and the warning when it cannot be opened. */
import { Alert, Descriptions } from 'antd'
import type { CaseRow } from '../../../shared/types'
import { categoryName, cstDateTime } from '../format'
import { branchName, type CampaignNames } from '../hooks/useCampaign'
import { StatusTag } from './StatusTag'

export function CaseHeader({ row, names }: { row: CaseRow; names: CampaignNames }) {
  return (
    <>
      {row.problem ? <Alert type="warning" showIcon style={{ marginBottom: 16 }} message="这条举报无法打开" description={row.problem.message} data-testid="case-problem" /> : null}
      {row.serverBranch ? (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={`服务器记录的受理单位（${branchName(names, row.serverBranch)}）与举报内容中的（${branchName(names, row.branch)}）不一致，以举报内容为准。`} />
      ) : null}
      <Descriptions
        size="small"
        column={{ xs: 1, md: 3 }}
        style={{ marginBottom: 16 }}
        items={[
          { key: 'id', label: '编号', children: <code>{row.id}</code> },
          { key: 'at', label: '收到时间', children: cstDateTime(row.receivedAt) },
          { key: 'status', label: '状态', children: <StatusTag status={row.status} /> },
          { key: 'cat', label: '类别', children: categoryName(row.category) },
          { key: 'branch', label: '受理单位', children: branchName(names, row.branch) },
          { key: 'kid', label: '加密密钥', children: <code>{row.kid}</code> },
        ]}
      />
    </>
  )
}
