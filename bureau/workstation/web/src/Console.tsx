/** The console once unlocked: the header with the menu and the lock button, and the route's page. */
import { Button, Layout, Menu, Space, Tag } from 'antd'
import { Loadable } from './Loadable'
import { routes, useRoute } from './hooks/useRoute'
import { AuditPage, CasePage, InboxPage, PrintPage, StatsPage } from './pages'

export function Console({ tokenName, branches, onLock }: { tokenName?: string; branches?: string[]; onLock: () => void }) {
  const route = useRoute()
  if (route.page === 'print') {
    return (
      <Loadable>
        <PrintPage id={route.id} />
      </Loadable>
    )
  }
  const selected = route.page === 'case' ? 'inbox' : route.page
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header className="ws-header ws-noprint">
        <span className="ws-header__title">扫黑办工作站</span>
        <Menu
          theme="dark"
          mode="horizontal"
          selectedKeys={[selected]}
          style={{ flex: 1, minWidth: 0 }}
          items={[
            { key: 'inbox', label: <a href={routes.inbox}>举报列表</a> },
            { key: 'stats', label: <a href={routes.stats}>统计</a> },
            { key: 'audit', label: <a href={routes.audit}>审计日志</a> },
          ]}
        />
        <Space>
          <span style={{ color: '#ddd' }} data-testid="token-name">
            {tokenName}
            {branches && branches.length > 0 ? <Tag style={{ marginLeft: 8 }}>限 {branches.join('、')}</Tag> : null}
          </span>
          <Button onClick={onLock} data-testid="lock">
            锁定
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content className="ws-content">
        {/* Keyed by the page: a chunk that failed to load does not keep the next page from showing. */}
        <Loadable key={route.page}>
          {route.page === 'inbox' ? <InboxPage /> : null}
          {route.page === 'case' ? <CasePage id={route.id} /> : null}
          {route.page === 'stats' ? <StatsPage /> : null}
          {route.page === 'audit' ? <AuditPage /> : null}
        </Loadable>
      </Layout.Content>
    </Layout>
  )
}
