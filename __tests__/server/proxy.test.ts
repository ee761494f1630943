/**
 * Rate limits behind a reverse proxy: only the listed proxies' X-Forwarded-For is believed, so the
 * limiter keys each resident by their own address (a real proxy process on loopback, clients on
 * different 127.x addresses), a client-supplied X-Forwarded-For changes nothing, IPv6 clients
 * count by their /64, and a flood of fresh addresses cannot reset a busy client's count.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { ConfigError, parseConfig } from '../../server/src/config'
import { clientKey, parseTrustProxy } from '../../server/src/http/client-address'
import { OVERFLOW_KEY, WindowStore } from '../../server/src/http/rate-store'
import { makeTestEnv, receipt, request, startServer, type RunningServer, type TestEnv } from './helpers'
import { startInProcess, type InProcess } from './in-process'

let env: TestEnv
beforeAll(() => {
  env = makeTestEnv()
})
afterAll(() => env.cleanup())

function startProxy(target: string): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'reverse-proxy.mjs')], { env: { PATH: process.env.PATH ?? '', TARGET: target } as unknown as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const m = /proxy (\d+)/.exec(out)
      if (m) {
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          child,
          stop: () => new Promise<void>((done) => (child.exitCode !== null ? done() : (child.once('exit', () => done()), child.kill('SIGTERM')))),
        })
      }
    })
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}`)))
  })
}

const status = (base: string, from: string, headers: Record<string, string> = {}) =>
  request(base, '/api/v1/status', { method: 'POST', body: { receipt: receipt() }, localAddress: from, headers })

describe('TRUST_PROXY', () => {
  test.each([
    ['1', /a hop count trusts nobody/],
    ['2', /a hop count trusts nobody/],
    ['true', /"true" trusts any client-supplied X-Forwarded-For/],
    ['127.0.0.1,', /has an empty entry/],
    ['proxy.example', /is not an IP address or CIDR range/],
    ['10.0.0.0/33', /prefix length must be 0 to 32/],
  ])('%s is refused at boot with a clear message', (value, message) => {
    expect(() => parseConfig([], { TRUST_PROXY: value } as unknown as NodeJS.ProcessEnv)).toThrow(ConfigError)
    expect(() => parseConfig([], { TRUST_PROXY: value } as unknown as NodeJS.ProcessEnv)).toThrow(message)
  })

  test('an explicit list of addresses and CIDR ranges is accepted', () => {
    expect(parseTrustProxy('127.0.0.1, 10.0.0.0/24,::1,fd00::/8')).toEqual(['127.0.0.1', '10.0.0.0/24', '::1', 'fd00::/8'])
    expect(parseTrustProxy(undefined)).toBe(false)
    expect(parseTrustProxy('off')).toBe(false)
  })
})

describe('behind a real reverse proxy on loopback', () => {
  let server: RunningServer
  let proxy: Awaited<ReturnType<typeof startProxy>>
  beforeAll(async () => {
    server = await startServer(env, { env: { TRUST_PROXY: '127.0.0.1', STATUS_MIN_MS: '0' } })
    proxy = await startProxy(server.url)
  })
  afterAll(async () => {
    await proxy?.stop()
    await server?.stop()
  })

  test('each client has its own bucket: one client at its limit does not block another', async () => {
    // Status lookups: 10 a minute per client.
    for (let i = 0; i < 10; i++) expect((await status(proxy.url, '127.0.0.2')).status).toBe(404)
    const blocked = await status(proxy.url, '127.0.0.2')
    expect(blocked.status).toBe(429)
    expect(blocked.json.code).toBe('RATE_LIMITED')
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
    expect((await status(proxy.url, '127.0.0.3')).status).toBe(404)
  })

  test('a client-supplied X-Forwarded-For does not get a client a fresh bucket', async () => {
    const codes: number[] = []
    for (let i = 0; i < 12; i++) codes.push((await status(proxy.url, '127.0.0.4', { 'x-forwarded-for': `203.0.113.${i + 1}` })).status)
    expect(codes.slice(0, 10).every((c) => c === 404)).toBe(true)
    expect(codes.slice(10)).toEqual([429, 429])
    // Nothing about either address reached the log.
    expect(server.output()).not.toContain('127.0.0.4')
    expect(server.output()).not.toContain('203.0.113')
  })
})

describe('the client address as the app sees it (in-process app behind the proxy process)', () => {
  let app: InProcess
  let proxy: Awaited<ReturnType<typeof startProxy>>
  beforeAll(async () => {
    app = await startInProcess(env, { app: { trustProxy: ['127.0.0.1'] }, beforeListen: (a) => a.get('/__test/ip', async (req) => ({ ip: req.ip, key: clientKey(req.ip) })) })
    proxy = await startProxy(app.base)
  })
  afterAll(async () => {
    await proxy?.stop()
    await app?.close()
  })

  test('req.ip is the client, not the proxy, and a spoofed header is ignored', async () => {
    expect((await request(proxy.url, '/__test/ip', { localAddress: '127.0.0.5' })).json.ip).toBe('127.0.0.5')
    const spoofed = await request(proxy.url, '/__test/ip', { localAddress: '127.0.0.6', headers: { 'x-forwarded-for': '198.51.100.7, 127.0.0.1' } })
    expect(spoofed.json.ip).toBe('127.0.0.6')
  })
})

describe('client keys and the limiter memory', () => {
  test.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0000:0000:0000:0001', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('%s is counted as %s', (address, key) => {
    expect(clientKey(address)).toBe(key)
  })

  test('IPv6 addresses of one /64 share a bucket; another /64 has its own', async () => {
    // IPv6 clients as a trusted proxy (this test, on 127.0.0.1) reports them.
    const app = await startInProcess(env, { app: { rateLimit: true, trustProxy: ['127.0.0.1'] } })
    try {
      const call = (address: string) => status(app.base, '127.0.0.1', { 'x-forwarded-for': address })
      for (let i = 0; i < 10; i++) expect((await call(`2001:db8:1:2::${(i + 1).toString(16)}`)).status).toBe(404)
      expect((await call('2001:db8:1:2:ffff::9')).status).toBe(429)
      expect((await call('2001:db8:1:3::1')).status).toBe(404)
    } finally {
      await app.close()
    }
  })

  test('through the app: 6,000 fresh addresses do not reset a busy client (the plugin LRU forgot it after 5,000)', async () => {
    // A clock that stands still: the busy client's minute cannot end however long the flood takes.
    const start = Date.now()
    const app = await startInProcess(env, { app: { rateLimit: true, trustProxy: ['127.0.0.1'], rateLimitClock: () => start } })
    try {
      const config = (address: string) => request(app.base, '/api/v1/config', { localAddress: '127.0.0.1', headers: { 'x-forwarded-for': address } })
      // 300 requests a minute per client in all.
      for (let i = 0; i < 300; i += 30) await Promise.all(Array.from({ length: 30 }, () => config('198.51.100.1')))
      expect((await config('198.51.100.1')).status).toBe(429)
      for (let i = 0; i < 6000; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, k) => config(`10.0.${((i + k) >> 8) & 255}.${(i + k) & 255}`)))
      }
      expect((await config('198.51.100.1')).status).toBe(429)
    } finally {
      await app.close()
    }
    // 6,300 real HTTP requests: about 10 s on an idle 2-core machine, over 30 s when it is shared
    // (a bound on a hung server, not a speed test).
  }, 180_000)

  test('a flood of fresh addresses does not reset a busy client (the old LRU forgot it after 5,000)', () => {
    let now = 0
    const store = new WindowStore({ now: () => now })
    for (let i = 0; i < 30; i++) store.hit('198.51.100.1', 60_000)
    for (let i = 0; i < 20_000; i++) store.hit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 60_000)
    now = 30_000
    expect(store.hit('198.51.100.1', 60_000).current).toBe(31)
    // The window still ends as it should.
    now = 60_000
    expect(store.hit('198.51.100.1', 60_000).current).toBe(1)
  })

  test('when the table is full, newcomers share one bucket instead of evicting anybody', () => {
    let now = 0
    const store = new WindowStore({ capacity: 100, now: () => now })
    for (let i = 0; i < 5; i++) store.hit('busy', 60_000)
    for (let i = 0; i < 99; i++) store.hit(`fresh-${i}`, 60_000)
    expect(store.hit('newcomer-1', 60_000).current).toBe(1)
    expect(store.hit('newcomer-2', 60_000).current).toBe(2)
    expect(store.size).toBe(101) // the 100 keys and the overflow bucket
    expect(store.hit('busy', 60_000).current).toBe(6)
    // Once the windows have ended, room comes back.
    now = 60_001
    expect(store.hit('newcomer-3', 60_000).current).toBe(1)
    expect(store.size).toBeLessThan(100)
    expect(OVERFLOW_KEY).toContain('overflow')
  })
})
