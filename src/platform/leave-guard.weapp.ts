/**
 * WeChat: asks for confirmation when the user leaves the current page with the back button or
 * gesture (wx.enableAlertBeforeUnload, base library 2.12+). Missing API: no guard, no error.
 */
import Taro from '@tarojs/taro'

export function guardLeaving(message: string): () => void {
  const api = Taro as unknown as {
    enableAlertBeforeUnload?: (o: { message: string }) => unknown
    disableAlertBeforeUnload?: (o?: object) => unknown
  }
  if (typeof api.enableAlertBeforeUnload !== 'function') return () => undefined
  try {
    api.enableAlertBeforeUnload({ message })
  } catch {
    return () => undefined
  }
  return () => {
    try {
      api.disableAlertBeforeUnload?.({})
    } catch {
      // The page is gone already.
    }
  }
}
