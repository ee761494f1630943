/** WeChat: the app goes to the background (and may be killed there) on onAppHide. */
import Taro from '@tarojs/taro'

export function onLeaveApp(callback: () => void): () => void {
  Taro.onAppHide(callback)
  return () => Taro.offAppHide(callback)
}
