/** The print view of a case: the report, files (pictures), conversation and notes, without controls. */
import { Alert, Button, Space, Typography } from 'antd'
import { Attachments } from '../components/Attachments'
import { CaseHeader } from '../components/CaseHeader'
import { Conversation } from '../components/Conversation'
import { NotesPanel } from '../components/NotesPanel'
import { ReportView } from '../components/ReportView'
import { branchName, useCampaign } from '../hooks/useCampaign'
import { useCase } from '../hooks/useCase'
import { routes } from '../hooks/useRoute'
import { cstDateTime } from '../format'

export function PrintPage({ id }: { id: string }) {
  const names = useCampaign()
  const c = useCase(id)
  return (
    <div className="ws-print" data-testid="print-page">
      <Space className="ws-noprint" style={{ marginBottom: 16 }}>
        <Button type="primary" onClick={() => window.print()} data-testid="print">
          打印
        </Button>
        <Button href={routes.case(id)}>返回案件</Button>
      </Space>
      <Typography.Title level={3}>涉网黑恶犯罪线索举报</Typography.Title>
      <Typography.Paragraph type="secondary">内部资料，注意保密。打印时间：{cstDateTime(Date.now())}</Typography.Paragraph>
      {c.error ? <Alert type="error" showIcon message={c.error} /> : null}
      {c.row ? <CaseHeader row={c.row} names={names} /> : null}
      {c.row && c.report ? (
        <>
          <ReportView report={c.report} branchName={branchName(names, c.report.branch || c.row.branch)} print />
          <Attachments id={id} print />
          <Conversation id={id} print />
          <NotesPanel id={id} print />
        </>
      ) : null}
    </div>
  )
}
