/**
 * Booting: configuration validated with clear errors (exit status 2), production refusing the
 * development key; then the H5 app at `/`, the QR entry redirect, and per-client rate limiting.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ConfigError, loadCampaign, parseConfig, prepareDataDir } from '../../server/src/config'
import { entryLocation } from '../../server/src/routes/entry'
import { DEV_KEY_KID, DEV_PUBLIC_KEY } from '../../server/src/envelope'
import { ROOT, makeTestEnv, receipt, request, runMain, startServer, type RunningServer, type TestEnv } from './helpers'

let env: TestEnv
beforeAll(() => {
  env = makeTestEnv()
})
afterAll(() => env.cleanup())

describe('configuration errors stop the boot with a clear message', () => {
  const repoCampaign = path.join(ROOT, 'campaign', 'campaign.json')
  const writeCampaign = (name: string, patch: (c: any) => void) => {
    const c = JSON.parse(fs.readFileSync(env.campaignFile, 'utf8'))
    patch(c)
    const file = path.join(env.dir, name)
    fs.writeFileSync(file, JSON.stringify(c))
    return file
  }
  const processEnv = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv
  /** What main.ts does before listening: parse, load the campaign, prepare the data directory. */
  const boot = (args: string[], vars: Record<string, string> = {}) => {
    const config = parseConfig(['--data', env.dataDir, '--campaign', env.campaignFile, ...args], processEnv(vars))!
    loadCampaign(config.campaignFile, config.production)
    prepareDataDir(config.dataDir)
    return config
  }

  // Real processes: exit status 2 and one clear line.
  test('the process exits with status 2 and says what is wrong', async () => {
    const res = await runMain(['--data', env.dataDir, '--campaign', env.campaignFile, '--port', '99999'])
    expect(res.code).toBe(2)
    expect(res.output).toBe('Configuration error: Invalid port "99999": expected an integer from 0 to 65535\n')
  })

  test('production refuses the repository campaign (development key)', async () => {
    const res = await runMain(['--data', env.dataDir, '--campaign', repoCampaign], { NODE_ENV: 'production' })
    expect(res.code).toBe(2)
    expect(res.output).toContain(`production mode refuses the development key "${DEV_KEY_KID}"`)
    expect(res.output).toContain('production mode refuses the development signing key "60a745a23efcdaeb"')
  })

  test('--help prints the usage', async () => {
    const res = await runMain(['--help'])
    expect(res.code).toBe(0)
    expect(res.output).toContain('--data <dir>')
  })

  // The same checks in-process, case by case.
  test.each([
    ['an unknown flag', ['--prot', '80'], {}, /Unknown option '--prot'[\s\S]*Usage:/],
    ['a missing campaign file', ['--campaign', '/nonexistent/campaign.json'], {}, /Cannot read the campaign file \/nonexistent\/campaign\.json/],
    ['a bad RATE_LIMIT', [], { RATE_LIMIT: 'maybe' }, /RATE_LIMIT must be "on" or "off"/],
    ['RATE_LIMIT=off in production', ['--production'], { RATE_LIMIT: 'off' }, /RATE_LIMIT=off is refused in production/],
    ['a bad log level', ['--log-level', 'loud'], {}, /Invalid log level "loud"/],
    ['an empty host', ['--host', ''], {}, /--host \/ HOST must not be empty/],
    ['a data directory that is a file', ['--data', path.join(__filename)], {}, /data directory .* is not usable/],
    ['a DATABASE_URL that is not PostgreSQL', [], { DATABASE_URL: 'mysql://u:s3cret@db/x' }, /^DATABASE_URL must be a postgres:\/\/ \(or postgresql:\/\/\) URL[^]*$/],
    ['a malformed DATABASE_URL', [], { DATABASE_URL: 'postgres://[bad' }, /DATABASE_URL must be a postgres:\/\//],
    ['a PG_POOL_MAX below 2', [], { PG_POOL_MAX: '1' }, /PG_POOL_MAX must be a whole number of at least 2/],
  ] as const)('%s', (_name, args, vars, message) => {
    expect(() => boot([...args], { ...vars })).toThrow(ConfigError)
    expect(() => boot([...args], { ...vars })).toThrow(message)
  })

  test('an invalid campaign file lists its problems', () => {
    const file = writeCampaign('bad.json', (c) => {
      c.keys[0].current = false
      c.branches[0].code = 'Bad Code'
    })
    expect(() => boot(['--campaign', file])).toThrow(/no key is marked current/)
    expect(() => boot(['--campaign', file])).toThrow(/branches\[0\]\.code/)
  })

  test('a campaign file that is not JSON', () => {
    const file = path.join(env.dir, 'broken.json')
    fs.writeFileSync(file, '{ "version": 1,')
    expect(() => boot(['--campaign', file])).toThrow(/is not valid JSON/)
  })

  test('a kid that does not match its public key', () => {
    const file = writeCampaign('kid.json', (c) => (c.keys[0].kid = '0123456789abcdef'))
    expect(() => boot(['--campaign', file])).toThrow(/does not match its public key/)
  })

  test('production refuses the development key even without its flag', () => {
    const file = writeCampaign('sneaky.json', (c) => {
      c.keys = [{ kid: DEV_KEY_KID, publicKey: DEV_PUBLIC_KEY, current: true }]
    })
    expect(() => boot(['--campaign', file])).not.toThrow()
    expect(() => boot(['--production', '--campaign', file])).toThrow(/refuses the development key/)
  })

  test('production needs the signing key the key list is checked against, and refuses the development one', () => {
    const none = writeCampaign('no-anchor.json', (c) => delete c.signingKey)
    expect(() => boot(['--campaign', none])).not.toThrow()
    expect(() => boot(['--production', '--campaign', none])).toThrow(/production mode needs "signingKey"/)
    const dev = writeCampaign('dev-anchor.json', (c) => (c.signingKey = { kid: '60a745a23efcdaeb', publicKey: '9iUjnSKH1L9u2EstrK3hor7KH8NupoCSHKxA9rb0b1U=' }))
    expect(() => boot(['--production', '--campaign', dev])).toThrow(/refuses the development signing key "60a745a23efcdaeb"/)
    const wrong = writeCampaign('anchor-kid.json', (c) => (c.signingKey.kid = '0123456789abcdef'))
    expect(() => boot(['--campaign', wrong])).toThrow(/signingKey: kid "0123456789abcdef" does not match its public key/)
  })

  test('DATABASE_URL selects PostgreSQL; a refused one is never echoed (it holds a password)', () => {
    expect(parseConfig([], processEnv({ DATABASE_URL: 'postgres://u:pw@127.0.0.1:5432/db', PG_POOL_MAX: '4' }))).toMatchObject({
      databaseUrl: 'postgres://u:pw@127.0.0.1:5432/db',
      poolMax: 4,
    })
    expect(parseConfig([], processEnv({}))?.databaseUrl).toBeUndefined()
    expect(() => boot([], { DATABASE_URL: 'mysql://u:s3cret@db/x' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }))
  })

  test('production accepts a campaign with only the bureau key', () => {
    expect(boot(['--production']).production).toBe(true)
  })

  test('flags override the environment, which overrides the defaults', () => {
    const config = parseConfig(['--port', '9000'], processEnv({ PORT: '7000', HOST: '0.0.0.0', DATA_DIR: '/tmp/x' }))!
    expect(config).toMatchObject({ host: '0.0.0.0', port: 9000, dataDir: '/tmp/x', production: false, rateLimit: true, trustProxy: false })
    expect(parseConfig([], processEnv({}))).toMatchObject({ host: '127.0.0.1', port: 8080, dataDir: path.resolve('data') })
    expect(parseConfig([], processEnv({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/24', NODE_ENV: 'production' }))).toMatchObject({
      trustProxy: ['127.0.0.1', '10.0.0.0/24'],
      production: true,
      logLevel: 'warn',
    })
  })
})

describe('a server on the repository campaign', () => {
  let server: RunningServer
  let base: string
  beforeAll(async () => {
    server = await startServer(env, { args: ['--campaign', path.join(ROOT, 'campaign', 'campaign.json')], env: { STATUS_MIN_MS: '0' } })
    base = server.url
  })
  afterAll(() => server?.stop())

  test('prints its URL and serves the campaign file as /api/v1/config', async () => {
    expect(server.output()).toMatch(/Clue report server ready: http:\/\/127\.0\.0\.1:\d+\//)
    const res = await request(base, '/api/v1/config')
    expect(res.json).toEqual(JSON.parse(fs.readFileSync(path.join(ROOT, 'campaign', 'campaign.json'), 'utf8')))
  })

  test('serves the H5 build at / with index.html as the page fallback', async () => {
    const index = await request(base, '/')
    expect(index.status).toBe(200)
    expect(index.text).toContain('h5-stub')
    expect(index.headers['cache-control']).toBe('no-cache')
    expect(index.headers['referrer-policy']).toBe('no-referrer')
    const asset = await request(base, '/js/app.0123abcd.js')
    expect(asset.headers['cache-control']).toContain('immutable')
    const page = await request(base, '/pages/notice/index', { headers: { accept: 'text/html,*/*' } })
    expect(page.status).toBe(200)
    expect(page.text).toContain('h5-stub')
    const missing = await request(base, '/js/missing.js')
    expect(missing.status).toBe(404)
    expect(missing.json.code).toBe('NOT_FOUND')
  })

  test.each([
    ['/r?b=yd&c=loan', '/#/pages/index/index?b=yd&c=loan'],
    ['/r?c=mlm', '/#/pages/index/index?c=mlm'],
    ['/r', '/#/pages/index/index'],
    ['/r?b=YD&c=loan%26x%3D1', '/#/pages/index/index'],
    ['/r?b=//evil.example&c=https://evil.example', '/#/pages/index/index'],
    ['/r?b=a&b=b&c=nude', '/#/pages/index/index?c=nude'],
    ['/r?b=abcdefghijklmnopq', '/#/pages/index/index'],
    ['/r?b=zs&from=singlemessage', '/#/pages/index/index?b=zs'],
  ])('%s redirects to %s', async (from, to) => {
    const res = await request(base, from)
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe(to)
  })

  test('entryLocation never leaves the site', () => {
    expect(entryLocation({ b: '\\\\evil', c: '@evil' })).toBe('/#/pages/index/index')
  })

  test('rate limiting per client: status lookups are limited harder and answer 429 RATE_LIMITED', async () => {
    const answers: number[] = []
    for (let i = 0; i < 11; i++) {
      const res = await request(base, '/api/v1/status', { method: 'POST', body: { receipt: receipt() } })
      answers.push(res.status)
      if (res.status === 429) {
        expect(res.json.code).toBe('RATE_LIMITED')
        expect(res.headers['retry-after']).toBeDefined()
      }
    }
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(404))
    expect(answers[10]).toBe(429)
    // Other routes still answer.
    expect((await request(base, '/api/v1/config')).status).toBe(200)
  })
})
