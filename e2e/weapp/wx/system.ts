/**
 * Base APIs.
 * - wx.getRandomValues (https://developers.weixin.qq.com/miniprogram/dev/api/device/crypto/wx.getRandomValues.html):
 *   { length } is an integer from 1 to 1 048 576 ("最大 1048576"); anything else fails and is
 *   reported; gives { randomValues: ArrayBuffer } from node:crypto. Taro does not promisify it, so
 *   the app relies on WeChat's own Promise form (base library 2.15.0+), which this keeps.
 * - App events (https://developers.weixin.qq.com/miniprogram/dev/api/base/app/app-event/wx.onAppShow.html):
 *   onAppShow/onAppHide/onError/onUnhandledRejection and their off… forms.
 * - wx.onWindowResize / offWindowResize (https://developers.weixin.qq.com/miniprogram/dev/api/ui/window/wx.onWindowResize.html,
 *   base library 2.3.0+): listeners get { size: { windowWidth, windowHeight } }; off without a
 *   listener removes all. The phone here never rotates or splits its screen, so they never fire.
 * - Launch options (https://developers.weixin.qq.com/miniprogram/dev/api/base/app/life-cycle/wx.getLaunchOptionsSync.html):
 *   path, query (a mini-program code's `scene`, an ordinary-link QR code's `q`), scene number.
 * - System info: a fixed 390×844 phone, iOS, base library 3.4.0 (getSystemInfoSync and the
 *   newer getWindowInfo / getDeviceInfo / getAppBaseInfo).
 * - wx.env.USER_DATA_PATH, wx.nextTick, wx.arrayBufferToBase64 / base64ToArrayBuffer, wx.canIUse.
 */
import { randomBytes } from 'node:crypto'
import { asyncApi, Listeners, syncApi, WxFail, type ApiContext } from './api'
import { USER_DATA_PATH } from './fs'

export const RANDOM_MAX = 1048576

/** The phone's window (a 390 × 844 iPhone, held upright: it never resizes here). */
export const WINDOW = { windowWidth: 390, windowHeight: 844 }

export interface LaunchOptions {
  path: string
  query: Record<string, string>
  /** WeChat's scene number: 1047 a scanned mini-program code, 1011 a scanned QR code, 1001 the task bar. */
  scene: number
}

export function createSystem(ctx: ApiContext, launch: () => LaunchOptions) {
  const appShow = new Listeners<LaunchOptions>()
  const appHide = new Listeners<Record<string, never>>()
  const appError = new Listeners<string>()
  const rejection = new Listeners<{ reason: unknown }>()
  const windowResize = new Listeners<{ size: { windowWidth: number; windowHeight: number } }>()
  const randomCalls: number[] = []

  const windowInfo = { ...WINDOW, pixelRatio: 3, screenWidth: WINDOW.windowWidth, screenHeight: WINDOW.windowHeight, statusBarHeight: 47, safeArea: { left: 0, right: 390, top: 47, bottom: 810, width: 390, height: 763 }, screenTop: 0 }
  const deviceInfo = { brand: 'iPhone', model: 'iPhone 13', system: 'iOS 16.0', platform: 'ios', benchmarkLevel: 30, abi: '', cpuType: '', memorySize: 4096 }
  const baseInfo = { SDKVersion: '3.4.0', enableDebug: false, host: { appId: '' }, language: 'zh_CN', version: '8.0.40', theme: 'light', fontSizeSetting: 17 }

  const api = {
    env: { USER_DATA_PATH },
    getRandomValues: asyncApi(ctx, 'getRandomValues', (o) => {
      const length = o.length
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > RANDOM_MAX) {
        ctx.violation(`getRandomValues: length ${String(length)} is outside 1–${RANDOM_MAX}`)
        throw new WxFail(`parameter error: length should be an integer between 1 and ${RANDOM_MAX}`)
      }
      randomCalls.push(length)
      return { randomValues: ctx.realm.arrayBuffer(randomBytes(length)) }
    }),
    getSystemInfoSync: syncApi(ctx, 'getSystemInfoSync', () => ({ ...windowInfo, ...deviceInfo, ...baseInfo, fontSizeScaleFactor: 1 })),
    getSystemInfo: asyncApi(ctx, 'getSystemInfo', () => ({ ...windowInfo, ...deviceInfo, ...baseInfo })),
    getWindowInfo: syncApi(ctx, 'getWindowInfo', () => windowInfo),
    getDeviceInfo: syncApi(ctx, 'getDeviceInfo', () => deviceInfo),
    getAppBaseInfo: syncApi(ctx, 'getAppBaseInfo', () => baseInfo),
    getSystemSetting: syncApi(ctx, 'getSystemSetting', () => ({ bluetoothEnabled: false, locationEnabled: false, wifiEnabled: true, deviceOrientation: 'portrait' })),
    getAccountInfoSync: syncApi(ctx, 'getAccountInfoSync', () => ({ miniProgram: { appId: 'touristappid', envVersion: 'develop', version: '' } })),
    getMenuButtonBoundingClientRect: syncApi(ctx, 'getMenuButtonBoundingClientRect', () => ({ width: 87, height: 32, top: 51, right: 381, bottom: 83, left: 294 })),
    getLaunchOptionsSync: syncApi(ctx, 'getLaunchOptionsSync', () => launch()),
    getEnterOptionsSync: syncApi(ctx, 'getEnterOptionsSync', () => launch()),
    onAppShow: appShow.on,
    offAppShow: appShow.off,
    onAppHide: appHide.on,
    offAppHide: appHide.off,
    onError: appError.on,
    offError: appError.off,
    onUnhandledRejection: rejection.on,
    offUnhandledRejection: rejection.off,
    onWindowResize: windowResize.on,
    offWindowResize: windowResize.off,
    nextTick: (fn: unknown) => {
      if (typeof fn === 'function') ctx.realm.later('wx.nextTick', fn as () => void)
    },
    arrayBufferToBase64: (buf: ArrayBuffer) => Buffer.from(new Uint8Array(buf)).toString('base64'),
    base64ToArrayBuffer: (s: string) => ctx.realm.arrayBuffer(Buffer.from(s, 'base64')),
    reportAnalytics: () => undefined,
    reportEvent: () => undefined,
    setNavigationBarTitle: asyncApi(ctx, 'setNavigationBarTitle', () => undefined),
    setNavigationBarColor: asyncApi(ctx, 'setNavigationBarColor', () => undefined),
    stopPullDownRefresh: asyncApi(ctx, 'stopPullDownRefresh', () => undefined),
    setClipboardData: asyncApi(ctx, 'setClipboardData', () => undefined),
    vibrateShort: asyncApi(ctx, 'vibrateShort', () => undefined),
  }
  return { api, appShow, appHide, appError, rejection, windowResize, randomCalls }
}
