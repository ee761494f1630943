/**
 * The fake wx enforces WeChat's documented limits: each rule here is broken on purpose and must
 * fail the way WeChat fails (and be reported as a violation where the app broke a rule).
 */
import { createServer, type Server } from 'node:http'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Device } from './device'
import { closeAll, copyOfBuild, launch, newDevice } from './harness'
import { Realm } from './realm'
import { createWx } from './wx'
import { parseSelector, selectIn, type ViewHost } from './wx/view'
import type { Owner, RElement } from './wxml/render'

let realm: Realm
let device: Device
let violations: string[]
let wx: Record<string, any>
let parts: ReturnType<typeof createWx>

function setup(options: ConstructorParameters<typeof Device>[0] = {}, view?: ViewHost) {
  realm = new Realm('fake-wx test')
  device = new Device(options)
  violations = []
  parts = createWx({ realm, violation: (m) => violations.push(m) }, device, { packageRoot: '/nonexistent', workersDir: () => undefined, launch: () => ({ path: 'pages/index/index', query: {}, scene: 1001 }), extra: {}, view })
  wx = parts.wx as Record<string, any>
}

afterEach(async () => {
  parts?.network.kill()
  realm?.kill()
  device?.dispose()
  await closeAll()
})

const settle = (p: Promise<unknown>) => p.then((v) => ({ ok: v }), (e) => ({ err: e as { errMsg: string } }))

describe('promise style and callbacks', () => {
  test('an async API without callbacks returns a Promise of the app realm; with callbacks it returns nothing and calls back later', async () => {
    setup()
    const p = wx.getStorageInfo()
    expect(p).toBeInstanceOf(realm.context.Promise ?? (realm.global.Promise as PromiseConstructor))
    await expect(p).resolves.toMatchObject({ errMsg: 'getStorageInfo:ok', limitSize: 10240 })
    let called = false
    const ret = wx.getStorageInfo({ success: () => (called = true) })
    expect(ret).toBeUndefined()
    expect(called).toBe(false)
    await new Promise((r) => setTimeout(r, 10))
    expect(called).toBe(true)
  })
})

describe('storage', () => {
  test('1 MB per key: the sync form throws, the async form fails, both are violations', async () => {
    setup()
    expect(() => wx.setStorageSync('big', 'x'.repeat(1024 * 1024))).toThrow('setStorageSync:fail exceed storage item max length')
    expect(await settle(wx.setStorage({ key: 'big', data: 'x'.repeat(1024 * 1024) }))).toEqual({ err: { errMsg: 'setStorage:fail exceed storage item max length' } })
    expect(violations).toHaveLength(2)
    wx.setStorageSync('fits', 'x'.repeat(1000 * 1000))
    expect(wx.getStorageSync('fits')).toHaveLength(1000 * 1000)
  })

  test('10 MB in all', () => {
    setup()
    for (let i = 0; i < 10; i++) wx.setStorageSync(`k${i}`, 'x'.repeat(1000 * 1000))
    expect(() => wx.setStorageSync('k10', 'x'.repeat(1000 * 1000))).toThrow('setStorageSync:fail exceed storage max size 10Mb')
    expect(violations[0]).toMatch(/over WeChat's 10 MB/)
    // Replacing a key counts its new size only.
    wx.setStorageSync('k0', 'y')
    wx.setStorageSync('k10', 'x'.repeat(1000 * 1000))
  })

  test('a missing key reads as "", values survive as JSON', () => {
    setup()
    expect(wx.getStorageSync('nothing')).toBe('')
    wx.setStorageSync('obj', { a: 1, f: () => 1, u: undefined })
    expect(wx.getStorageSync('obj')).toEqual({ a: 1 })
  })
})

describe('getRandomValues', () => {
  test('at most 1 MiB per call, an ArrayBuffer of the app realm', async () => {
    setup()
    const ok = await wx.getRandomValues({ length: 1048576 })
    expect(ok.randomValues.byteLength).toBe(1048576)
    expect(ok.randomValues).toBeInstanceOf(realm.global.ArrayBuffer as ArrayBufferConstructor)
    expect(await settle(wx.getRandomValues({ length: 1048577 }))).toMatchObject({ err: { errMsg: expect.stringMatching(/^getRandomValues:fail/) } })
    expect(violations[0]).toMatch(/length 1048577 is outside/)
  })
})

describe('file system', () => {
  test('user files only under USER_DATA_PATH; temp files are read-only and vanish on a kill; no escaping with ..', async () => {
    setup()
    const fs = wx.getFileSystemManager()
    const usr = wx.env.USER_DATA_PATH
    await fs.writeFile({ filePath: `${usr}/a.bin`, data: new Uint8Array([1, 2, 3]).buffer })
    expect(fs.readFileSync(`${usr}/a.bin`, 'hex')).toBe('010203')
    expect(await settle(fs.writeFile({ filePath: '/etc/passwd', data: 'x' }))).toEqual({ err: { errMsg: 'writeFile:fail permission denied, open /etc/passwd' } })
    expect(await settle(fs.readFile({ filePath: `${usr}/../../../etc/passwd` }))).toMatchObject({ err: { errMsg: expect.stringMatching(/permission denied/) } })
    writeFileSync(join(device.tempDir, 'tmp_pic.png'), 'png')
    expect(fs.readFileSync('wxfile://tmp_pic.png', 'utf8')).toBe('png')
    expect(() => fs.writeFileSync('wxfile://tmp_pic.png', 'y')).toThrow(/permission denied/)
    device.dropTempFiles()
    expect(await settle(fs.readFile({ filePath: 'wxfile://tmp_pic.png' }))).toEqual({ err: { errMsg: 'readFile:fail no such file or directory wxfile://tmp_pic.png', errno: 1300002 } })
    expect(fs.readFileSync(`${usr}/a.bin`, 'hex')).toBe('010203')
  })

  test('the user-file quota (200 MB on the phone; 1 KB here)', async () => {
    setup({ userFileQuota: 1024 })
    const fs = wx.getFileSystemManager()
    await fs.writeFile({ filePath: `${wx.env.USER_DATA_PATH}/a`, data: 'x'.repeat(1000) })
    expect(await settle(fs.appendFile({ filePath: `${wx.env.USER_DATA_PATH}/a`, data: 'x'.repeat(100) }))).toEqual({ err: { errMsg: 'appendFile:fail the maximum size of the file storage limit is exceeded', errno: 1300202 } })
    expect(violations).toHaveLength(1)
  })

  test('readFile with a range that leaves the file fails', async () => {
    setup()
    const fs = wx.getFileSystemManager()
    fs.writeFileSync(`${wx.env.USER_DATA_PATH}/r`, 'abcdef', 'utf8')
    expect(fs.readFileSync(`${wx.env.USER_DATA_PATH}/r`, 'utf8', 2, 3)).toBe('cde')
    expect(() => fs.readFileSync(`${wx.env.USER_DATA_PATH}/r`, 'utf8', 4, 3)).toThrow(/"length" is out of range/)
  })
})

describe('request', () => {
  let server: Server
  let url: string
  const held: (() => void)[] = []
  let released = false
  const release = () => {
    released = true
    held.splice(0).forEach((f) => f())
  }
  beforeEach(async () => {
    released = false
    server = createServer((req, res) => {
      if (req.url === '/slow' && !released) held.push(() => res.end('late'))
      else res.end(JSON.stringify({ ok: true }))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterEach(async () => {
    release()
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })
  const call = (o: Record<string, unknown>) => new Promise<any>((resolve) => wx.request({ ...o, success: (r: unknown) => resolve({ ok: r }), fail: (e: unknown) => resolve({ err: e }) }))

  test('only listed domains; JSON answers parsed', async () => {
    setup({ domains: { 'https://api.example.cn': url } })
    expect(await call({ url: 'https://api.example.cn/x' })).toMatchObject({ ok: { statusCode: 200, data: { ok: true }, errMsg: 'request:ok' } })
    expect(await call({ url: `${url}/x` })).toMatchObject({ err: { errMsg: 'request:fail url not in domain list' } })
  })

  test('at most 10 in flight: the 11th fails and is a violation', async () => {
    setup({ domains: { 'https://api.example.cn': url } })
    const ten = Array.from({ length: 10 }, () => call({ url: 'https://api.example.cn/slow' }))
    expect(await call({ url: 'https://api.example.cn/x' })).toMatchObject({ err: { errMsg: 'request:fail exceed max task count' } })
    expect(violations[0]).toMatch(/11th request while 10 are in flight/)
    while (held.length < 10) await new Promise((r) => setTimeout(r, 10))
    release()
    expect((await Promise.all(ten)).every((r) => r.ok?.data === 'late')).toBe(true)
  })

  test('requests still open 5 s after the app went to the background fail "interrupted", new ones at once', async () => {
    setup({ domains: { 'https://api.example.cn': url } })
    const open = call({ url: 'https://api.example.cn/slow' })
    parts.network.enterBackground()
    expect(await call({ url: 'https://api.example.cn/x' })).toMatchObject({ err: { errMsg: 'request:fail interrupted' } })
    const started = Date.now()
    expect(await open).toMatchObject({ err: { errMsg: 'request:fail interrupted' } })
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900)
    parts.network.enterForeground()
    expect(await call({ url: 'https://api.example.cn/x' })).toMatchObject({ ok: { statusCode: 200 } })
  })

  test('timeout, offline, and the network dropping mid-request', async () => {
    setup({ domains: { 'https://api.example.cn': url } })
    expect(await call({ url: 'https://api.example.cn/slow', timeout: 50 })).toMatchObject({ err: { errMsg: 'request:fail timeout' } })
    const pending = call({ url: 'https://api.example.cn/slow' })
    await new Promise((r) => setTimeout(r, 50))
    const events: unknown[] = []
    wx.onNetworkStatusChange((e: unknown) => events.push(e))
    device.setOnline(false)
    expect(await pending).toMatchObject({ err: { errMsg: 'request:fail net::ERR_INTERNET_DISCONNECTED' } })
    expect(await call({ url: 'https://api.example.cn/x' })).toMatchObject({ err: { errMsg: 'request:fail net::ERR_INTERNET_DISCONNECTED' } })
    expect(events).toEqual([{ isConnected: false, networkType: 'none' }])
    expect(await wx.getNetworkType()).toMatchObject({ networkType: 'none' })
  })
})

describe('dialogs and privacy', () => {
  test('showModal buttons longer than 4 characters fail', async () => {
    setup()
    expect(await settle(wx.showModal({ title: 't', confirmText: '我已经保存了' }))).toEqual({ err: { errMsg: 'showModal:fail confirmText length should not larger than 4 Chinese characters' } })
    expect(violations[0]).toMatch(/confirmText "我已经保存了"/)
  })

  test('privacy: "agree" without a tap on an agreePrivacyAuthorization button fails the API', async () => {
    setup()
    wx.onNeedPrivacyAuthorization((resolve: (r: object) => void) => resolve({ event: 'agree', buttonId: 'agree' }))
    device.willPickMedia({ files: [__filename] })
    expect(await settle(wx.chooseMedia({ count: 1, mediaType: ['image', 'video'] }))).toMatchObject({ err: { errMsg: 'chooseMedia:fail privacy permission is not authorized', errno: 104 } })
    expect(violations[0]).toMatch(/no <button open-type="agreePrivacyAuthorization" id="agree"> was tapped/)
    expect(device.privacyAgreed).toBe(false)
  })
})

describe('the page on screen: selector queries and pageScrollTo', () => {
  // A page (owner P) holding a custom component (owner C), as Taro's recursive `comp` would:
  // <view id="a" class="x" data-key="k"> <comp> [C: <view class="y"> <view class="z"/> </view>] </comp> </view>
  const owner = (path: string): Owner => ({ path, handler: () => undefined, usingComponents: {} })
  const P = owner('pages/p/index')
  const C = owner('comp')
  const el = (tag: string, attrs: Record<string, unknown>, by: Owner, children: RElement[] = []): RElement => {
    const e: RElement = { kind: 'element', tag, attrs, dataset: {}, events: {}, children, parent: null, owner: by }
    for (const c of children) c.parent = e
    for (const [k, v] of Object.entries(attrs)) if (k.startsWith('data-')) e.dataset[k.slice(5)] = v
    return e
  }
  const z = el('view', { class: 'z' }, C)
  const y = el('view', { class: 'y' }, C, [z])
  const host = el('comp', {}, P, [y])
  const a = el('view', { id: 'a', class: 'x', 'data-key': 'k' }, P, [host])
  const page = { route: 'pages/p/index', owner: P, tree: () => [a] }
  const inComp = { route: 'pages/p/index', owner: C, tree: () => [a] }
  const viewHost: ViewHost = { topPage: () => page, scopeOf: (i) => (i === 'the comp instance' ? inComp : undefined), window: { width: 390, height: 844 } }

  test('only #id, .class, " ", ">", ">>>" and ","', () => {
    for (const ok of ['#a', '.x.y', '.x > .y', '.x .y', '.x >>> .y', '#a, .z', '.x>.y']) expect(() => parseSelector(ok)).not.toThrow()
    for (const bad of ['view', '[data-key]', '.x:hover', '.x + .y', '.x ~ .y', '*', '> .x', '.x >', '', '#a,'])
      expect(() => parseSelector(bad)).toThrow(/invalid selector/)
  })

  test('the page scope does not reach into a custom component; .in(component) and >>> do', () => {
    expect(selectIn(page, '.y')).toEqual([])
    expect(selectIn(page, '.x .y')).toEqual([])
    expect(selectIn(page, '.x >>> .y')).toEqual([y])
    expect(selectIn(page, '.x >>> .z')).toEqual([z])
    expect(selectIn(page, '#a, .z')).toEqual([a])
    expect(selectIn(inComp, '.y')).toEqual([y])
    expect(selectIn(inComp, '.y > .z')).toEqual([z])
    expect(selectIn(inComp, '.x')).toEqual([])
  })

  test('exec answers later, in order: each request\'s callback, then exec\'s; no layout, so boxes are 0 × 0', async () => {
    setup({}, viewHost)
    const calls: unknown[] = []
    const q = wx.createSelectorQuery()
    q.select('#a').fields({ id: true, dataset: true, size: true }, (r: unknown) => calls.push(['own', r]))
    q.selectAll('.y').boundingClientRect().select('.nothing').boundingClientRect()
    q.in('the comp instance').selectAll('.y').fields({ id: true, rect: true })
    q.selectViewport().scrollOffset()
    const done = new Promise((resolve) => q.exec((r: unknown) => resolve(r)))
    expect(calls).toEqual([])
    const results = await done
    expect(calls).toEqual([['own', { id: 'a', dataset: { key: 'k' }, width: 0, height: 0 }]])
    // From the page, .y (inside the component) is not found; after .in(component) it is.
    expect(results).toEqual([
      { id: 'a', dataset: { key: 'k' }, width: 0, height: 0 },
      [],
      null,
      [{ id: '', left: 0, right: 0, top: 0, bottom: 0 }],
      { id: '', dataset: {}, scrollLeft: 0, scrollTop: 0, scrollWidth: 390, scrollHeight: 844 },
    ])
    expect(results).toBeInstanceOf(realm.global.Array as ArrayConstructor)
    expect(parts.view.queries.map((x) => [x.selector, x.matched])).toEqual([['#a', 1], ['.y', 0], ['.nothing', 0], ['.y', 1]])
    expect(() => q.select('view')).toThrow(/invalid selector/)
    expect(violations).toEqual([expect.stringMatching(/SelectorQuery.select: invalid selector "view"/)])
    // What is not faked fails loudly when the query runs.
    const failing = wx.createSelectorQuery()
    failing.select('#a').fields({ computedStyle: ['color'] })
    failing.exec()
    await new Promise((r) => setTimeout(r, 10))
    expect(realm.errors.map((e) => String(e.error))).toEqual([expect.stringMatching(/computedStyle.*not faked/)])
  })

  test('pageScrollTo: a selector is recorded with what it matched; a bad selector and offsetTop alone are broken rules', async () => {
    setup({}, viewHost)
    await wx.pageScrollTo({ selector: '#a', offsetTop: -80, duration: 200 })
    await wx.pageScrollTo({ selector: '.y' })
    await wx.pageScrollTo({ scrollTop: 0 })
    expect(parts.view.scrolls).toEqual([
      { route: 'pages/p/index', selector: '#a', offsetTop: -80, duration: 200, matched: ['a'] },
      { route: 'pages/p/index', selector: '.y', duration: 300, matched: [] },
      { route: 'pages/p/index', scrollTop: 0, duration: 300, matched: [] },
    ])
    expect(await settle(wx.pageScrollTo({ selector: 'view.x' }))).toMatchObject({ err: { errMsg: expect.stringMatching(/^pageScrollTo:fail invalid selector/) } })
    await wx.pageScrollTo({ scrollTop: 10, offsetTop: 5 })
    expect(violations).toEqual([expect.stringMatching(/pageScrollTo: invalid selector "view.x"/), expect.stringMatching(/offsetTop without a selector/)])
  })

  test('onWindowResize / offWindowResize: listeners are kept and removed (the phone here never resizes)', () => {
    setup()
    const fn = () => undefined
    wx.onWindowResize(fn)
    expect(parts.system.windowResize.size).toBe(1)
    wx.offWindowResize(fn)
    expect(parts.system.windowResize.size).toBe(0)
  })
})

describe('an API the fake lacks', () => {
  test('is named beside the error it causes, with the app\'s own frames (no frame of the minified bundle for jest to print)', async () => {
    const dist = copyOfBuild()
    const file = join(dist, 'pages/index/index.js')
    const { readFileSync } = await import('node:fs')
    writeFileSync(file, `setTimeout(function () { wx.createBLEPeripheralServer.apply(wx, []) }, 0);${readFileSync(file, 'utf8')}`)
    const failure = await launch(newDevice(), {}, dist).then(
      () => new Error('the launch passed'),
      (e: Error) => e,
    )
    expect(failure.message).toMatch(/app error in timer callback: TypeError: Cannot read properties of undefined \(reading 'apply'\)\n {4}← the app read wx\.createBLEPeripheralServer, which this fake wx does not have\./)
    expect(failure.message).toMatch(/\n {4}↳ .*pages\/index\/index\.js:1:\d+/)
    expect(failure.message).not.toContain(dist)
    expect(failure.message).not.toMatch(/^\s*at /m)
  })
})

describe('page stack (real build)', () => {
  test('lifecycles in WeChat\'s order: launch, navigateTo, redirectTo, back, background, foreground, reLaunch', async () => {
    const { mp, screen } = await launch(newDevice())
    const w = mp.parts.wx as Record<string, any>
    expect(mp.lifecycleLog.slice(0, 5)).toEqual(['App onLaunch', 'App onShow', 'pages/index/index onLoad', 'pages/index/index onShow', 'pages/index/index onReady'])
    expect(mp.loadedPackages.size).toBe(0)
    const mark = () => mp.lifecycleLog.splice(0)
    mark()
    await w.navigateTo({ url: '/pages/notice/index' })
    await screen.settle()
    expect(mark()).toEqual(['pages/index/index onHide', 'pages/notice/index onLoad', 'pages/notice/index onShow', 'pages/notice/index onReady'])
    // A relative url, from pages/notice/index.
    await w.redirectTo({ url: '../privacy/index' })
    await screen.settle()
    expect(mark()).toEqual(['pages/notice/index onUnload', 'pages/privacy/index onLoad', 'pages/privacy/index onShow', 'pages/privacy/index onReady'])
    await w.navigateBack()
    expect(mark()).toEqual(['pages/privacy/index onUnload', 'pages/index/index onShow'])
    mp.background()
    mp.foreground()
    expect(mark()).toEqual(['pages/index/index onHide', 'App onHide', 'App onShow', 'pages/index/index onShow'])
    await w.reLaunch({ url: '/report/category/index' })
    await screen.settle()
    expect(mp.loadedPackages.has('report')).toBe(true)
    expect(mark()).toEqual(['pages/index/index onUnload', 'report/category/index onLoad', 'report/category/index onShow', 'report/category/index onReady'])
    mp.check()
  })


  test('navigateTo stops at 10 pages; navigateBack fails on the first page', async () => {
    const d = newDevice()
    const { mp } = await launch(d)
    const wxOfApp = mp.parts.wx as Record<string, any>
    await expect(wxOfApp.navigateBack()).rejects.toEqual({ errMsg: 'navigateBack:fail cannot navigate back at first page.' })
    for (let i = 1; i < 10; i++) await wxOfApp.navigateTo({ url: '/pages/notice/index' })
    expect(mp.stack.pages).toHaveLength(10)
    await expect(wxOfApp.navigateTo({ url: '/pages/notice/index' })).rejects.toEqual({ errMsg: 'navigateTo:fail webview count limit exceed' })
    await wxOfApp.navigateBack({ delta: 20 })
    expect(mp.route).toBe('pages/index/index')
    await expect(wxOfApp.switchTab({ url: '/pages/index/index' })).rejects.toEqual({ errMsg: 'switchTab:fail can not switch to no-tabBar page' })
    mp.check()
  })
})

describe('createWorker (for the crypto worker of issue 13)', () => {
  test('one worker at a time, messages copied, onProcessKilled when the system reclaims it', async () => {
    const dist = copyOfBuild()
    // The build has its own workers/ (the encryption worker of issue 13).
    mkdirSync(join(dist, 'workers'), { recursive: true })
    writeFileSync(join(dist, 'workers', 'echo.js'), 'worker.onMessage(function (m) { m.seen = typeof wx + "/" + typeof document; worker.postMessage(m) })')
    const appJson = join(dist, 'app.json')
    const { readFileSync } = await import('node:fs')
    writeFileSync(appJson, JSON.stringify({ ...JSON.parse(readFileSync(appJson, 'utf8')), workers: 'workers' }))
    const d = newDevice()
    const { mp } = await launch(d, {}, dist)
    const wxOfApp = mp.parts.wx as Record<string, any>
    const w = wxOfApp.createWorker('workers/echo.js', { useExperimentalWorker: true })
    const sent = { n: 1, bytes: new Uint8Array([1, 2]) }
    const got = await new Promise<any>((resolve) => {
      w.onMessage(resolve)
      w.postMessage(sent)
    })
    expect(got).toEqual({ n: 1, bytes: new Uint8Array([1, 2]), seen: 'undefined/undefined' })
    expect(got).not.toBe(sent)
    expect(() => wxOfApp.createWorker('workers/echo.js')).toThrow('createWorker:fail exceed max worker count 1')
    mp.takeViolations(/another worker runs/)
    let killed = false
    w.onProcessKilled(() => (killed = true))
    await mp.parts.workers.workers[0].kill()
    expect(killed).toBe(true)
    expect(() => wxOfApp.createWorker('../outside.js')).toThrow(/not inside the workers directory/)
    mp.check()
  })
})
