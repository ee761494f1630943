/** The inbox: every case this token sees, decrypted in memory, with filters, sort and search. */
import { Alert, Badge, Button, Card, Checkbox, DatePicker, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd'
import type { ColumnsType, SorterResult } from 'antd/es/table/interface'
import { useMemo, type HTMLAttributes } from 'react'
import { PAGE_SIZES, SORTERS, UNREADABLE, type SortKey } from '../../../shared/inbox-query'
import type { CaseRow, PublicStatus } from '../../../shared/types'
import { ageText, categoryName, cstDateTime, STATUS_LABELS } from '../format'
import { branchName, useCampaign } from '../hooks/useCampaign'
import { useInbox } from '../hooks/useInbox'
import { routes } from '../hooks/useRoute'
import { StatusTag } from '../components/StatusTag'

const CST_DAY = (date: string) => Date.parse(`${date}T00:00:00+08:00`)

type Names = ReturnType<typeof useCampaign>

/** The columns; sorting is done by the workstation process (sorter: true), by the column's key. */
function inboxColumns(names: Names, now: number): ColumnsType<CaseRow> {
  return [
    {
      title: '收到时间',
      dataIndex: 'receivedAt',
      width: 150,
      sorter: true,
      render: (t: number, r) => (
        <Space size={4}>
          {/* A still dot: a "processing" badge animates, and a page of them kept the renderer busy. */}
          {r.readAt === null ? <Badge color="#1677ff" title="未读" /> : null}
          <span>{cstDateTime(t)}</span>
        </Space>
      ),
    },
    {
      title: '类别',
      dataIndex: 'category',
      width: 150,
      sorter: true,
      render: (c: string | null, r) =>
        r.problem ? (
          <Tooltip title={r.problem.message}>
            <Tag color="red">{r.problem.kind === 'wrong-key' ? '密钥不符' : '内容损坏'}</Tag>
          </Tooltip>
        ) : (
          categoryName(c)
        ),
    },
    {
      title: '受理单位',
      dataIndex: 'branch',
      width: 150,
      sorter: true,
      render: (b: string | null, r) => (
        <span>
          {branchName(names, b)}
          {r.serverBranch ? (
            <Tooltip title={`服务器记录的受理单位（${r.serverBranch}）与举报内容不一致`}>
              <Tag color="red" style={{ marginLeft: 4 }}>
                不一致
              </Tag>
            </Tooltip>
          ) : null}
        </span>
      ),
    },
    { title: '状态', dataIndex: 'status', width: 90, sorter: true, render: (s: PublicStatus) => <StatusTag status={s} /> },
    { title: '附件', dataIndex: 'attachments', width: 70, sorter: true },
    { title: '未读留言', dataIndex: 'unreadMessages', width: 90, sorter: true, render: (n: number) => (n > 0 ? <Badge count={n} /> : '—') },
    { title: '新材料', dataIndex: 'newMaterial', width: 80, sorter: true, render: (n: number) => (n > 0 ? <Badge count={n} color="orange" /> : '—') },
    { title: '已收到', key: 'age', width: 80, render: (_: unknown, r) => ageText(r.receivedAt, now) },
    { title: '内容摘要', dataIndex: 'summary', ellipsis: true, render: (s: string) => <span className="ws-summary">{s}</span> },
  ]
}

export function InboxPage() {
  const names = useCampaign()
  const inbox = useInbox()
  const { filter, setFilter, sort } = inbox
  // The columns are made once per campaign (the age column counts from when the inbox opened).
  const columns = useMemo(() => inboxColumns(names, Date.now()), [names])
  const sorted = useMemo(() => columns.map((c) => ('dataIndex' in c && c.sorter ? { ...c, sortOrder: sort?.key === c.dataIndex ? (sort?.order === 'asc' ? ('ascend' as const) : ('descend' as const)) : null } : c)), [columns, sort])

  const refused = inbox.answer?.refused ?? []
  return (
    <Card
      title="举报列表"
      extra={
        <Button onClick={() => void inbox.reload()} loading={inbox.reloading} data-testid="reload">
          从服务器刷新
        </Button>
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          placeholder="搜索解密内容：经过、链接、账号、电话"
          style={{ width: 340 }}
          value={inbox.query}
          onChange={(e) => inbox.setQuery(e.target.value)}
          data-testid="search"
        />
        <Select
          mode="multiple"
          allowClear
          placeholder="类别"
          style={{ minWidth: 180 }}
          value={filter.categories}
          onChange={(v: string[]) => setFilter({ ...filter, categories: v })}
          options={[...names.categories.map((c) => ({ value: c.code, label: c.name })), { value: UNREADABLE, label: '无法解密' }]}
          data-testid="filter-category"
        />
        <Select
          mode="multiple"
          allowClear
          placeholder="受理单位"
          style={{ minWidth: 180 }}
          value={filter.branches}
          onChange={(v: string[]) => setFilter({ ...filter, branches: v })}
          options={names.branches.map((b) => ({ value: b.code, label: b.name }))}
          data-testid="filter-branch"
        />
        <Select
          mode="multiple"
          allowClear
          placeholder="状态"
          style={{ minWidth: 140 }}
          value={filter.statuses}
          onChange={(v: PublicStatus[]) => setFilter({ ...filter, statuses: v })}
          options={(Object.keys(STATUS_LABELS) as PublicStatus[]).map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
          data-testid="filter-status"
        />
        <DatePicker.RangePicker
          placeholder={['收到日期从', '到']}
          onChange={(range) => {
            const [a, b] = range ?? []
            setFilter({ ...filter, from: a ? CST_DAY(a.format('YYYY-MM-DD')) : undefined, to: b ? CST_DAY(b.format('YYYY-MM-DD')) + 86400_000 : undefined })
          }}
          data-testid="filter-dates"
        />
        <Checkbox checked={filter.unreadOnly} onChange={(e) => setFilter({ ...filter, unreadOnly: e.target.checked })}>
          只看未读 / 有新留言
        </Checkbox>
      </Space>
      {inbox.error ? <Alert type="error" showIcon message={inbox.error} style={{ marginBottom: 16 }} data-testid="inbox-error" /> : null}
      {inbox.answer?.loadError && inbox.answer.loadError !== inbox.error ? (
        <Alert type="error" showIcon message={`没能从服务器读取举报：${inbox.answer.loadError}`} description="列表可能不完整。问题解决后请点“从服务器刷新”。" style={{ marginBottom: 16 }} data-testid="load-error" />
      ) : null}
      {inbox.answer?.spoolWarnings?.length ? (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} message="有待发送的回复无法重新发送" description={inbox.answer.spoolWarnings.join('；')} data-testid="spool-warning" />
      ) : null}
      {refused.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={`服务器发来的 ${refused.length} 条记录格式错误，已拒绝显示`}
          description={refused.slice(0, 5).join('；')}
        />
      ) : null}
      <Typography.Paragraph type="secondary" data-testid="inbox-count">
        共 {inbox.answer?.total ?? 0} 条，符合条件 {inbox.answer?.matched ?? 0} 条
        {inbox.query && inbox.current && inbox.answer ? `（搜索用时 ${inbox.answer.searchMs.toFixed(1)} 毫秒）` : ''}
      </Typography.Paragraph>
      <Table<CaseRow>
        rowKey="id"
        size="middle"
        loading={inbox.loading && !inbox.answer}
        columns={sorted}
        dataSource={inbox.rows}
        pagination={{ current: inbox.answer?.page ?? inbox.paging.page, pageSize: inbox.paging.pageSize, total: inbox.answer?.matched ?? 0, showSizeChanger: true, pageSizeOptions: [...PAGE_SIZES] }}
        onChange={(p, _filters, sorter) => {
          const s = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<CaseRow> | undefined
          const key = typeof s?.field === 'string' && s.field in SORTERS ? (s.field as SortKey) : undefined
          inbox.setSort(key && s?.order ? { key, order: s.order === 'ascend' ? 'asc' : 'desc' } : undefined)
          inbox.setPaging({ page: p.current ?? 1, pageSize: p.pageSize ?? inbox.paging.pageSize })
        }}
        onRow={(r) => ({ onClick: () => (window.location.hash = routes.case(r.id)), style: { cursor: 'pointer', fontWeight: r.readAt === null ? 600 : undefined }, 'data-testid': `case-row-${r.id}` } as HTMLAttributes<HTMLElement>)}
        locale={{ emptyText: inbox.query ? '没有找到包含这些文字的举报' : '没有符合条件的举报' }}
      />
    </Card>
  )
}
