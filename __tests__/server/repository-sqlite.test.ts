/** The storage contract (repository-contract.ts) on the embedded backend: SQLite + blob files. */
import fs from 'node:fs'
import { openStorage } from '../../server/src/services'
import { makeTestEnv, type TestEnv } from './helpers'
import { storageContract } from './repository-contract'

let env: TestEnv
beforeEach(() => {
  env = makeTestEnv()
  fs.mkdirSync(env.dataDir)
})
afterEach(() => env.cleanup())

describe('SQLite storage', () => {
  storageContract({ open: () => openStorage(env.dataDir) })
})
