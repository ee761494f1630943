/**
 * CLI entry: `tsx server/src/main.ts [--host h] [--port p] [--data dir] [--campaign file] [--production]`.
 * Validates the configuration (exit status 2 with a clear message when wrong), opens the storage,
 * listens and prints the URL. SIGHUP reloads the campaign file; SIGINT/SIGTERM close gracefully.
 */
import './threadpool'
import fs from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app'
import { buildBureauApp } from './bureau-api/app'
import { Campaign } from './campaign'
import { ConfigError, USAGE, loadCampaign, parseConfig, prepareDataDir, type ServerConfig } from './config'
import { loadKeyList } from './key-list-file'
import { LIMITS } from './limits'
import { PepperError, loadPepper } from './pepper'
import { openAdmission, openStorage, upgradeLegacyReceipts } from './services'

/** The campaign file with the signed key list beside it, both checked (production refuses what phones would). */
function loadCampaignAndKeys(config: ServerConfig): Campaign {
  const campaign = loadCampaign(config.campaignFile, config.production)
  return new Campaign(campaign, loadKeyList(config.keysFile, campaign, config.production))
}

function keyListNotes(campaign: Campaign, config: ServerConfig): string {
  const served = campaign.keyList
  if (!served) return `  WARNING: no signed key list at ${config.keysFile}: phones keep the keys built into the app (npm run bureau -- sign-keys).\n`
  const head = served.list
    ? `  key list: ${config.keysFile} (sequence ${served.list.sequence}, current key ${served.list.keys.find((k) => k.current)!.kid})\n`
    : `  key list: ${config.keysFile} (malformed)\n`
  return head + served.warnings.map((w) => `  WARNING: phones will refuse this key list: ${w}\n`).join('')
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), process.env)
  if (!config) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  // Whatever the umask: every file and directory the server makes is its own alone.
  process.umask(0o077)
  const campaign = { current: loadCampaignAndKeys(config) }
  prepareDataDir(config.dataDir)
  let pepper
  try {
    pepper = loadPepper(process.env, config.dataDir, config.production)
  } catch (e) {
    if (e instanceof PepperError) throw new ConfigError(e.message)
    throw e
  }
  const { limits } = config
  const storage = await openStorage(config.dataDir, {
    // PostgreSQL keeps its development pepper in the database, so that every instance has the same.
    pepper: pepper.source === 'development' && config.databaseUrl ? undefined : pepper.bytes,
    hashQueue: { concurrency: limits.hashConcurrency, maxWaiting: limits.hashQueue, maxWaitMs: limits.hashWaitMs },
    databaseUrl: config.databaseUrl,
    pool: { max: config.poolMax, onError: (err) => process.stderr.write(`database connection lost (${err.message}); reconnecting on next use\n`) },
  })
  await upgradeLegacyReceipts(storage)
  const admission = await openAdmission(config.dataDir, storage.repository, limits)

  const app = await buildApp({
    services: { ...storage, campaign, now: Date.now, ttlMs: LIMITS.submissionTtlMs, statusMinMs: config.statusMinMs, admission, caseLimits: config.caseLimits },
    h5Dir: config.h5Dir,
    rateLimit: config.rateLimit,
    trustProxy: config.trustProxy,
    production: config.production,
    limits,
    logLevel: config.logLevel,
  })

  let bureau: FastifyInstance | undefined
  if (config.bureau) {
    const t = config.bureau.tls
    let tls
    try {
      tls = t ? { cert: fs.readFileSync(t.certFile), key: fs.readFileSync(t.keyFile), ...(t.clientCaFile ? { ca: fs.readFileSync(t.clientCaFile) } : {}) } : undefined
    } catch (e) {
      throw new ConfigError(`Cannot read the bureau API's TLS files: ${(e as Error).message}`)
    }
    bureau = await buildBureauApp({
      services: { ...storage, campaign, now: Date.now, ttlMs: LIMITS.submissionTtlMs, statusMinMs: config.statusMinMs, admission },
      logLevel: config.logLevel,
      tls,
    })
  }

  process.on('SIGHUP', () => {
    try {
      campaign.current = loadCampaignAndKeys(config)
      const sequence = campaign.current.keyList?.list?.sequence
      app.log.info(`campaign configuration and key list reloaded${sequence !== undefined ? ` (key list sequence ${sequence})` : ''}`)
      for (const w of campaign.current.keyList?.warnings ?? []) app.log.warn(`phones will refuse this key list: ${w}`)
    } catch (e) {
      app.log.error(`campaign configuration NOT reloaded, keeping the previous one: ${(e as Error).message}`)
    }
  })
  let closing = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return
      closing = true
      Promise.all([app.close(), bureau?.close()]).then(
        () => process.exit(0),
        () => process.exit(1),
      )
    })
  }

  await app.listen({ host: config.host, port: config.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${shownHost}:${port}/`
  let bureauLine = '  Bureau API: off (BUREAU_PORT=off)\n'
  if (bureau && config.bureau) {
    await bureau.listen({ host: config.bureau.host, port: config.bureau.port })
    const a = bureau.server.address()
    const bp = typeof a === 'object' && a ? a.port : config.bureau.port
    const bh = config.bureau.host.includes(':') ? `[${config.bureau.host}]` : config.bureau.host
    bureauLine =
      `  Bureau API: ${config.bureau.tls ? 'https' : 'http'}://${bh}:${bp}/bureau/v1/${config.bureau.tls?.clientCaFile ? '   (client certificates required)' : ''}` +
      `   tokens: npm run bureau -- token create --name …\n`
  }
  process.stdout.write(
    `\nClue report server ready: ${url}\n` +
      `${config.production ? '' : `  API docs: ${url}docs`}   data: ${config.dataDir}   campaign: ${config.campaignFile}` +
      `   storage: ${storage.backend === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : 'SQLite'}` +
      `${config.production ? '   (production)' : '   (development)'}${config.rateLimit ? '' : '   RATE LIMITING OFF'}\n` +
      bureauLine +
      keyListNotes(campaign.current, config) +
      (campaign.current.config.keys.some((k) => k.development)
        ? '  WARNING: the campaign lists the DEVELOPMENT key (keys/dev/, public passphrase): never use it for real reports.\n'
        : '') +
      (pepper.source === 'development'
        ? `  Receipt pepper: a DEVELOPMENT one in the ${storage.backend === 'postgres' ? 'database' : 'data directory'}; production needs RECEIPT_PEPPER_FILE outside it.\n`
        : '') +
      '\n',
  )
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${e.message}\n`)
    process.exit(2)
  }
  process.stderr.write(`Server failed to start: ${(e as Error)?.stack ?? String(e)}\n`)
  process.exit(1)
})
