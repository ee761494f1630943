import { useLaunch } from '@tarojs/taro'
import Taro from '@tarojs/taro'
import type { PropsWithChildren } from 'react'
import { purgeStaleDrafts } from '@/drafts/store'
import { STALE_AFTER_DAYS } from '@/domain/draft-model'
import { startPrivacyBridge } from '@/services/privacy-requests'
import { startOfflineShell } from '@/platform/offline'
import { startOutbox } from '@/outbox'
import { makePagesFocusable } from '@/platform/focusable-pages'
import { refreshKeyListSoon } from '@/services/refresh-keys'
import { checkSavedCasesSoon } from '@/services/check-cases'
import './app.css'

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    startPrivacyBridge()
    // H5: keep the app shell for offline use (WeChat keeps its packages itself).
    startOfflineShell()
    makePagesFocusable()
    // The bureau's signed key list, if the server has a newer one (checked against the built-in
    // signing key; a refused list is only logged).
    refreshKeyListSoon()
    // Cases the resident chose to keep on this phone: new messages from the bureau (home page badge).
    checkSavedCasesSoon()
    // Reports waiting in the outbox are sent now, and whenever the app returns or the network does.
    startOutbox()
    purgeStaleDrafts(new Date())
      .then((count) => {
        if (count > 0) {
          Taro.showModal({
            title: '已清理旧草稿',
            content: `有 ${count} 份草稿超过 ${STALE_AFTER_DAYS} 天没有修改，已从手机上删除。`,
            showCancel: false,
          })
        }
      })
      .catch(() => undefined)
  })
  return children
}

export default App
