/** WeChat: the app goes to the background (and may be killed there) on onAppHide. */
import Taro from '@tarojs/taro'

export function onLeaveApp(callback: () => void): () => void {
  Taro.onAppHide(callback)
  return () => Taro.offAppHide(callback)
}

/** WeChat: the app comes back to the foreground (onAppShow). */
export function onReturnToApp(callback: () => void): () => void {
  const handler = () => callback()
  Taro.onAppShow(handler)
  return () => Taro.offAppShow(handler)
}

/** WeChat: a killed mini-program gets no signal, and only one copy ever runs; nothing to do. */
export function onAppUnload(_callback: () => void): () => void {
  void _callback
  return () => undefined
}
