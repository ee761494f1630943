/**
 * The vault's load: the page sees "unlocked" as soon as the keys are in, while the inbox may still
 * be loading; whoever asks for the cases waits for the load (a 1,000-case inbox once showed empty).
 */
import { generateBureauKeyPair } from '../../server/src/envelope'
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
