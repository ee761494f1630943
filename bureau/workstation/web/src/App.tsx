/**
 * The workstation page: the session decides what is shown (connection setup, unlock, or the
 * console), the hash route which page of the console. Each of them is a chunk of its own, loaded
 * when shown (./pages.ts). Ant Design's styles carry the page's CSP nonce (read from the <meta>
 * the local server fills in per response).
 */
import { App as AntApp, ConfigProvider, Result } from 'antd'
// The ES module: 'antd/locale/zh_CN' is CommonJS (antd/lib), and brought CommonJS copies of the
// date picker's and pagination's locales into the first load.
import zhCN from 'antd/es/locale/zh_CN'
import { useEffect } from 'react'
import { api } from './api'
import { Loadable } from './Loadable'
import { parseRoute } from './hooks/useRoute'
import { useActivityPing, useSession } from './hooks/useSession'
import { Console, preloadConsole, SetupPage, UnlockPage } from './pages'

const nonce = document.querySelector('meta[name="csp-nonce"]')?.getAttribute('content') ?? undefined

function Body() {
  const { state, error, refresh } = useSession()
  useActivityPing(!!state?.unlocked)
  const locked = !!state?.configured && !state.unlocked
  useEffect(() => {
    if (!locked) return undefined
    // While the passphrase is typed: the console and the inbox, so the unlock shows it at once.
    // After the unlock page is drawn, never in its way.
    const t = setTimeout(() => preloadConsole({ page: 'inbox' }), 300)
    return () => clearTimeout(t)
  }, [locked])
  if (!state) {
    return error ? <Result status="error" title="无法连接工作站" subTitle={error} /> : null
  }
  if (!state.configured) {
    return (
      <Loadable>
        <SetupPage onDone={refresh} />
      </Loadable>
    )
  }
  if (!state.unlocked) {
    return (
      <Loadable>
        <UnlockPage state={state} onDone={refresh} />
      </Loadable>
    )
  }
  // The console's frame and the route's page in parallel (not the page only once the frame has
  // loaded).
  preloadConsole(parseRoute(window.location.hash))
  return (
    <Loadable>
      <Console
        tokenName={state.tokenName}
        branches={state.branches}
        onLock={() => {
          void api('/api/lock', { method: 'POST', body: {} }).finally(() => void refresh())
        }}
      />
    </Loadable>
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
