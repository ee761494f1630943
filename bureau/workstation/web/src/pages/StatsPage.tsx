/** Statistics over the decrypted inbox: charts (ECharts) and the same figures as tables, exportable as CSV. */
import { Alert, Button, Card, Col, Row, Skeleton, Statistic, Table } from 'antd'
import { useMemo } from 'react'
import type { StatsView } from '../../../shared/types'
import { api } from '../api'
import { EChart, type ChartOption } from '../components/EChart'
import { useLoad } from '../hooks/useLoad'

function charts(s: StatsView): { weekly: ChartOption; branch: ChartOption; status: ChartOption; reply: ChartOption } {
  const bar = (names: string[], values: number[]): ChartOption => ({
    tooltip: {},
    grid: { left: 40, right: 24, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 4 || names.some((n) => n.length > 6) ? 25 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: values, label: { show: true, position: 'top' } }],
  })
  return {
    weekly: {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 60 },
      xAxis: { type: 'category', data: s.weeks.map((w) => `${w} 周`) },
      yAxis: { type: 'value', minInterval: 1 },
      series: s.categories.map((c, i) => ({ name: c.name, type: 'bar', stack: 'all', data: s.perWeek[i] })).filter((x) => x.data.some((n) => n > 0)),
    },
    branch: bar(s.byBranch.map((b) => b.name), s.byBranch.map((b) => b.count)),
    status: {
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [{ type: 'pie', radius: ['35%', '65%'], data: s.byStatus.map((b) => ({ name: b.name, value: b.count })), label: { formatter: '{b}: {c}' } }],
    },
    reply: bar(s.firstReply.buckets.map((b) => b.label), s.firstReply.buckets.map((b) => b.count)),
  }
}

export function StatsPage() {
  const { data: s, error, loading } = useLoad(() => api<StatsView>('/api/stats'), [])
  const c = useMemo(() => (s ? charts(s) : undefined), [s])
  if (error) return <Alert type="error" showIcon message={error} />
  if (loading || !s || !c) return <Skeleton active />
  const weekColumns = [{ title: '类别', dataIndex: 'name', fixed: 'left' as const }, ...s.weeks.map((w, i) => ({ title: `${w} 起`, dataIndex: `w${i}` })), { title: '合计', dataIndex: 'total' }]
  const weekRows = s.categories.map((cat, i) => ({ key: cat.code || 'none', name: cat.name, total: s.perWeek[i].reduce((a, b) => a + b, 0), ...Object.fromEntries(s.perWeek[i].map((n, j) => [`w${j}`, n])) }))
  return (
    <div data-testid="stats">
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col span={6}>
          <Card>
            <Statistic title="举报总数" value={s.total} valueRender={() => <span data-testid="stat-total">{s.total}</span>} />
          </Card>
        </Col>
        <Col span={6}>
          <Card>
            <Statistic title="已回复" value={s.firstReply.replied} />
          </Card>
        </Col>
        <Col span={6}>
          <Card>
            <Statistic title="尚未回复" value={s.firstReply.unanswered} />
          </Card>
        </Col>
        <Col span={6}>
          <Card>
            <Statistic title="首次回复用时（中位数）" value={s.firstReply.medianHours === null ? '—' : `${s.firstReply.medianHours} 小时`} />
          </Card>
        </Col>
      </Row>
      <Card
        title="每周举报数（按类别）"
        style={{ marginBottom: 16 }}
        extra={
          <Button href="/api/stats.csv" download data-testid="stats-csv">
            导出 CSV
          </Button>
        }
      >
        <EChart option={c.weekly} testId="chart-weekly" />
        <Table size="small" pagination={false} scroll={{ x: true }} columns={weekColumns} dataSource={weekRows} data-testid="table-weekly" />
      </Card>
      <Row gutter={16}>
        <Col xs={24} lg={8}>
          <Card title="按受理单位" style={{ marginBottom: 16 }}>
            <EChart option={c.branch} testId="chart-branch" />
            <Table size="small" pagination={false} rowKey="code" columns={[{ title: '受理单位', dataIndex: 'name' }, { title: '举报数', dataIndex: 'count' }]} dataSource={s.byBranch} data-testid="table-branch" />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title="按状态" style={{ marginBottom: 16 }}>
            <EChart option={c.status} testId="chart-status" />
            <Table size="small" pagination={false} rowKey="status" columns={[{ title: '状态', dataIndex: 'name' }, { title: '举报数', dataIndex: 'count' }]} dataSource={s.byStatus} data-testid="table-status" />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title="从收到到首次回复" style={{ marginBottom: 16 }}>
            <EChart option={c.reply} testId="chart-reply" />
            <Table size="small" pagination={false} rowKey="label" columns={[{ title: '用时', dataIndex: 'label' }, { title: '举报数', dataIndex: 'count' }]} dataSource={s.firstReply.buckets} />
          </Card>
        </Col>
      </Row>
    </div>
  )
}
