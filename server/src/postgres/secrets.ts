/**
 * 32-byte values every instance must agree on, kept in the database (server_secrets): the receipt
 * salt, and in development the development pepper. The first instance draws the value from the
 * secure random source; a concurrent first boot keeps whichever insert committed first.
 */
import { randomBytes } from 'node:crypto'
import type pg from 'pg'

export type SharedSecretName = 'receipt-salt' | 'receipt-pepper.dev'

export async function sharedSecret(pool: pg.Pool, name: SharedSecretName): Promise<Buffer> {
  await pool.query('INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32)])
  const r = await pool.query<{ value: Buffer }>('SELECT value FROM server_secrets WHERE name = $1', [name])
  const value = r.rows[0]?.value
  if (!value || value.length !== 32) throw new Error(`The shared secret ${name} is damaged in the database`)
  return value
}
