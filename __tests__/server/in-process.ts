/**
 * The app in this process (buildApp) on a free port, for tests that inject a clock, a failing
 * store or a counting hasher; still talked to over real HTTP.
 */
import fs from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { Admission, type AdmissionLimits, type FreeSpace } from '../../server/src/admission'
import { buildApp, type AppOptions } from '../../server/src/app'
import { Campaign, checkCampaign } from '../../server/src/campaign'
import { LIMITS } from '../../server/src/limits'
import { DEFAULT_LIMITS } from '../../server/src/operations'
import { openStorage, type Services, type StorageOptions } from '../../server/src/services'
import type { TestEnv } from './helpers'

export interface InProcess {
  base: string
  app: FastifyInstance
  services: Services
  close(): Promise<void>
}

export interface InProcessOptions {
  services?: Partial<Services>
  /** Changes to the campaign configuration read from the test environment. */
  campaign?: (c: Record<string, any>) => void
  admission?: Partial<AdmissionLimits>
  freeSpace?: FreeSpace
  storage?: StorageOptions
  app?: Partial<AppOptions>
  /** Called before listening (to add a test-only route). */
  beforeListen?: (app: FastifyInstance) => void
}

export async function startInProcess(env: TestEnv, options: InProcessOptions = {}): Promise<InProcess> {
  fs.mkdirSync(env.dataDir, { recursive: true })
  const config = JSON.parse(fs.readFileSync(env.campaignFile, 'utf8'))
  options.campaign?.(config)
  const storage = await openStorage(env.dataDir, options.storage)
  const services: Services = {
    ...storage,
    campaign: { current: new Campaign(checkCampaign(config, false)) },
    now: Date.now,
    ttlMs: LIMITS.submissionTtlMs,
    statusMinMs: 0,
    admission: new Admission(env.dataDir, { ...DEFAULT_LIMITS, minFreeBytes: 0, ...options.admission }, options.freeSpace),
    ...options.services,
  }
  const app = await buildApp({ services, h5Dir: env.h5Dir, rateLimit: false, trustProxy: false, logLevel: false, sweepIntervalMs: 0, ...options.app })
  options.beforeListen?.(app)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return { base, app, services, close: () => app.close() }
}
