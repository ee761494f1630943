/**
 * Where a lazily loaded screen is shown: nothing while its chunk loads (a local file, a few
 * milliseconds), a plain Chinese message with a reload button if it cannot be loaded (the
 * workstation was stopped or restarted, or rebuilt, since this page was opened).
 */
import { Button, Result } from 'antd'
import { Component, Suspense, type ReactNode } from 'react'

class ChunkBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false }

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true }
  }

  render(): ReactNode {
    if (!this.state.failed) return this.props.children
    return (
      <Result
        status="error"
        title="页面加载失败"
        subTitle="工作站程序可能已经关闭或重新启动。请重新加载本页面；如仍失败，请在终端中重新运行 npm run workstation，使用新显示的登录链接。"
        extra={
          <Button type="primary" onClick={() => window.location.reload()} data-testid="reload-page">
            重新加载
          </Button>
        }
      />
    )
  }
}

export function Loadable({ children }: { children: ReactNode }) {
  return (
    <ChunkBoundary>
      <Suspense fallback={null}>{children}</Suspense>
    </ChunkBoundary>
  )
}
