/**
 * The vault's load: the page sees "unlocked" as soon as the keys are in, while the inbox may still
 * be loading; whoever asks for the cases waits for the load (a 1,000-case inbox once showed empty).
 * The report batches are fetched a few at a time while the last one is decrypted.
 */
import { SUITE_V2, generateBureauKeyPair } from '../../server/src/envelope'
import type { BureauClient } from '../../bureau/remote'
import { Vault } from '../../bureau/workstation/server/vault'

test('settled() waits for a running load, and returns at once when none runs', async () => {
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const client = {
    json: async (path: string) => {
      await gate
      return path.startsWith('/bureau/v1/cases') ? { cases: [], next: null } : { reports: [] }
    },
  } as unknown as BureauClient
  const vault = new Vault()
  await vault.settled()
  vault.unlock([generateBureauKeyPair()])
  const loading = vault.load(client)
  let settled = false
  const waiting = vault.settled().then(() => (settled = true))
  await new Promise((r) => setTimeout(r, 50))
  expect(settled).toBe(false)
  release()
  await loading
  await waiting
  expect(settled).toBe(true)
  expect(vault.loadedAt).toBeGreaterThan(0)
})

test('a failed load settles too (the error goes to whoever started it)', async () => {
  const vault = new Vault()
  vault.unlock([generateBureauKeyPair()])
  const client = { json: async () => Promise.reject(new Error('down')) } as unknown as BureauClient
  await expect(vault.load(client)).rejects.toThrow('down')
  await expect(vault.settled()).resolves.toBeUndefined()
})

test('the report batches are fetched a few at a time (never all at once), and the inbox keeps the server’s order', async () => {
  const other = generateBureauKeyPair()
  const ids = Array.from({ length: 650 }, (_, i) => i.toString(16).padStart(32, '0'))
  const meta = (id: string) => ({ id, receivedAt: 1_700_000_000_000, statusChangedAt: 1_700_000_000_000, status: 'received', branch: 'yd', publicNote: null, readAt: null, notes: 0, attachments: [], header: { v: 2, suite: SUITE_V2, kid: other.kid, epk: 'A'.repeat(43) + '=' } })
  let inFlight = 0
  let most = 0
  let reportRequests = 0
  const client = {
    json: async (path: string, init?: { body?: { ids: string[] } }) => {
      if (path.startsWith('/bureau/v1/cases')) return { cases: ids.map(meta), next: null }
      reportRequests++
      most = Math.max(most, ++inFlight)
      await new Promise((r) => setTimeout(r, 20))
      inFlight--
      return { reports: init!.body!.ids.map((id) => ({ id, report: 'AAAA' })) }
    },
  } as unknown as BureauClient
  const vault = new Vault()
  vault.unlock([generateBureauKeyPair()])
  await vault.load(client)
  expect([reportRequests, most]).toEqual([4, 3])
  expect([...vault.cases.keys()]).toEqual(ids)
  expect(new Set([...vault.cases.values()].map((e) => e.problem?.kind))).toEqual(new Set(['wrong-key']))
  expect(vault.timings).toMatchObject({ requests: 5 })
})
