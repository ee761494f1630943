/**
 * The workstation page: the session decides what is shown (connection setup, unlock, or the
 * console), the hash route which page of the console. Ant Design's styles carry the page's CSP
 * nonce (read from the <meta> the local server fills in per response).
 */
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Result, Space, Tag } from 'antd'
import zhCN from 'antd/locale/zh_CN'
import { lazy, Suspense } from 'react'
import { api } from './api'
import { useActivityPing, useSession } from './hooks/useSession'
import { routes, useRoute } from './hooks/useRoute'
import { AuditPage } from './pages/AuditPage'
import { CasePage } from './pages/CasePage'
import { InboxPage } from './pages/InboxPage'
import { PrintPage } from './pages/PrintPage'
import { SetupPage } from './pages/SetupPage'
import { UnlockPage } from './pages/UnlockPage'

// ECharts is loaded with the statistics page only (a separate chunk).
const StatsPage = lazy(() => import('./pages/StatsPage').then((m) => ({ default: m.StatsPage })))

const nonce = document.querySelector('meta[name="csp-nonce"]')?.getAttribute('content') ?? undefined

function Console({ tokenName, branches, onLock }: { tokenName?: string; branches?: string[]; onLock: () => void }) {
  const route = useRoute()
  if (route.page === 'print') return <PrintPage id={route.id} />
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
        {route.page === 'inbox' ? <InboxPage /> : null}
        {route.page === 'case' ? <CasePage id={route.id} /> : null}
        {route.page === 'stats' ? (
          <Suspense fallback={null}>
            <StatsPage />
          </Suspense>
        ) : null}
        {route.page === 'audit' ? <AuditPage /> : null}
      </Layout.Content>
    </Layout>
  )
}

function Body() {
  const { state, error, refresh } = useSession()
  useActivityPing(!!state?.unlocked)
  if (!state) {
    return error ? <Result status="error" title="无法连接工作站" subTitle={error} /> : null
  }
  if (!state.configured) return <SetupPage onDone={refresh} />
  if (!state.unlocked) return <UnlockPage state={state} onDone={refresh} />
  return (
    <Console
      tokenName={state.tokenName}
      branches={state.branches}
      onLock={() => {
        void api('/api/lock', { method: 'POST', body: {} }).finally(() => void refresh())
      }}
    />
  )
}

export function App() {
  return (
    <ConfigProvider locale={zhCN} csp={{ nonce }} theme={{ token: { colorPrimary: '#b71c1c' } }}>
      <AntApp>
        <Body />
      </AntApp>
    </ConfigProvider>
  )
}
