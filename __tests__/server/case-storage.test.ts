/**
 * The case channel's storage, in-process: the boot upgrade of scheme-1 receipts (a legacy phone's
 * A′ then finds its case by HMAC(pepper, A′), and the database no longer holds A′ itself).
 */
import { randomBytes, scryptSync } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { ReceiptHasher } from '../../server/src/receipts'
import type { NewSubmission } from '../../server/src/repository'
import { openStorage, upgradeLegacyReceipts } from '../../server/src/services'
import { makeTestEnv, receipt, type TestEnv } from './helpers'

let env: TestEnv
beforeEach(() => {
  env = makeTestEnv()
  fs.mkdirSync(env.dataDir)
})
afterEach(() => env.cleanup())

const hex = (n: number) => randomBytes(n).toString('hex')
const pepper = randomBytes(32)
const MINUTE = 60_000

function submission(): NewSubmission {
  return {
    id: hex(16), idempotencyKeyHash: hex(32), requestHash: hex(32),
    header: { v: 2, suite: 'x25519-hkdf-sha256-chacha20poly1305-stream64k-padme', kid: '0011223344556677', epk: randomBytes(32).toString('base64') },
    report: randomBytes(112), attachments: [], createdAt: MINUTE, expiresAt: MINUTE + 86_400_000,
  }
}


test('scheme-1 receipts are upgraded once at boot; the legacy A′ then finds the case, and A′ is no longer stored', async () => {
  const storage = await openStorage(env.dataDir, { pepper })
  const sub = submission()
  await storage.repository.createSubmission(sub, MINUTE)
  const R = receipt()
  const salt = fs.readFileSync(path.join(env.dataDir, 'receipt-salt'))
  const scheme1 = scryptSync(R, salt, 32, { N: 1 << 14, r: 8, p: 1, maxmem: 64 << 20 }).toString('hex')
  await storage.repository.acceptSubmission(sub.id, { 1: scheme1, 2: hex(32) }, MINUTE)
  // As a row written before the pepper existed.
  const db = new Database(path.join(env.dataDir, 'submissions.sqlite'))
  db.prepare('UPDATE submissions SET receipt_hash = ?, receipt_scheme = 1 WHERE id = ?').run(scheme1, sub.id)
  db.close()
  const Aprime = scryptSync(R, salt, 64, { N: 1 << 14, r: 8, p: 1, maxmem: 64 << 20 }).subarray(0, 32)
  expect(Aprime.toString('hex')).toBe(scheme1)
  expect(await storage.repository.cases.findCase(storage.receipts.verifier(Aprime))).toBeUndefined()

  expect(await upgradeLegacyReceipts(storage)).toBe(1)
  expect(await upgradeLegacyReceipts(storage)).toBe(0)
  const found = await storage.repository.cases.findCase(storage.receipts.verifier(Aprime))
  expect(found).toEqual(expect.objectContaining({ caseId: sub.id, kind: 'legacy', replyKey: null }))
  // The old app's status lookup still works (scheme 2 of the same receipt).
  expect(await storage.repository.findStatusByReceipt(await new ReceiptHasher(salt, { pepper }).digests(R))).toEqual(expect.objectContaining({ status: 'received' }))
  await storage.repository.close()
  expect(fs.readFileSync(path.join(env.dataDir, 'submissions.sqlite')).includes(Aprime)).toBe(false)
  expect(fs.readFileSync(path.join(env.dataDir, 'submissions.sqlite')).includes(Buffer.from(scheme1))).toBe(false)
})

// Messages, the sweep of open ones, purge with added files and the writing window: for both
// backends in repository-contract.ts.
