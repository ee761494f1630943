/** Lease: one sending copy of the app at a time (browser tabs share storage). */
import { toHex } from '@/crypto/bytes'
import { instanceId } from '@/platform/instance-id'
import { randomBytes } from '@/platform/random'
import { readKey, removeKey, writeKey } from '@/platform/storage'
import { settings } from './settings'

let owner: string | undefined
let leaseRenewedAt = 0

/** Takes the lease unless another live copy holds it; answers until when that copy holds it. */
export async function acquireLease(): Promise<{ ok: true } | { ok: false; until: number }> {
  if (!owner) owner = instanceId(toHex(await randomBytes(8)))
  const now = Date.now()
  const lock = readKey('outbox/lock')
  if (lock && lock.owner !== owner && typeof lock.until === 'number' && lock.until > now) {
    return { ok: false, until: Math.min(lock.until, now + settings.leaseMs) }
  }
  writeKey('outbox/lock', { owner, until: now + settings.leaseMs })
  leaseRenewedAt = now
  if (readKey('outbox/lock')?.owner === owner) return { ok: true }
  return { ok: false, until: now + settings.leaseMs }
}

export function renewLease(): void {
  const now = Date.now()
  if (!owner || now - leaseRenewedAt < settings.leaseMs / 3) return
  leaseRenewedAt = now
  writeKey('outbox/lock', { owner, until: now + settings.leaseMs })
}

export function releaseLease(): void {
  if (owner && readKey('outbox/lock')?.owner === owner) removeKey('outbox/lock')
}

export function resetLease(): void {
  owner = undefined
}
