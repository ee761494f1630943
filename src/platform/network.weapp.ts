/** WeChat network state: getNetworkType and onNetworkStatusChange. */
import Taro from '@tarojs/taro'

export async function isOnline(): Promise<boolean> {
  try {
    const { networkType } = await Taro.getNetworkType()
    return networkType !== 'none'
  } catch {
    // Unknown: let the request itself find out.
    return true
  }
}

/** Calls back with the new state whenever the phone's connection changes. */
export function onNetworkChange(callback: (online: boolean) => void): () => void {
  const handler = (res: { isConnected: boolean }) => callback(res.isConnected)
  Taro.onNetworkStatusChange(handler)
  return () => Taro.offNetworkStatusChange(handler)
}
