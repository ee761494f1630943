/**
 * wx storage (https://developers.weixin.qq.com/miniprogram/dev/api/storage/wx.setStorage.html):
 * - "单个 key 允许存储的最大数据长度为 1MB，所有数据存储上限为 10MB": a value whose JSON is over
 *   1 MB, or a write that takes the total over 10 MB, fails (the sync form throws) and is reported
 *   as a violation, so a test fails unless it expects it (mp.takeViolations);
 * - only JSON-serialisable data is kept (functions and undefined inside objects drop out);
 * - getStorageSync of a missing key returns "" (not undefined), as on the phone;
 * - getStorageInfoSync: keys, currentSize and limitSize in KB;
 * - sync and async forms (async ones return a Promise when called without callbacks).
 * The data lives on the Device, so it survives a kill.
 */
import type { Device } from '../device'
import { asyncApi, syncApi, WxFail, type ApiContext } from './api'

export const STORAGE_KEY_LIMIT = 1024 * 1024
export const STORAGE_TOTAL_LIMIT = 10 * 1024 * 1024

function sizeOf(key: string, json: string): number {
  return Buffer.byteLength(key, 'utf8') + Buffer.byteLength(json, 'utf8')
}

export function storageBytes(device: Device): number {
  let total = 0
  for (const [k, v] of device.storage) total += sizeOf(k, v)
  return total
}

export function createStorage(ctx: ApiContext, device: Device) {
  const set = (key: unknown, data: unknown) => {
    if (typeof key !== 'string' || key === '') throw new WxFail('parameter error: parameter.key should be String instead of ' + typeof key)
    const json = JSON.stringify(data === undefined ? '' : data)
    const itemBytes = Buffer.byteLength(json, 'utf8')
    if (itemBytes > STORAGE_KEY_LIMIT) {
      ctx.violation(`storage: key "${key}" would hold ${itemBytes} bytes, over WeChat's 1 MB per key`)
      throw new WxFail('exceed storage item max length')
    }
    const old = device.storage.get(key)
    const total = storageBytes(device) - (old !== undefined ? sizeOf(key, old) : 0) + sizeOf(key, json)
    if (total > STORAGE_TOTAL_LIMIT) {
      ctx.violation(`storage: writing "${key}" would take storage to ${total} bytes, over WeChat's 10 MB`)
      throw new WxFail('exceed storage max size 10Mb')
    }
    device.storage.set(key, json)
  }
  const get = (key: unknown): unknown => {
    const json = typeof key === 'string' ? device.storage.get(key) : undefined
    return json === undefined ? '' : JSON.parse(json)
  }
  const remove = (key: unknown) => {
    if (typeof key === 'string') device.storage.delete(key)
  }
  const info = () => ({
    keys: [...device.storage.keys()],
    currentSize: Math.ceil(storageBytes(device) / 1024),
    limitSize: STORAGE_TOTAL_LIMIT / 1024,
  })
  return {
    setStorageSync: syncApi(ctx, 'setStorageSync', (key: unknown, data: unknown) => set(key, data)),
    getStorageSync: syncApi(ctx, 'getStorageSync', (key: unknown) => get(key)),
    removeStorageSync: syncApi(ctx, 'removeStorageSync', (key: unknown) => remove(key)),
    clearStorageSync: syncApi(ctx, 'clearStorageSync', () => device.storage.clear()),
    getStorageInfoSync: syncApi(ctx, 'getStorageInfoSync', info),
    setStorage: asyncApi(ctx, 'setStorage', (o) => void set(o.key, o.data)),
    getStorage: asyncApi(ctx, 'getStorage', (o) => {
      if (typeof o.key !== 'string' || !device.storage.has(o.key)) throw new WxFail('data not found')
      return { data: get(o.key) }
    }),
    removeStorage: asyncApi(ctx, 'removeStorage', (o) => void remove(o.key)),
    clearStorage: asyncApi(ctx, 'clearStorage', () => void device.storage.clear()),
    getStorageInfo: asyncApi(ctx, 'getStorageInfo', info),
  }
}
