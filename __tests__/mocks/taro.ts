/**
 * In-memory fake of the parts of @tarojs/taro the app uses. Jest cannot run the WeChat runtime, so
 * tests get storage, navigation, UI feedback and file APIs that behave like the real ones, and can
 * inspect or override them (`jest.mocked(Taro.showModal).mockResolvedValueOnce(...)`).
 */
import { webcrypto } from 'node:crypto'

const storage = new Map<string, string>()

export const __storage = storage
export function __reset() {
  storage.clear()
  routerParams.current = {}
  __pages.length = 0
  ;(Taro.createSelectorQuery as jest.Mock).mockImplementation(emptyQuery)
  for (const value of Object.values(Taro)) {
    if (typeof value === 'function' && 'mockClear' in value) (value as jest.Mock).mockClear()
  }
}

const routerParams: { current: Record<string, string> } = { current: {} }

/** The page stack getCurrentPages answers (weapp shape: route without a leading slash, options). */
export const __pages: { route: string; options: Record<string, string> }[] = []

/** A selector query that finds nothing (jsdom has no layout). */
function emptyQuery() {
  const queue: unknown[][] = []
  const q = {
    selectAll: () => ({ fields: () => (queue.push([]), q), boundingClientRect: () => (queue.push([]), q) }),
    select: () => ({ fields: () => (queue.push([]), q), boundingClientRect: () => (queue.push([]), q) }),
    exec: (cb?: (res: unknown[]) => void) => {
      cb?.(queue)
      return q
    },
  }
  return q
}
export function __setRouterParams(params: Record<string, string>) {
  routerParams.current = params
}

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value))
}

const Taro = {
  getEnv: jest.fn(() => 'WEB'),
  ENV_TYPE: { WEAPP: 'WEAPP', WEB: 'WEB' },
  getStorageSync: jest.fn((key: string) => (storage.has(key) ? JSON.parse(storage.get(key)!) : '')),
  setStorageSync: jest.fn((key: string, data: unknown) => {
    storage.set(key, JSON.stringify(data))
  }),
  removeStorageSync: jest.fn((key: string) => {
    storage.delete(key)
  }),
  getStorage: jest.fn(async ({ key }: { key: string }) => {
    if (!storage.has(key)) throw { errMsg: 'getStorage:fail data not found' }
    return { data: JSON.parse(storage.get(key)!) }
  }),
  setStorage: jest.fn(async ({ key, data }: { key: string; data: unknown }) => {
    storage.set(key, JSON.stringify(clone(data)))
    return { errMsg: 'setStorage:ok' }
  }),
  removeStorage: jest.fn(async ({ key }: { key: string }) => {
    storage.delete(key)
    return { errMsg: 'removeStorage:ok' }
  }),
  getStorageInfoSync: jest.fn(() => ({
    keys: [...storage.keys()],
    currentSize: Math.ceil([...storage.values()].reduce((n, v) => n + v.length, 0) / 1024),
    limitSize: 10240,
  })),
  getRandomValues: jest.fn(async ({ length }: { length: number }) => {
    const bytes = new Uint8Array(length)
    webcrypto.getRandomValues(bytes)
    return { randomValues: bytes.buffer }
  }),
  getCurrentInstance: jest.fn(() => ({ router: { params: routerParams.current, path: '/pages/index/index' } })),
  useRouter: jest.fn(() => ({ params: routerParams.current, path: '/pages/index/index' })),
  useDidShow: jest.fn(),
  useDidHide: jest.fn(),
  useLaunch: jest.fn(),
  useLoad: jest.fn(),
  useUnload: jest.fn(),
  navigateTo: jest.fn(async () => ({ errMsg: 'navigateTo:ok' })),
  redirectTo: jest.fn(async () => ({ errMsg: 'redirectTo:ok' })),
  reLaunch: jest.fn(async () => ({ errMsg: 'reLaunch:ok' })),
  navigateBack: jest.fn(async () => ({ errMsg: 'navigateBack:ok' })),
  getCurrentPages: jest.fn(() => __pages.map((p) => ({ ...p }))),
  pageScrollTo: jest.fn(async () => ({ errMsg: 'pageScrollTo:ok' })),
  createSelectorQuery: jest.fn(emptyQuery),
  onWindowResize: jest.fn(),
  offWindowResize: jest.fn(),
  switchTab: jest.fn(async () => ({ errMsg: 'switchTab:ok' })),
  showToast: jest.fn(async () => ({ errMsg: 'showToast:ok' })),
  hideToast: jest.fn(),
  showLoading: jest.fn(async () => ({ errMsg: 'showLoading:ok' })),
  hideLoading: jest.fn(),
  showModal: jest.fn(async () => ({ confirm: true, cancel: false })),
  setClipboardData: jest.fn(async () => ({ errMsg: 'setClipboardData:ok' })),
  makePhoneCall: jest.fn(async () => ({ errMsg: 'makePhoneCall:ok' })),
  previewImage: jest.fn(async () => ({ errMsg: 'previewImage:ok' })),
  chooseMedia: jest.fn(async () => ({ tempFiles: [], type: 'image' })),
  chooseMessageFile: jest.fn(async () => ({ tempFiles: [] })),
  chooseImage: jest.fn(async () => ({ tempFilePaths: [], tempFiles: [] })),
  openDocument: jest.fn(async () => ({ errMsg: 'openDocument:ok' })),
  onAppHide: jest.fn(),
  offAppHide: jest.fn(),
  onNetworkStatusChange: jest.fn(),
  offNetworkStatusChange: jest.fn(),
  getNetworkType: jest.fn(async () => ({ networkType: 'wifi' })),
  onNeedPrivacyAuthorization: jest.fn(),
  requirePrivacyAuthorize: jest.fn(async () => ({ errMsg: 'requirePrivacyAuthorize:ok' })),
  getFileSystemManager: jest.fn(),
  request: jest.fn(),
  env: { USER_DATA_PATH: 'wxfile://usr' },
}

export default Taro
export const {
  getStorageSync,
  setStorageSync,
  removeStorageSync,
  useRouter,
  useDidShow,
  useDidHide,
  useLaunch,
  useLoad,
  useUnload,
  getCurrentInstance,
} = Taro
