/** A case: the report as on the phone's review page, its files, the conversation, notes, status, export. */
import { Alert, Button, Card, Col, Row, Skeleton, Space } from 'antd'
import { Attachments } from '../components/Attachments'
import { CaseHeader } from '../components/CaseHeader'
import { Conversation } from '../components/Conversation'
import { ExportPanel } from '../components/ExportPanel'
import { NotesPanel } from '../components/NotesPanel'
import { ReportView } from '../components/ReportView'
import { StatusPanel } from '../components/StatusPanel'
import { branchName, useCampaign } from '../hooks/useCampaign'
import { useCase } from '../hooks/useCase'
import { routes } from '../hooks/useRoute'

export function CasePage({ id }: { id: string }) {
  const names = useCampaign()
  const c = useCase(id)
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Button href={routes.inbox} data-testid="back-to-inbox">
        ← 返回举报列表
      </Button>
      {c.error ? <Alert type="error" showIcon message={c.error} data-testid="case-error" /> : null}
      {c.loading && !c.row ? <Skeleton active /> : null}
      {c.row ? (
        <Row gutter={16}>
          <Col xs={24} xl={14}>
            <Card title="举报内容" data-testid="case-view">
              <CaseHeader row={c.row} names={names} />
              {c.report ? <ReportView report={c.report} branchName={branchName(names, c.report.branch || c.row.branch)} /> : null}
            </Card>
          </Col>
          <Col xs={24} xl={10}>
            {c.report ? <Attachments id={id} /> : null}
            {c.report ? <Conversation id={id} /> : null}
            <StatusPanel row={c.row} onSaved={c.setRow} />
            {c.report ? <NotesPanel id={id} /> : null}
            {c.report ? <ExportPanel id={id} /> : null}
          </Col>
        </Row>
      ) : null}
    </Space>
  )
}
